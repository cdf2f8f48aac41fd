/**
 * The pipelines the end-to-end benchmark drives, each started from the built mains as separate
 * processes on loopback, each with an F1 UDP port to send to and a WebSocket URL to watch:
 *
 * - embedded: apps/embedded/dist/main.js, the composition `npm start` runs (apps/embedded/src/apps.ts),
 *   everything on the in-memory bus in one process, with the apps on the F1 path: database
 *   (DATABASE_URL given), db-writer, ws-bridge, aggregator, collector-f1.
 * - kafka: ws-bridge, aggregator, db-writer and collector-f1 as one process each, as in
 *   production, over KAFKA_BROKERS or else librdkafka's mock cluster started with the catalogue.
 * - bare relay: the baseline, a UDP socket relaying datagrams to a ws server (bare-relay.ts).
 *
 * The bridge runs with WS_BATCH_MS=0 (flush after every consumed batch), as the ws-latency
 * benchmark does: with the default 300 ms the batch window alone would be the latency. And with
 * WS_MAX_POINTS_PER_CAR lifted, so that every frame is sent (see baseEnv).
 */
import * as path from 'node:path';
import { topicCatalogue } from '@pitwall/kafka';
import { fetchMetricsText, metricSum } from '@pitwall/metrics';
import { startMockCluster, type MockCluster } from '@pitwall/kafka-mock';
import { AppProcess, stopAll } from './app-process';

export type PipelineMode = 'embedded' | 'kafka';

export interface Pipeline {
  label: string;
  f1Port: number;
  wsUrl: string;
  /** Processes whose memory is reported, by name. */
  processes: AppProcess[];
  /** Telemetry messages the bridge has not consumed yet, or null where nothing tells. */
  telemetryLag(): Promise<number | null>;
  /** F1 datagrams collector-f1 has read from its socket so far, or null where nothing tells. */
  datagramsRead(): Promise<number | null>;
  /** Fails if a process of the pipeline died. */
  assertRunning(): void;
  stop(): Promise<void>;
}

const STARTUP_MS = 60_000;
const repoRoot = path.resolve(__dirname, '../../..');
const appMain = (app: string) => path.join(repoRoot, 'apps', app, 'dist', 'main.js');

/** The settings every pipeline process gets: loopback only, any free port, JSON logs to read ports from. */
function baseEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    HEALTH_PORT: '0',
    HEALTH_HOST: '127.0.0.1',
    WS_PORT: '0',
    WS_HOST: '127.0.0.1',
    WS_BATCH_MS: '0',
    // The bridge sends at most WS_MAX_POINTS_PER_CAR (default 40) points of a car per flush,
    // evenly sampled; with a flush per consumed batch that only bites when a batch holds 0.8 s
    // of one car, a backlog. Lifted so a backlog shows as latency, and a frame missing is lost.
    WS_MAX_POINTS_PER_CAR: '10000',
    F1_UDP_PORT: '0',
    F1_UDP_HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
  };
  delete env.KAFKA_BROKERS;
  return env;
}

const HEALTH_LOG = 'serving /health and /metrics';
const WS_LOG = 'ws-bridge listening';
const F1_LOG = 'listening for F1 23/24/25 UDP';

export async function startPipeline(mode: PipelineMode, databaseUrl: string): Promise<Pipeline> {
  return mode === 'embedded' ? startEmbeddedPipeline(databaseUrl) : startKafkaPipeline(databaseUrl);
}

async function startEmbeddedPipeline(databaseUrl: string): Promise<Pipeline> {
  const app = new AppProcess('embedded', appMain('embedded'), { ...baseEnv(databaseUrl), PITWALL_APPS: 'database,db-writer,ws-bridge,aggregator,collector-f1' });
  try {
    await app.waitFor('"embedded pipeline running"', (l) => l.message === 'embedded pipeline running', STARTUP_MS);
    const healthPort = await app.loggedPort(HEALTH_LOG, 1000);
    const wsPort = await app.loggedPort(WS_LOG, 1000);
    const f1Port = await app.loggedPort(F1_LOG, 1000);
    return {
      label: 'embedded',
      f1Port,
      wsUrl: `ws://127.0.0.1:${wsPort}/ws/realtime`,
      processes: [app],
      // The in-memory bus counts what it took and what each group handled.
      telemetryLag: async () => {
        const text = await fetchMetricsText(healthPort);
        const produced = metricSum(text, 'pitwall_bus_produced_messages_total', (l) => l.topic === 'telemetry');
        const consumed = metricSum(text, 'pitwall_bus_consumed_messages_total', (l) => l.topic === 'telemetry' && l.group?.startsWith('pitwall-ws-bridge') === true);
        return produced - consumed;
      },
      datagramsRead: async () => datagramsRead(healthPort),
      assertRunning: () => app.assertRunning(),
      stop: () => app.stop(),
    };
  } catch (err) {
    await app.stop();
    throw err;
  }
}

