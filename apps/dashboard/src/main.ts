import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { DashboardState, formatLapTime, type AlertView, type CarState, type InsightView, type Point, type SessionState } from './state';
import { drawTrackMap } from './track-map';

const state = new DashboardState();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const sessionSelect = $<HTMLSelectElement>('session');
let selectedSession = '';
let selectedCar = '';

// ---- connection -------------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
const wsUrl = () => {
  const u = new URL(params.get('ws') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/realtime`);
  const token = params.get('token');
  if (token) u.searchParams.set('token', token);
  return u.toString();
};

let backoffMs = 500;
let socket: WebSocket | null = null;
const send = (msg: object) => socket?.readyState === WebSocket.OPEN && socket.send(JSON.stringify(msg));

function connect(): void {
  const status = $('status');
  const ws = new WebSocket(wsUrl());
  socket = ws;
  ws.onopen = () => {
    backoffMs = 500;
    replay = null;
    status.textContent = 'live';
    status.className = 'status online';
    ws.send(JSON.stringify({ type: 'recent', seconds: 30 }));
  };
  ws.onmessage = (ev) => handle(JSON.parse(ev.data as string) as Record<string, unknown>);
  ws.onclose = () => {
    status.textContent = `reconnecting in ${(backoffMs / 1000).toFixed(1)} s`;
    status.className = 'status offline';
    setTimeout(connect, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 10_000);
  };
}

function handle(msg: Record<string, unknown>): void {
  switch (msg.type) {
    case 'telemetry_update':
      state.addPoints(msg.data as Point[]);
      break;
    case 'lap_completed': {
      const l = msg.data as { sessionId: string; carId: string; lap: number; lapTimeS: number; sectorTimesS: number[]; tyreStress: number; valid: boolean; invalidReason: string };
      state.addLap(l);
      break;
    }
    case 'insight_update':
      for (const i of msg.data as (InsightView & { session_id: string })[]) state.addInsight(i.session_id, i);
      break;
    case 'vehicle_alert':
    case 'crash_detected': {
      const a = msg.alert as { code: string; level: string; message: string; cleared: boolean };
      const alert: AlertView = { ...a, chassis: String(msg.chassis ?? msg.imei ?? ''), at: Number(msg.timestamp ?? Date.now()) };
      state.addAlert(String(msg.session_id ?? ''), alert);
      break;
    }
    case 'session_update': {
      const s = msg.data as { sessionId: string; track: string };
      state.session(s.sessionId, s.track);
      break;
    }
    case 'replay_started':
      replay = { id: Number(msg.replay_id), fromUs: Number(msg.from_us), toUs: Number(msg.to_us), paused: false };
      selectedSession = String(msg.session_id);
      showReplay(`replaying ${String(msg.session_id)} at ${String(msg.speed)}×`);
      break;
    case 'replay_status':
      if (replay) {
        replay.paused = msg.state === 'paused';
        showReplay(`${replay.paused ? 'paused' : 'replaying'} at ${String(msg.speed)}×`);
      }
      break;
    case 'replay_ended':
      replay = null;
      showReplay(`replay ended: ${String(msg.reason)}`);
      break;
    case 'error':
      showReplay(String(msg.reason));
      break;
  }
  if (replay && msg.meta && typeof (msg.meta as { at_us?: number }).at_us === 'number') {
    const at = (msg.meta as { at_us: number }).at_us;
    ($('replay-seek') as HTMLInputElement).value = String(Math.round(((at - replay.fromUs) / Math.max(1, replay.toUs - replay.fromUs)) * 1000));
  }
}

// ---- replay -----------------------------------------------------------------------------------

let replay: { id: number; fromUs: number; toUs: number; paused: boolean } | null = null;

function showReplay(text: string): void {
  $('replay-state').textContent = text;
  const on = replay !== null;
  ($('replay-pause') as HTMLButtonElement).disabled = !on;
  ($('replay-stop') as HTMLButtonElement).disabled = !on;
  ($('replay-seek') as HTMLInputElement).disabled = !on;
  $('replay-pause').textContent = replay?.paused ? '▶' : '❚❚';
  const status = $('status');
  if (on) {
    status.textContent = 'replay';
    status.className = 'status replay';
  } else if (socket?.readyState === WebSocket.OPEN) {
    status.textContent = 'live';
    status.className = 'status online';
  }
}

async function loadStoredSessions(): Promise<void> {
  const token = params.get('token');
  const res = await fetch(`/api/sessions${token ? `?token=${encodeURIComponent(token)}` : ''}`).catch(() => null);
  if (!res?.ok) return; // no database behind the bridge: replays stay unavailable
  const body = (await res.json()) as { sessions: { session_id: string; track: string; laps: number }[] };
  const select = $<HTMLSelectElement>('replay-session');
  const chosen = select.value;
  select.replaceChildren(new Option('replay a stored session…', ''), ...body.sessions.map((s) => new Option(`${s.track} — ${s.session_id} (${s.laps} laps)`, s.session_id)));
  select.value = chosen;
}

$('replay-play').onclick = () => {
  const sessionId = $<HTMLSelectElement>('replay-session').value;
  if (!sessionId) return showReplay('choose a stored session first');
  state.sessions.delete(sessionId); // the replay rebuilds it
  send({ type: 'replay', session_id: sessionId, speed: Number($<HTMLSelectElement>('replay-speed').value) });
};
$('replay-pause').onclick = () => send({ type: 'replay_control', action: replay?.paused ? 'resume' : 'pause' });
$('replay-stop').onclick = () => send({ type: 'replay_stop' });
$<HTMLSelectElement>('replay-speed').onchange = () => replay && send({ type: 'replay_control', action: 'speed', speed: Number($<HTMLSelectElement>('replay-speed').value) });
$<HTMLInputElement>('replay-seek').onchange = (ev) => {
  if (!replay) return;
  const fraction = Number((ev.target as HTMLInputElement).value) / 1000;
  send({ type: 'replay_control', action: 'seek', to: (replay.fromUs + fraction * (replay.toUs - replay.fromUs)) / 1000 });
};

// ---- views ------------------------------------------------------------------------------------

function currentSession(): SessionState | undefined {
  // A replay's session appears with its first frames: keep it selected until then.
  if (!replay && (!selectedSession || !state.sessions.has(selectedSession))) selectedSession = state.sessions.keys().next().value ?? '';
  return state.sessions.get(selectedSession);
}

function renderSessions(): void {
  const ids = [...state.sessions.keys()];
  if ([...sessionSelect.options].map((o) => o.value).join('\n') !== ids.join('\n')) {
    sessionSelect.replaceChildren(...ids.map((id) => new Option(`${state.sessions.get(id)!.track || 'track?'} — ${id}`, id)));
  }
  sessionSelect.value = selectedSession;
}

function text(tag: string, value: string, cls = ''): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = value;
  if (cls) el.className = cls;
  return el;
}

function renderCars(s: SessionState): CarState[] {
  const cars = [...s.cars.values()].sort((a, b) => (a.last.position ?? 999) - (b.last.position ?? 999) || a.id.localeCompare(b.id, undefined, { numeric: true }));
  if (!selectedCar || !s.cars.has(selectedCar)) selectedCar = cars[0]?.id ?? '';
  const rows = cars.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.car = c.id;
    if (c.id === selectedCar) tr.className = 'selected';
    tr.append(
      text('td', c.last.position != null ? String(c.last.position) : '—'),
      text('td', c.id),
      text('td', c.driver),
      text('td', String(c.last.lap)),
      text('td', c.last.speed_kmh != null ? c.last.speed_kmh.toFixed(0) : '—', 'num'),
      text('td', c.last.gear != null ? (c.last.gear < 0 ? 'R' : c.last.gear === 0 ? 'N' : String(c.last.gear)) : '—'),
      text('td', formatLapTime(c.lastLapS), 'num'),
    );
    tr.onclick = () => {
      selectedCar = c.id;
    };
    return tr;
  });
  $('cars').querySelector('tbody')!.replaceChildren(...rows);
  return cars;
}

const plots = new Map<string, uPlot>();
function trace(id: string, series: { label: string; stroke: string }[], range: [number, number] | null): uPlot {
  let plot = plots.get(id);
  if (!plot) {
    const el = $(id);
    plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 140,
        legend: { show: true },
        scales: { x: { time: true }, y: range ? { range } : { auto: true } },
        axes: [{ stroke: '#9aa4b2', grid: { stroke: '#1f2630' } }, { stroke: '#9aa4b2', grid: { stroke: '#1f2630' } }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 1.5, spanGaps: true }))],
      },
      [[], ...series.map(() => [])],
      el,
    );
    plots.set(id, plot);
  }
  return plot;
}

function renderTraces(car: CarState | undefined): void {
  $('trace-car').textContent = car ? `${car.id} ${car.driver}` : '';
  const t = car?.trace.t ?? [];
  trace('trace-speed', [{ label: 'speed km/h', stroke: '#4fc3f7' }], null).setData([t, car?.trace.speed ?? []] as uPlot.AlignedData);
  trace('trace-pedals', [{ label: 'throttle %', stroke: '#66bb6a' }, { label: 'brake %', stroke: '#ef5350' }], [0, 100]).setData([t, car?.trace.throttle ?? [], car?.trace.brake ?? []] as uPlot.AlignedData);
  trace('trace-rpm', [{ label: 'rpm', stroke: '#ffca28' }], null).setData([t, car?.trace.rpm ?? []] as uPlot.AlignedData);
}

function renderInsight(car: CarState | undefined): void {
  const el = $('insight');
  const i = car?.insight;
  if (!i) {
    el.className = 'insight muted';
    el.textContent = car ? `waiting for ${car.id}'s first completed lap…` : 'waiting for data…';
    return;
  }
  el.className = 'insight';
  el.replaceChildren(
    text('div', `${(i.predicted_loss_per_lap_seconds * 1000).toFixed(0)} ms/lap`, 'big'),
    text('div', 'predicted loss per lap', 'muted'),
    text('div', i.laps_until_0_5s_loss != null ? `${i.laps_until_0_5s_loss.toFixed(1)} laps to +0.5 s` : 'no degradation yet'),
    text('div', `tyre stress last lap ${i.lap_tire_stress.toFixed(0)} g·s · confidence ${(i.confidence * 100).toFixed(0)} %`, 'muted'),
    text('div', i.explanation, 'explanation'),
  );
}

