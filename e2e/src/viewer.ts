import WebSocket from 'ws';

/** A browser stand-in on the ws-bridge: counts what arrives by message type. */
export class Viewer {
  readonly counts = new Map<string, number>();
  /** telemetry_update points received. */
  points = 0;
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; data?: unknown };
      this.counts.set(msg.type, (this.counts.get(msg.type) ?? 0) + 1);
      if (msg.type === 'telemetry_update' && Array.isArray(msg.data)) this.points += msg.data.length;
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async connect(url: string): Promise<Viewer> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Viewer(ws);
  }

  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * A viewer that stops reading: its TCP receive window fills and the bridge's send buffer for it
 * grows, which the bridge must bound (drop its telemetry, then disconnect it) without slowing others.
 */
export async function connectStalledViewer(url: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; atMs: number }> }> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // ws reads from the socket as data arrives; pausing the socket leaves it in the kernel.
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const closed = new Promise<{ code: number; atMs: number }>((resolve) => ws.once('close', (code) => resolve({ code, atMs: Date.now() })));
  return { ws, closed };
}
