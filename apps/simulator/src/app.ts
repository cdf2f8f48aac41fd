// The simulator app: the game side of each selected protocol, with health and metrics. It needs
// no bus (it produces UDP, not frames); the parameters are accepted so the embedded process can
// start it like any other app.
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import type { Health, Stoppable } from '@pitwall/service';
import { AcServer } from './ac/server';
import { AccServer } from './acc/server';
import type { Protocol, SimulatorConfig } from './config';
import { F1Sender } from './f1/sender';
import { HttpPoster } from './http';
import type { SendObserver } from './udp';

export interface SimulatorDeps {
  logger: Logger;
  metrics: Metrics;
  health: Health;
  config: SimulatorConfig;
  /** Unused: the simulator talks UDP to collectors, not to the bus. */
  bus?: unknown;
  topics?: unknown;
}

export interface RunningSimulator extends Stoppable {
  f1: F1Sender[];
  ac: AcServer | null;
  acc: AccServer | null;
  http: HttpPoster | null;
}

export async function startSimulator(deps: SimulatorDeps): Promise<RunningSimulator> {
  const { config, logger } = deps;
  const packets = deps.metrics.counter('pitwall_simulator_packets_sent_total', 'Datagrams the simulator sent, by protocol and message', ['protocol', 'message']);
  const bytes = deps.metrics.counter('pitwall_simulator_bytes_sent_total', 'Bytes the simulator sent, by protocol', ['protocol']);
  const observer = (protocol: Protocol): SendObserver => (message, size) => {
    packets.inc({ protocol, message });
    bytes.inc({ protocol }, size);
  };
  const race = (cars: number, i = 0) => ({ seed: config.seed * 1000 + i, cars, trackLengthM: config.trackLengthM, degradationSPerLap: config.degradationSPerLap });
  const running: RunningSimulator = { f1: [], ac: null, acc: null, http: null, stop: () => stop() };

  async function stop(): Promise<void> {
    deps.health.unregister('simulator');
    await Promise.all([...running.f1.map((rig) => rig.stop()), running.ac?.stop(), running.acc?.stop(), running.http?.stop()]);
  }

  try {
    if (config.protocols.includes('ac')) {
      running.ac = await AcServer.start({
        port: config.ac.port,
        host: config.bindHost,
        updateRateHz: config.rateHz,
        timeScale: config.timeScale,
        race: race(config.ac.cars),
        logger: logger.child({ protocol: 'ac' }),
        onSend: observer('ac'),
      });
      logger.info('AC game side listening', { host: config.bindHost, port: running.ac.port });
    }
    if (config.protocols.includes('acc')) {
      running.acc = await AccServer.start({
        port: config.acc.port,
        host: config.bindHost,
        connectionPassword: config.acc.password,
        commandPassword: config.acc.commandPassword,
        timeScale: config.timeScale,
        race: race(config.acc.cars),
        logger: logger.child({ protocol: 'acc' }),
        onSend: observer('acc'),
      });
      logger.info('ACC broadcasting game side listening', { host: config.bindHost, port: running.acc.port });
    }
    if (config.protocols.includes('f1')) {
      for (let i = 0; i < config.f1.rigs; i++) {
        const rig = new F1Sender({
          host: config.f1.host,
          port: config.f1.port,
          format: config.f1.format,
          rateHz: config.rateHz,
          timeScale: config.timeScale,
          race: race(config.f1.cars, i),
          logger: logger.child({ protocol: 'f1', rig: i }),
          onSend: observer('f1'),
        });
        running.f1.push(rig.start());
        logger.info('F1 rig sending', { target: `${config.f1.host}:${config.f1.port}`, format: config.f1.format, sessionUid: String(rig.sessionUid) });
      }
    }
    if (config.http) {
      running.http = new HttpPoster({
        url: config.http.url,
        token: config.http.token,
        sampleRateHz: config.http.sampleRateHz,
        timeScale: config.timeScale,
        race: race(config.http.cars),
        logger: logger.child({ protocol: 'http' }),
      }).start();
      logger.info('posting to the HTTP ingest', { url: config.http.url });
    }
  } catch (err) {
    await stop();
    throw err;
  }

  deps.health.register('simulator', () => ({
    status: 'ok',
    detail: {
      f1: running.f1.map((rig) => ({ sessionUid: String(rig.sessionUid), frames: rig.frames, sent: rig.stats.sent, sendErrors: rig.stats.sendErrors })),
      ac: running.ac && { port: running.ac.port, client: running.ac.subscriber !== null, streaming: running.ac.subscriber?.update ?? false, sent: running.ac.stats.sent },
      acc: running.acc && { port: running.acc.port, clients: running.acc.clients.size, sent: running.acc.stats.sent },
      http: running.http && running.http.stats,
    },
  }));
  return running;
}
