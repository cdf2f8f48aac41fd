import type { CarState } from './state';

const COLORS = ['#4fc3f7', '#ef5350', '#66bb6a', '#ffca28', '#ab47bc', '#ff7043', '#26a69a', '#d4e157', '#ec407a', '#8d6e63'];

/**
 * Draws the track from the cars' own world positions: the trail every car left is the track
 * outline, scaled to fit; each car is a dot at its latest position, the selected one ringed.
 */
export function drawTrackMap(canvas: HTMLCanvasElement, cars: CarState[], selected: string): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const w = canvas.width;
  const h = canvas.height;
  ctx.fillStyle = '#0d1117';
  ctx.fillRect(0, 0, w, h);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const c of cars) {
    for (const [x, y] of c.trail) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  if (!Number.isFinite(minX) || maxX - minX < 1e-6 || maxY - minY < 1e-6) {
    ctx.fillStyle = '#9aa4b2';
    ctx.font = '14px system-ui';
    ctx.fillText('no world positions yet', 16, 28);
    return;
  }
  const pad = 20;
  const scale = Math.min((w - 2 * pad) / (maxX - minX), (h - 2 * pad) / (maxY - minY));
  const px = (x: number) => pad + (x - minX) * scale + (w - 2 * pad - (maxX - minX) * scale) / 2;
  // Screen y grows downwards; world y (north) upwards.
  const py = (y: number) => h - pad - (y - minY) * scale - (h - 2 * pad - (maxY - minY) * scale) / 2;

  ctx.strokeStyle = '#2d3748';
  ctx.lineWidth = 6;
  ctx.lineJoin = 'round';
  const longest = cars.reduce((a, b) => (b.trail.length > a.trail.length ? b : a), cars[0]!);
  ctx.beginPath();
  longest.trail.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
  ctx.stroke();

  cars.forEach((c, i) => {
    if (c.last.x == null || c.last.y == null) return;
    const x = px(c.last.x);
    const y = py(c.last.y);
    ctx.fillStyle = COLORS[i % COLORS.length]!;
    ctx.beginPath();
    ctx.arc(x, y, c.id === selected ? 7 : 5, 0, Math.PI * 2);
    ctx.fill();
    if (c.id === selected) {
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    ctx.fillStyle = '#e6edf3';
    ctx.font = '11px system-ui';
    ctx.fillText(c.id, x + 8, y - 6);
  });
}
