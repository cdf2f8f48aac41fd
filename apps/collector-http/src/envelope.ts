import { PointError } from '@pitwall/channel-map';

/**
 * The message shapes WebSocket peers send, reduced to points for the mapping. Shared by the device
 * push endpoint and the partner feed client, so a device and a feed speaking the same shape are
 * read the same way.
 *
 * - `{type: 'heartbeat'}`: a liveness message (the seed devices send one every 30 s).
 * - `{type: 'register_device', imei}`: the seed devices' hello; names the device.
 * - `{type: 'telemetry_update', data: [point, ...]}`: the seed realtime server's broadcast.
 * - `{type: 'telemetry_data' | 'telemetry', id?, imei?, timestamp?, data: {...}}`: the seed devices'
 *   sample; the outer fields (other than type/id/data) are defaults for the point in `data`.
 * - `{id?, points: [point, ...], ...defaults}` or `{id?, frames: [...]}`: a batch.
 * - `{cars: [car, ...], timestamp, lap, ...}`: the seed partner feed; each car inherits the
 *   top-level fields it does not set itself.
 * - a bare point object or an array of points.
 */
export type Envelope =
  | { kind: 'heartbeat'; id: unknown }
  | { kind: 'register'; id: unknown; deviceId: string | undefined }
  | { kind: 'points'; id: unknown; points: unknown[] }
  /** A message of another `type` (the seed feed's insight_update, a device's typo): no points. */
  | { kind: 'other'; id: unknown; type: string };

/** Message types that carry points; a message with any other `type` is not a point. */
const POINT_TYPES = new Set(['telemetry_update', 'telemetry_data', 'telemetry']);

const envelopeKeys = new Set(['type', 'id', 'msgId', 'msg_id', 'data', 'points', 'frames', 'cars']);

function messageId(o: Record<string, unknown>): unknown {
  return o.id ?? o.msgId ?? o.msg_id;
}

/** Points with the envelope's other fields as defaults; the point's own fields win. */
function withDefaults(points: unknown[], outer: Record<string, unknown>): unknown[] {
  let defaults: Record<string, unknown> | undefined;
  for (const k in outer) {
    if (envelopeKeys.has(k)) continue;
    (defaults ??= {})[k] = outer[k];
  }
  if (!defaults) return points;
  const d = defaults;
  return points.map((p) => (typeof p === 'object' && p !== null && !Array.isArray(p) ? { ...d, ...(p as object) } : p));
}

/** Reads one message; a typed telemetry message without usable data throws a PointError. */
export function readEnvelope(message: unknown): Envelope {
  if (Array.isArray(message)) return { kind: 'points', id: undefined, points: message };
  if (typeof message !== 'object' || message === null) return { kind: 'points', id: undefined, points: [message] };
  const o = message as Record<string, unknown>;
  const id = messageId(o);
  if (o.type === 'heartbeat') return { kind: 'heartbeat', id };
  if (o.type === 'register_device' || o.type === 'register') {
    const device = o.imei ?? o.deviceId ?? o.device_id;
    return { kind: 'register', id, deviceId: typeof device === 'string' || typeof device === 'number' ? String(device) : undefined };
  }
  if (o.type !== undefined && !POINT_TYPES.has(String(o.type))) return { kind: 'other', id, type: String(o.type) };
  const list = Array.isArray(o.points) ? o.points : Array.isArray(o.frames) ? o.frames : Array.isArray(o.cars) ? o.cars : Array.isArray(o.data) ? o.data : undefined;
  if (list) return { kind: 'points', id, points: withDefaults(list, o) };
  if (typeof o.data === 'object' && o.data !== null) return { kind: 'points', id, points: withDefaults([o.data], o) };
  // A typed telemetry message without its data is a broken one, not a point named "telemetry_data".
  if (o.type !== undefined) throw new PointError('data', `a ${String(o.type)} message needs data: a point object or an array of points`);
  return { kind: 'points', id, points: [message] };
}
