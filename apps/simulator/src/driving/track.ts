// A closed circuit generated from a seed: a star-shaped polygon whose corners are rounded with
// arcs, so the lap is straights and constant-radius corners, closed by construction. Sampled every
// SAMPLE_M metres into flat arrays, so a car's pose is an interpolated lookup.
import { between, seededRandom } from './random';

/** Distance between samples of the centreline. */
export const SAMPLE_M = 2;

export interface TrackOptions {
  name: string;
  lengthM: number;
  seed: number;
  /** Where sectors 2 and 3 begin, as fractions of the lap. */
  sectorStarts?: [number, number];
}

export interface Pose {
  /** World position, metres; z is height. */
  x: number;
  y: number;
  z: number;
  /** Direction of travel in the x/y plane, radians from +x, counter-clockwise. */
  heading: number;
  /** Signed curvature, 1/m (positive turns left). */
  curvature: number;
  /** dz/ds */
  slope: number;
}

export class Track {
  readonly samples: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
  readonly heading: Float64Array;
  readonly curvature: Float64Array;
  readonly sectorStarts: [number, number];

  constructor(
    readonly name: string,
    readonly lengthM: number,
    points: { x: number; y: number; heading: number; curvature: number }[],
    elevation: (s: number) => number,
    sectorStarts: [number, number],
  ) {
    this.samples = points.length;
    this.x = Float64Array.from(points, (p) => p.x);
    this.y = Float64Array.from(points, (p) => p.y);
    this.heading = Float64Array.from(points, (p) => p.heading);
    this.curvature = Float64Array.from(points, (p) => p.curvature);
    this.z = Float64Array.from(points, (_p, i) => elevation(i * this.sampleM));
    this.sectorStarts = sectorStarts;
  }

  /** The true spacing after scaling to the exact lap length. */
  get sampleM(): number {
    return this.lengthM / this.samples;
  }

  /** Sector 0, 1 or 2 at distance `s` into the lap. */
  sectorAt(s: number): 0 | 1 | 2 {
    const f = s / this.lengthM;
    return f < this.sectorStarts[0] ? 0 : f < this.sectorStarts[1] ? 1 : 2;
  }

  /** d²z/ds² near `s` (crests negative, compressions positive): vertical g at speed. */
  verticalCurvatureAt(s: number): number {
    const n = this.samples;
    const ds = this.sampleM;
    const i = Math.floor((((s % this.lengthM) + this.lengthM) % this.lengthM) / ds) % n;
    return (this.z[(i + 1) % n]! - 2 * this.z[i]! + this.z[(i + n - 1) % n]!) / (ds * ds);
  }

  /** Pose at `s` metres into the lap (wrapped), interpolated between samples. */
  poseAt(s: number, out: Pose): Pose {
    const n = this.samples;
    const pos = (((s % this.lengthM) + this.lengthM) % this.lengthM) / this.sampleM;
    const i = Math.floor(pos) % n;
    const j = (i + 1) % n;
    const f = pos - Math.floor(pos);
    out.x = this.x[i]! + (this.x[j]! - this.x[i]!) * f;
    out.y = this.y[i]! + (this.y[j]! - this.y[i]!) * f;
    out.z = this.z[i]! + (this.z[j]! - this.z[i]!) * f;
    out.heading = this.heading[i]! + this.curvature[i]! * f * this.sampleM;
    out.curvature = this.curvature[i]!;
    out.slope = (this.z[j]! - this.z[i]!) / this.sampleM;
    return out;
  }
}

interface Vertex {
  x: number;
  y: number;
}

/**
 * Generates a circuit of exactly `lengthM`: 8–11 corners at jittered angles and radii around a
 * circle, each rounded with an arc of 15–130 m radius (shrunk where two corners are too close), then
 * scaled to the length. The polygon is star-shaped, so the circuit does not cross itself.
 */
export function generateTrack(opts: TrackOptions): Track {
  if (!(opts.lengthM >= 500)) throw new RangeError(`track length must be at least 500 m, got ${opts.lengthM}`);
  const random = seededRandom(opts.seed);
  const corners = 8 + Math.floor(random() * 4);
  const radius = opts.lengthM / (2 * Math.PI);
  const vertices: Vertex[] = [];
  for (let k = 0; k < corners; k++) {
    const angle = ((k + between(random, -0.3, 0.3)) / corners) * 2 * Math.PI;
    const r = radius * between(random, 0.55, 1);
    vertices.push({ x: r * Math.cos(angle), y: r * Math.sin(angle) });
  }
  const points = filletedPolygon(vertices, vertices.map(() => between(random, 15, 130)));
  const raw = resample(points, opts.lengthM);
  const phase = random() * 2 * Math.PI;
  const hills = between(random, 3, 12);
  const elevation = (s: number) => hills * Math.sin((4 * Math.PI * s) / opts.lengthM + phase);
  return new Track(opts.name, opts.lengthM, raw, elevation, opts.sectorStarts ?? [1 / 3, 2 / 3]);
}

