import { busFromEnv } from '@pitwall/bus';
import { runMain } from '@pitwall/service';
import { startCollectorS3 } from './app';
import { loadCollectorS3Config } from './config';

void runMain('collector-s3', async (ctx) => {
  const config = loadCollectorS3Config(ctx.env);
  const { bus, topics } = busFromEnv(ctx, { memoryFallback: false });
  ctx.onShutdown(() => bus.close());
  return startCollectorS3({ ...ctx, bus, topics, config });
});
