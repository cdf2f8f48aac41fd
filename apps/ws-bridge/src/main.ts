import { busFromEnv } from '@pitwall/bus';
import { createPool } from '@pitwall/db';
import { runMain } from '@pitwall/service';
import { startWsBridge } from './app';
import { loadWsBridgeConfig } from './config';

void runMain('ws-bridge', async (ctx) => {
  const config = loadWsBridgeConfig(ctx.env);
  const { bus, topics } = busFromEnv(ctx, { memoryFallback: false });
  ctx.onShutdown(() => bus.close());
  const databaseUrl = ctx.env.has('DATABASE_URL') ? ctx.env.url('DATABASE_URL', { protocols: ['postgres:', 'postgresql:'] }) : null;
  const pool = databaseUrl ? createPool({ connectionString: databaseUrl, logger: ctx.logger }) : null;
  if (pool) ctx.onShutdown(() => pool.end());
  return startWsBridge({ ...ctx, bus, topics, config, pool });
});