interface Piece {
  kind: 'straight' | 'arc';
  x: number;
  y: number;
  heading: number;
  length: number;
  /** Signed curvature (arcs). */
  curvature: number;
}

/** Straights between tangent points and an arc at every vertex; the loop starts mid-straight. */
function filletedPolygon(v: Vertex[], radii: number[]): Piece[] {
  const n = v.length;
  const dir = (a: Vertex, b: Vertex) => Math.atan2(b.y - a.y, b.x - a.x);
  const dist = (a: Vertex, b: Vertex) => Math.hypot(b.x - a.x, b.y - a.y);
  const turn = v.map((_p, i) => {
    const into = dir(v[(i + n - 1) % n]!, v[i]!);
    const out = dir(v[i]!, v[(i + 1) % n]!);
    return Math.atan2(Math.sin(out - into), Math.cos(out - into));
  });
  // Tangent length r·tan(|turn|/2); two corners may use at most 45% of an edge each.
  const tangent = radii.map((r, i) => r * Math.tan(Math.abs(turn[i]!) / 2));
  for (let i = 0; i < n; i++) {
    const before = dist(v[(i + n - 1) % n]!, v[i]!) * 0.45;
    const after = dist(v[i]!, v[(i + 1) % n]!) * 0.45;
    tangent[i] = Math.min(tangent[i]!, before, after);
  }
  const pieces: Piece[] = [];
  for (let i = 0; i < n; i++) {
    const a = v[i]!;
    const b = v[(i + 1) % n]!;
    const h = dir(a, b);
    const len = dist(a, b);
    const j = (i + 1) % n;
    const start = tangent[i]!;
    const end = len - tangent[j]!;
    pieces.push({ kind: 'straight', x: a.x + start * Math.cos(h), y: a.y + start * Math.sin(h), heading: h, length: end - start, curvature: 0 });
    const r = tangent[j]! / Math.tan(Math.abs(turn[j]!) / 2);
    pieces.push({
      kind: 'arc',
      x: a.x + end * Math.cos(h),
      y: a.y + end * Math.sin(h),
      heading: h,
      length: r * Math.abs(turn[j]!),
      curvature: Math.sign(turn[j]!) / r,
    });
  }
  // Start the lap halfway along the first straight, as a start/finish straight.
  const first = pieces[0]!;
  const half = first.length / 2;
  pieces.push({ ...first, length: half });
  pieces[0] = { ...first, x: first.x + half * Math.cos(first.heading), y: first.y + half * Math.sin(first.heading), length: first.length - half };
  return pieces;
}

/** Samples the pieces every ~SAMPLE_M metres and scales the whole circuit to `lengthM`. */
function resample(pieces: Piece[], lengthM: number): { x: number; y: number; heading: number; curvature: number }[] {
  const total = pieces.reduce((sum, p) => sum + p.length, 0);
  const scale = lengthM / total;
  const count = Math.round(lengthM / SAMPLE_M);
  const step = total / count;
  const out: { x: number; y: number; heading: number; curvature: number }[] = [];
  let piece = 0;
  let pieceStart = 0;
  for (let k = 0; k < count; k++) {
    const s = k * step;
    while (piece < pieces.length - 1 && s >= pieceStart + pieces[piece]!.length) pieceStart += pieces[piece++]!.length;
    const p = pieces[piece]!;
    const d = s - pieceStart;
    let x: number;
    let y: number;
    if (p.curvature === 0) {
      x = p.x + d * Math.cos(p.heading);
      y = p.y + d * Math.sin(p.heading);
    } else {
      const r = 1 / p.curvature;
      const h = p.heading + d * p.curvature;
      x = p.x + r * (Math.sin(h) - Math.sin(p.heading));
      y = p.y - r * (Math.cos(h) - Math.cos(p.heading));
    }
    const heading = p.heading + d * p.curvature;
    out.push({ x: x * scale, y: y * scale, heading: Math.atan2(Math.sin(heading), Math.cos(heading)), curvature: p.curvature / scale });
  }
  return out;
}
