import { AC_CLIENT_IDENTITY, AcOperation, decodeHandshakeResponse, encodeHandshaker } from '@pitwall/ac-udp';
import { decodeInbound, encodeOutbound } from '@pitwall/acc-broadcast';
import { ConfigError, EnvReader } from '@pitwall/config';
import { decodePacket } from '@pitwall/f1-udp';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { Health } from '@pitwall/service';
import { loadSimulatorConfig, startSimulator } from '../src';
import { TestPeer, sleep } from './udp-client';

describe('simulator config', () => {
  it('has defaults that work on a laptop', () => {
    const config = loadSimulatorConfig(new EnvReader({}));
    expect(config.protocols).toEqual(['f1', 'ac', 'acc']);
    expect(config.f1).toEqual({ host: '127.0.0.1', port: 20777, format: 2025, rigs: 1, cars: 22 });
    expect(config.ac.port).toBe(9996);
    expect(config.acc).toMatchObject({ port: 9000, password: 'asd', commandPassword: '' });
    expect(config.rateHz).toBe(60);
    expect(config.http).toBeNull();
  });

  it('needs SIM_HTTP_URL when http is selected', () => {
    expect(() => loadSimulatorConfig(new EnvReader({ SIM_PROTOCOLS: 'http' }))).toThrow(/^SIM_HTTP_URL:/);
    const config = loadSimulatorConfig(new EnvReader({ SIM_PROTOCOLS: 'http', SIM_HTTP_URL: 'http://127.0.0.1:8090/api/ingest', SIM_HTTP_TOKEN: 't' }));
    expect(config.http).toEqual({ url: 'http://127.0.0.1:8090/api/ingest', token: 't', cars: 8, sampleRateHz: 10 });
  });

  it('reads every variable', () => {
    const config = loadSimulatorConfig(
      new EnvReader({
        SIM_PROTOCOLS: 'f1,acc',
        SIM_F1_TARGET: 'collector.local:30777',
        SIM_F1_FORMAT: '2023',
        SIM_F1_RIGS: '4',
        SIM_F1_CARS: '10',
        SIM_AC_PORT: '0',
        SIM_ACC_PORT: '9100',
        SIM_ACC_PASSWORD: 'secret',
        SIM_RATE_HZ: '30',
        SIM_SEED: '42',
        SIM_TIME_SCALE: '2.5',
        SIM_TYRE_DEG_S_PER_LAP: '0.1',
      }),
    );
    expect(config).toMatchObject({
      protocols: ['f1', 'acc'],
      seed: 42,
      rateHz: 30,
      timeScale: 2.5,
      degradationSPerLap: 0.1,
      f1: { host: 'collector.local', port: 30777, format: 2023, rigs: 4, cars: 10 },
      ac: { port: 0 },
      acc: { port: 9100, password: 'secret' },
    });
  });

  it.each([
    ['SIM_PROTOCOLS', 'f1,gt7'],
    ['SIM_F1_TARGET', 'nohost'],
    ['SIM_F1_TARGET', 'a:1,b:2'],
    ['SIM_F1_FORMAT', '2022'],
    ['SIM_F1_CARS', '23'],
    ['SIM_RATE_HZ', '0'],
    ['SIM_AC_PORT', '70000'],
  ])('refuses %s=%s with an error naming it', (name, value) => {
    expect(() => loadSimulatorConfig(new EnvReader({ [name]: value }))).toThrow(ConfigError);
    expect(() => loadSimulatorConfig(new EnvReader({ [name]: value }))).toThrow(new RegExp(`^${name}:`));
  });
});

describe('simulator app', () => {
  it('runs the three game sides, reports health and counts packets per protocol, and stops them all', async () => {
    const f1Collector = await TestPeer.open();
    const client = await TestPeer.open();
    const metrics = new Metrics('simulator');
    const health = new Health();
    const config = loadSimulatorConfig(
      new EnvReader({ SIM_AC_PORT: '0', SIM_ACC_PORT: '0', SIM_F1_TARGET: `127.0.0.1:${f1Collector.port}`, SIM_F1_RIGS: '2', SIM_RATE_HZ: '50' }),
    );
    const sim = await startSimulator({ logger: silentLogger(), metrics, health, config });
    try {
      try {
        // F1: two rigs, two session UIDs, all decodable.
        await f1Collector.waitFor(40);
        const uids = new Set(
          f1Collector.received.map((b) => {
            const d = decodePacket(b);
            if (!d.ok) throw new Error(d.detail);
            return d.header.sessionUID;
          }),
        );
        expect(uids.size).toBe(2);

        // AC: a handshake on the bound port.
        await client.send(encodeHandshaker({ ...AC_CLIENT_IDENTITY, operationId: AcOperation.Handshake }), sim.ac!.port);
        const [hello] = await client.waitFor(1, (b) => b.length === 408);
        expect(decodeHandshakeResponse(hello!).ok).toBe(true);

        // ACC: registration with the default password.
        client.clear();
        await client.send(
          encodeOutbound({ type: 'REGISTER', protocolVersion: 4, displayName: 't', connectionPassword: 'asd', msRealtimeUpdateInterval: 100, commandPassword: '' }),
          sim.acc!.port,
        );
        const [result] = await client.waitFor(1, (b) => b[0] === 1);
        expect(decodeInbound(result!)).toMatchObject({ ok: true, message: { type: 'REGISTRATION_RESULT', connectionSuccess: true } });
        await client.waitFor(3, (b) => b[0] === 2);

        const report = await health.report();
        expect(report.status).toBe('ok');
        expect(report.checks.simulator!.detail).toMatchObject({ ac: { client: true, streaming: false }, acc: { clients: 1 } });
        const counter = metrics.counter('pitwall_simulator_packets_sent_total', '', ['protocol', 'message']);
        expect(await counter.value({ protocol: 'f1' })).toBe(sim.f1.reduce((n, rig) => n + rig.stats.sent, 0));
        expect(await counter.value({ protocol: 'ac', message: 'handshakeResponse' })).toBe(1);
        expect(await counter.value({ protocol: 'acc', message: 'REALTIME_UPDATE' })).toBeGreaterThanOrEqual(3);
        const rendered = (await metrics.render()).body;
        expect(rendered).toMatch(/pitwall_simulator_bytes_sent_total\{[^}]*protocol="f1"[^}]*\} \d+/);
      } finally {
        await sim.stop();
      }
      // Stopped: nothing more arrives and the ports are closed.
      await sleep(50);
      f1Collector.clear();
      client.clear();
      await client.send(encodeHandshaker({ ...AC_CLIENT_IDENTITY, operationId: AcOperation.Handshake }), sim.ac!.port).catch(() => undefined);
      await sleep(200);
      expect(f1Collector.received).toHaveLength(0);
      expect(client.received).toHaveLength(0);
      expect((await health.report()).checks.simulator).toBeUndefined();
    } finally {
      await f1Collector.close();
      await client.close();
    }
  });

  it('fails to start, closing what it opened, when a port is taken', async () => {
    const squatter = await TestPeer.open();
    const config = loadSimulatorConfig(new EnvReader({ SIM_PROTOCOLS: 'ac,acc', SIM_AC_PORT: '0', SIM_ACC_PORT: String(squatter.port) }));
    await expect(startSimulator({ logger: silentLogger(), metrics: new Metrics('simulator'), health: new Health(), config })).rejects.toThrow(
      new RegExp(`cannot bind UDP 127.0.0.1:${squatter.port}`),
    );
    await squatter.close();
  });
});
