import dgram from 'node:dgram';

/** Called for every datagram a simulator sends: `kind` names the message, for metrics. */
export type SendObserver = (kind: string, bytes: number) => void;

export interface UdpStats {
  sent: number;
  sentBytes: number;
  sendErrors: number;
  received: number;
  /** Datagrams received that were not a valid request, or not valid in the current state. */
  ignored: number;
  /** Sends handed to the socket whose callback has not run yet. */
  pending: number;
}

export const emptyStats = (): UdpStats => ({ sent: 0, sentBytes: 0, sendErrors: 0, received: 0, ignored: 0, pending: 0 });

/** Binds a UDP socket (port 0 = any free port); rejects with the address on failure. */
export function bindUdp(port: number, host: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      socket.close();
      reject(new Error(`cannot bind UDP ${host}:${port}: ${err.message}`, { cause: err }));
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

export function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

/** Sends and counts; a failed send is counted, never thrown (the peer may be gone). */
export function sendCounted(socket: dgram.Socket, stats: UdpStats, observe: SendObserver | undefined, kind: string, data: Buffer, port: number, host: string): void {
  stats.sent++;
  stats.sentBytes += data.length;
  stats.pending++;
  observe?.(kind, data.length);
  socket.send(data, port, host, (err) => {
    stats.pending--;
    if (err) stats.sendErrors++;
  });
}

/** Waits (at most `timeoutMs`) until every send has left the socket, so closing drops none. */
export async function drained(stats: UdpStats, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (stats.pending > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}
