/**
 * The pipeline benchmark's baseline, the floor of any pipeline: a bare UDP socket relaying every
 * datagram as it arrives, unchanged, as a binary message to every client of a bare `ws` server, in
 * one process. Run as a child process like the apps it is compared with:
 *
 *   node scripts/dist/bench/bare-relay.js
 *
 * prints `{"udpPort":…,"wsPort":…}` once both listen on 127.0.0.1, and exits on SIGTERM.
 */
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** The receive buffer collector-f1 asks for by default (F1_UDP_RECV_BUFFER_BYTES), so both ride out the same pauses. */
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;
/** The buffered bytes above which the bridge stops sending a viewer telemetry (MAX_WS_BUFFER default). */
const MAX_BUFFERED_BYTES = 2_000_000;

async function main(): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('connection', (ws) => ws.on('error', () => undefined));
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER_BYTES });
  socket.on('message', (datagram) => {
    for (const ws of wss.clients) if (ws.bufferedAmount <= MAX_BUFFERED_BYTES) ws.send(datagram, { binary: true });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  process.stdout.write(`${JSON.stringify({ udpPort: (socket.address() as AddressInfo).port, wsPort: (wss.address() as AddressInfo).port })}\n`);
  process.once('SIGTERM', () => {
    socket.close();
    for (const ws of wss.clients) ws.terminate();
    wss.close(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bare relay failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
