import { busFromEnv } from '@pitwall/bus';
import type { ServiceContext, Stoppable } from '@pitwall/service';
import { embeddedApps, type EmbeddedApp } from './apps';

/**
 * Starts every embedded app in one process, on the in-memory bus (or Kafka when KAFKA_BROKERS is
 * set). Each app gets the shared logger, metrics and health under its own name. Stopping stops the
 * apps in reverse order (producers before their consumers) and then the bus.
 */
export async function startEmbedded(ctx: ServiceContext, apps: EmbeddedApp[] = embeddedApps): Promise<Stoppable> {
  const { bus, catalogue, topics } = busFromEnv(ctx, { memoryFallback: true });
  ctx.health.register('bus', () => ({ status: 'ok', detail: { kind: bus.kind, topics: catalogue.map((t) => t.name) } }));

  const selected = ctx.env.list('PITWALL_APPS', { default: apps.map((a) => a.name) });
  const unknown = selected.filter((n) => !apps.some((a) => a.name === n));
  if (unknown.length) ctx.logger.warn('PITWALL_APPS names apps that do not exist', { unknown, known: apps.map((a) => a.name) });

  const running: { name: string; app: Stoppable }[] = [];
  const started = new Map<string, Stoppable>();
  for (const app of apps.filter((a) => selected.includes(a.name))) {
    ctx.health.addApp(app.name);
    const logger = ctx.logger.child({ app: app.name });
    const instance = await app.start({ ...ctx, logger, metrics: ctx.metrics.forApp(app.name), bus, topics, started });
    running.push({ name: app.name, app: instance });
    started.set(app.name, instance);
    logger.info('app started');
  }
  ctx.logger.info('embedded pipeline running', { bus: bus.kind, apps: running.map((r) => r.name) });

  return {
    async stop() {
      for (const { name, app } of running.reverse()) {
        await app.stop();
        ctx.logger.info('app stopped', { app: name });
      }
      await bus.close();
    },
  };
}