async function startKafkaPipeline(databaseUrl: string): Promise<Pipeline> {
  const catalogue = topicCatalogue();
  let mock: MockCluster | null = null;
  const brokers = process.env.KAFKA_BROKERS || (mock = await startMockCluster({ brokers: 3, topics: catalogue.map((t) => ({ name: t.name, partitions: t.partitions })) })).bootstrap.join(',');
  // librdkafka's mock answers an empty fetch only after the full max wait (1 s by default), where a
  // broker answers when data arrives: against the mock a short wait stands in for that.
  const env = { ...baseEnv(databaseUrl), KAFKA_BROKERS: brokers, ...(mock ? { KAFKA_FETCH_MAX_WAIT_MS: '5' } : {}) };
  const processes: AppProcess[] = [];
  try {
    // Consumers first, so nothing collector-f1 publishes waits for its reader.
    for (const name of ['ws-bridge', 'aggregator', 'db-writer', 'collector-f1']) {
      const app = new AppProcess(name, appMain(name), env);
      processes.push(app);
      await app.waitFor('"started"', (l) => l.message === 'started', STARTUP_MS);
    }
    const [bridge, , , collector] = processes as [AppProcess, AppProcess, AppProcess, AppProcess];
    const bridgeHealthPort = await bridge.loggedPort(HEALTH_LOG, 1000);
    const collectorHealthPort = await collector.loggedPort(HEALTH_LOG, 1000);
    const wsPort = await bridge.loggedPort(WS_LOG, 1000);
    const f1Port = await collector.loggedPort(F1_LOG, 1000);
    const telemetry = catalogue.find((t) => t.role === 'telemetry')!.name;
    return {
      label: mock ? 'kafka (librdkafka mock cluster, 3 brokers)' : `kafka (${brokers})`,
      f1Port,
      wsUrl: `ws://127.0.0.1:${wsPort}/ws/realtime`,
      processes,
      // The bridge's consumer reports its lag per partition as of its last fetch.
      telemetryLag: async () => metricSum(await fetchMetricsText(bridgeHealthPort), 'pitwall_kafka_consumer_lag_messages', (l) => l.topic === telemetry),
      datagramsRead: async () => datagramsRead(collectorHealthPort),
      assertRunning: () => processes.forEach((p) => p.assertRunning()),
      stop: async () => {
        // The collector first, the bridge last: producers before their consumers.
        for (const p of [...processes].reverse()) await p.stop();
        await mock?.stop();
      },
    };
  } catch (err) {
    await stopAll(processes);
    await mock?.stop();
    throw err;
  }
}

/** The baseline: bare-relay.js as a child process. */
export async function startBareRelay(): Promise<Pipeline> {
  const relay = new AppProcess('bare relay', path.join(__dirname, 'bare-relay.js'), process.env);
  try {
    const ports = await relay.waitFor('its ports', (l) => typeof l.udpPort === 'number' && typeof l.wsPort === 'number', 10_000);
    return {
      label: 'bare relay',
      f1Port: ports.udpPort as number,
      wsUrl: `ws://127.0.0.1:${ports.wsPort as number}/`,
      processes: [relay],
      telemetryLag: async () => null,
      datagramsRead: async () => null,
      assertRunning: () => relay.assertRunning(),
      stop: () => relay.stop(),
    };
  } catch (err) {
    await relay.stop();
    throw err;
  }
}

async function datagramsRead(healthPort: number): Promise<number> {
  return metricSum(await fetchMetricsText(healthPort), 'pitwall_collector_datagrams_received_total', (l) => l.source === 'f1');
}

