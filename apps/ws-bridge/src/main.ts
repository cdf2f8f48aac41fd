import { busFromEnv } from '@pitwall/bus';
import { runMain } from '@pitwall/service';
import { startWsBridge } from './app';
import { loadWsBridgeConfig } from './config';

void runMain('ws-bridge', async (ctx) => {
  const config = loadWsBridgeConfig(ctx.env);
  const { bus, topics } = busFromEnv(ctx, { memoryFallback: false });
  ctx.onShutdown(() => bus.close());
  return startWsBridge({ ...ctx, bus, topics, config });
});
