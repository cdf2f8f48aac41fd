import { busFromEnv } from '@pitwall/bus';
import { runMain } from '@pitwall/service';
import { startCollectorF1 } from './app';
import { loadCollectorF1Config } from './config';

void runMain('collector-f1', async (ctx) => {
  const config = loadCollectorF1Config(ctx.env);
  const { bus, topics } = busFromEnv(ctx, { memoryFallback: false });
  ctx.onShutdown(() => bus.close());
  return startCollectorF1({ ...ctx, bus, topics, config });
});
