import { busFromEnv } from '@pitwall/bus';
import { runMain } from '@pitwall/service';
import { startDbWriter } from './app';
import { loadDbWriterConfig } from './config';

void runMain('db-writer', async (ctx) => {
  const config = loadDbWriterConfig(ctx.env);
  const { bus, topics } = busFromEnv(ctx, { memoryFallback: false });
  ctx.onShutdown(() => bus.close());
  return startDbWriter({ ...ctx, bus, topics, config });
});
