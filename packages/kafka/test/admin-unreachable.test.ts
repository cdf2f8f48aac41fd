import * as net from 'node:net';
import { silentLogger } from '@pitwall/logger';
import { KafkaAdmin, KafkaUnreachableError } from '../src';

// Real sockets on loopback: a port nobody listens on, and a listener that accepts and never answers.
describe('KafkaAdmin.connect to brokers that do not answer', () => {
  const adminFor = (brokers: string[], connectTimeoutMs: number) =>
    new KafkaAdmin({ settings: { brokers, clientId: 'unreachable-test', idempotent: false, ssl: false }, logger: silentLogger(), connectTimeoutMs });

  async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    return port;
  }

  it('fails within the deadline, naming the brokers, when the port refuses connections', async () => {
    const brokers = [`127.0.0.1:${await closedPort()}`];
    const started = Date.now();
    const attempt = adminFor(brokers, 1500).connect();
    await expect(attempt).rejects.toThrow(KafkaUnreachableError);
    await expect(attempt).rejects.toThrow(new RegExp(`cannot reach Kafka brokers ${brokers[0]} within \\d+ s`));
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('fails within the deadline when a listener accepts but never speaks Kafka', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const brokers = [`127.0.0.1:${(server.address() as net.AddressInfo).port}`];
    try {
      const started = Date.now();
      await expect(adminFor(brokers, 1500).connect()).rejects.toThrow(/cannot reach Kafka brokers/);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
