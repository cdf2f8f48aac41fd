import { busFromEnv } from '@pitwall/bus';
import { runMain } from '@pitwall/service';
import { startCollectorAcc } from './app';
import { loadCollectorAccConfig } from './config';

void runMain('collector-acc', async (ctx) => {
  const config = loadCollectorAccConfig(ctx.env);
  const { bus, topics } = busFromEnv(ctx, { memoryFallback: false });
  ctx.onShutdown(() => bus.close());
  return startCollectorAcc({ ...ctx, bus, topics, config });
});
