import * as dgram from 'node:dgram';
import { PassThrough } from 'node:stream';
import { MemoryBus } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { defaultTopicNames } from '@pitwall/kafka';
import { createLogger, silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { Health } from '@pitwall/service';
import { startCollectorHttp } from '../src/app';
import { loadCollectorHttpConfig } from '../src/config';
import { grCupPoint, post, startHarness } from './helpers';

/** A logger whose JSON lines the test can read. */
function capturingLogger() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { logger: createLogger({ service: 'collector-http', level: 'info', stream }), lines };
}

describe('collector-http lifecycle', () => {
  test('open ingest logs a warning at start; tokens do not', async () => {
    const open = capturingLogger();
    const h1 = await startHarness({ logger: open.logger });
    await h1.stop();
    expect(open.lines.some((l) => l.level === 'warn' && /ingest is open/.test(String(l.message)))).toBe(true);
    const closed = capturingLogger();
    const h2 = await startHarness({ logger: closed.logger, env: { INGEST_TOKENS: 'teamA=token-aaaa' } });
    await h2.stop();
    expect(closed.lines.some((l) => /ingest is open/.test(String(l.message)))).toBe(false);
  });

  test('stop lets a request waiting for the bus finish with 200, then closes HTTP and UDP', async () => {
    const h = await startHarness({ gated: true, bus: { defaultPartitions: 1, maxMessagesPerPartition: 1 } });
    const pending = post(h.url('/api/ingest'), JSON.stringify([grCupPoint(0), grCupPoint(1), grCupPoint(2)]), { 'content-type': 'application/json' });
    await new Promise((r) => setTimeout(r, 100));
    const stopped = h.app.stop();
    setTimeout(() => h.release(), 200);
    expect((await pending).status).toBe(200);
    await stopped;
    await expect(fetch(h.url('/health'))).rejects.toThrow();
    // The UDP port is free again: binding it succeeds.
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(h.app.udpPort!, '127.0.0.1', () => resolve());
    });
    probe.close();
    await h.bus.close();
  });

  test('a taken HTTP port fails the start with a message naming INGEST_PORT', async () => {
    const h = await startHarness();
    const config = loadCollectorHttpConfig(new EnvReader({ INGEST_PORT: String(h.app.port), HOST: '127.0.0.1', UDP_ENABLED: 'false' }));
    const bus = new MemoryBus();
    await expect(
      startCollectorHttp({ bus, topics: defaultTopicNames, logger: silentLogger(), metrics: new Metrics('x'), health: new Health(), config }),
    ).rejects.toThrow(/port \d+ is already in use \(set INGEST_PORT\)/);
    await h.stop();
    await bus.close();
  });

  test('a taken UDP port fails the start with a message naming UDP_PORT', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', () => r()));
    const config = loadCollectorHttpConfig(new EnvReader({ INGEST_PORT: '0', HOST: '127.0.0.1', UDP_HOST: '127.0.0.1', UDP_PORT: String(holder.address().port) }));
    const bus = new MemoryBus();
    await expect(
      startCollectorHttp({ bus, topics: defaultTopicNames, logger: silentLogger(), metrics: new Metrics('x'), health: new Health(), config }),
    ).rejects.toThrow(/UDP_PORT/);
    holder.close();
    await bus.close();
  });
});
