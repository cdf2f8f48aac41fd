import { busFromEnv } from '@pitwall/bus';
import { runMain } from '@pitwall/service';
import { startCollectorAc } from './app';
import { loadCollectorAcConfig } from './config';

void runMain('collector-ac', async (ctx) => {
  const config = loadCollectorAcConfig(ctx.env);
  const { bus, topics } = busFromEnv(ctx, { memoryFallback: false });
  ctx.onShutdown(() => bus.close());
  return startCollectorAc({ ...ctx, bus, topics, config });
});
