import { busFromEnv } from '@pitwall/bus';
import { runMain } from '@pitwall/service';
import { startCollectorHttp } from './app';
import { loadCollectorHttpConfig } from './config';

void runMain('collector-http', async (ctx) => {
  const config = loadCollectorHttpConfig(ctx.env);
  const { bus, topics } = busFromEnv(ctx, { memoryFallback: false });
  ctx.onShutdown(() => bus.close());
  return startCollectorHttp({ ...ctx, bus, topics, config });
});