function renderLaps(s: SessionState): void {
  const rows = s.laps.slice(0, 40).map((l) => {
    const tr = document.createElement('tr');
    if (!l.valid) tr.className = 'invalid';
    tr.append(
      text('td', l.carId),
      text('td', String(l.lap)),
      text('td', formatLapTime(l.lapTimeS), 'num'),
      ...[0, 1, 2].map((k) => text('td', l.sectorTimesS[k] != null ? l.sectorTimesS[k]!.toFixed(3) : '—', 'num')),
      text('td', l.tyreStress.toFixed(0), 'num'),
      text('td', l.valid ? 'yes' : l.invalidReason || 'no'),
    );
    return tr;
  });
  $('laps').querySelector('tbody')!.replaceChildren(...rows);
}

function renderAlerts(s: SessionState): void {
  const items = s.alerts.map((a) => {
    const li = text('li', `${new Date(a.at).toLocaleTimeString()} ${a.chassis} ${a.code}${a.cleared ? ' cleared' : ''} — ${a.message}`, `alert ${a.cleared ? 'cleared' : a.level}`);
    return li;
  });
  $('alerts').replaceChildren(...items);
}

let lastCount = 0;
let lastRateAt = performance.now();
function render(): void {
  const s = currentSession();
  renderSessions();
  if (s) {
    $('track-name').textContent = s.track;
    const cars = renderCars(s);
    const car = s.cars.get(selectedCar);
    renderTraces(car);
    drawTrackMap($<HTMLCanvasElement>('map'), cars, selectedCar);
    renderInsight(car);
    renderLaps(s);
    renderAlerts(s);
  }
  const now = performance.now();
  if (now - lastRateAt >= 1000) {
    $('rate').textContent = `${Math.round(((state.pointsReceived - lastCount) * 1000) / (now - lastRateAt))} points/s`;
    lastCount = state.pointsReceived;
    lastRateAt = now;
  }
}

sessionSelect.onchange = () => {
  selectedSession = sessionSelect.value;
  selectedCar = '';
};

setInterval(render, 250);
connect();
void loadStoredSessions();
setInterval(() => void loadStoredSessions(), 30_000);
