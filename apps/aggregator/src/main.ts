import { busFromEnv } from '@pitwall/bus';
import { runMain } from '@pitwall/service';
import { startAggregator } from './app';
import { loadAggregatorConfig } from './config';

void runMain('aggregator', async (ctx) => {
  const config = loadAggregatorConfig(ctx.env);
  const { bus, topics } = busFromEnv(ctx, { memoryFallback: false });
  ctx.onShutdown(() => bus.close());
  return startAggregator({ ...ctx, bus, topics, config });
});
