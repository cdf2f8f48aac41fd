import type { Bus } from '@pitwall/bus';
import type { TopicRole } from '@pitwall/kafka';
import type { ServiceContext, Stoppable } from '@pitwall/service';
import { loadCollectorHttpConfig, startCollectorHttp } from '@pitwall/collector-http';
import { loadWsBridgeConfig, startWsBridge } from '@pitwall/ws-bridge';

/** What the embedded process hands each app: the shared kit, one bus, the topic names. */
export interface EmbeddedContext extends ServiceContext {
  bus: Bus;
  topics: Record<TopicRole, string>;
}

export interface EmbeddedApp {
  /** The name PITWALL_APPS selects it by. */
  name: string;
  start(ctx: EmbeddedContext): Promise<Stoppable>;
}

/**
 * The apps `npm start` runs, in start order: consumers before producers, so nothing a collector
 * publishes waits for its reader. Each issue that adds an app adds its entry here. This file is
 * the composition root: the one place that imports apps.
 */
export const embeddedApps: EmbeddedApp[] = [
  { name: 'ws-bridge', start: (ctx) => startWsBridge({ ...ctx, config: loadWsBridgeConfig(ctx.env), pool: null }) },
  { name: 'collector-http', start: (ctx) => startCollectorHttp({ ...ctx, config: loadCollectorHttpConfig(ctx.env) }) },
];
