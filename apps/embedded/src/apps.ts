import { loadAggregatorConfig, startAggregator } from '@pitwall/aggregator';
import type { Bus } from '@pitwall/bus';
import { loadCollectorAcConfig, startCollectorAc } from '@pitwall/collector-ac';
import { loadCollectorAccConfig, startCollectorAcc } from '@pitwall/collector-acc';
import { loadCollectorF1Config, startCollectorF1, type CollectorF1 } from '@pitwall/collector-f1';
import { loadCollectorHttpConfig, startCollectorHttp, type CollectorHttp } from '@pitwall/collector-http';
import { loadCollectorS3Config, startCollectorS3 } from '@pitwall/collector-s3';
import { createPool } from '@pitwall/db';
import { loadDbWriterConfig, startDbWriter, startEmbeddedDatabase, type EmbeddedDatabase } from '@pitwall/db-writer';
import type { TopicRole } from '@pitwall/kafka';
import type { ServiceContext, Stoppable } from '@pitwall/service';
import { loadSimulatorConfig, startSimulator, type RunningSimulator } from '@pitwall/simulator';
import { loadWsBridgeConfig, startWsBridge } from '@pitwall/ws-bridge';
import { startS3Demo } from './s3-demo';

/** What the embedded process hands each app: the shared kit, one bus, the topic names. */
export interface EmbeddedContext extends ServiceContext {
  bus: Bus;
  topics: Record<TopicRole, string>;
  /** Apps already running, by name, for wiring one to another's bound ports. */
  started: ReadonlyMap<string, Stoppable>;
}

export interface EmbeddedApp {
  /** The name PITWALL_APPS selects it by. */
  name: string;
  start(ctx: EmbeddedContext): Promise<Stoppable>;
}

/**
 * The apps `npm start` runs, in start order: consumers before producers, so nothing a collector
 * publishes waits for its reader. This file is the composition root: the one place that imports
 * apps. The simulator plays the games on loopback: it sends F1 packets to collector-f1's bound
 * port and HTTP batches to collector-http, and collector-ac/acc handshake with its game sides, so
 * a fresh clone shows every source moving (ports 0 in tests work too). Without the simulator the
 * collectors use their own settings, to talk to real games.
 */
export const embeddedApps: EmbeddedApp[] = [
  // PostgreSQL: DATABASE_URL's, or an embedded server with its data under PITWALL_DATA_DIR.
  { name: 'database', start: (ctx) => startEmbeddedDatabase(ctx.env, ctx.logger) },
  {
    name: 'db-writer',
    start: (ctx) => {
      const db = ctx.started.get('database') as EmbeddedDatabase | undefined;
      return startDbWriter({ ...ctx, config: loadDbWriterConfig(ctx.env, db ? { databaseUrl: db.connectionString } : {}) });
    },
  },
  {
    name: 'ws-bridge',
    start: async (ctx) => {
      const db = ctx.started.get('database') as EmbeddedDatabase | undefined;
      const pool = db ? createPool({ connectionString: db.connectionString, logger: ctx.logger }) : null;
      const bridge = await startWsBridge({ ...ctx, config: loadWsBridgeConfig(ctx.env), pool });
      return {
        stop: async () => {
          await bridge.stop();
          await pool?.end();
        },
      };
    },
  },
  { name: 'aggregator', start: (ctx) => startAggregator({ ...ctx, config: loadAggregatorConfig(ctx.env) }) },
  { name: 'collector-f1', start: (ctx) => startCollectorF1({ ...ctx, config: loadCollectorF1Config(ctx.env) }) },
  { name: 'collector-http', start: (ctx) => startCollectorHttp({ ...ctx, config: loadCollectorHttpConfig(ctx.env) }) },
  {
    // S3_BUCKET's bucket, or a local S3 on loopback with a demo CSV drop in it.
    name: 'collector-s3',
    start: async (ctx) => {
      if (ctx.env.has('S3_BUCKET')) return startCollectorS3({ ...ctx, config: loadCollectorS3Config(ctx.env) });
      const demo = await startS3Demo(ctx);
      try {
        const collector = await startCollectorS3({ ...ctx, config: loadCollectorS3Config(demo.env) });
        return {
          stop: async () => {
            await collector.stop();
            await demo.server.stop();
          },
        };
      } catch (err) {
        await demo.server.stop();
        throw err;
      }
    },
  },
  {
    name: 'simulator',
    start: (ctx) => {
      const config = loadSimulatorConfig(ctx.env);
      const f1 = ctx.started.get('collector-f1') as CollectorF1 | undefined;
      if (f1 && !ctx.env.has('SIM_F1_TARGET')) config.f1 = { ...config.f1, host: '127.0.0.1', port: f1.port };
      const http = ctx.started.get('collector-http') as CollectorHttp | undefined;
      if (http && !ctx.env.has('SIM_PROTOCOLS')) {
        config.protocols = [...config.protocols, 'http'];
        config.http = { url: `http://127.0.0.1:${http.port}/api/ingest`, token: undefined, cars: 4, sampleRateHz: 10 };
      }
      return startSimulator({ ...ctx, config });
    },
  },
  {
    name: 'collector-ac',
    start: (ctx) => {
      const config = loadCollectorAcConfig(ctx.env);
      const game = (ctx.started.get('simulator') as RunningSimulator | undefined)?.ac;
      return startCollectorAc({ ...ctx, config: game ? { ...config, gameHost: '127.0.0.1', gamePort: game.port } : config });
    },
  },
  {
    name: 'collector-acc',
    start: (ctx) => {
      const config = loadCollectorAccConfig(ctx.env);
      const game = (ctx.started.get('simulator') as RunningSimulator | undefined)?.acc;
      return startCollectorAcc({ ...ctx, config: game ? { ...config, gameHost: '127.0.0.1', gamePort: game.port } : config });
    },
  },
];
