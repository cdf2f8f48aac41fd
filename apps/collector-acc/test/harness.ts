import { PassThrough } from 'node:stream';
import { EnvReader } from '@pitwall/config';
import { createLogger } from '@pitwall/logger';
import { runCollector, type RunningCollector, type RunOptions } from '../../../packages/collector-kit/test/support/collector-harness';
import { loadCollectorAccConfig, startCollectorAcc, type CollectorAcc } from '../src';

export { sleep, until } from '../../../packages/collector-kit/test/support/collector-harness';

export interface Running extends RunningCollector<CollectorAcc> {
  /** Every log line the collector wrote, parsed. */
  logs: { level: string; message: string; [k: string]: unknown }[];
}

export const fastEnv = (gamePort: number, extra: Record<string, string> = {}) => ({
  ACC_HOST: '127.0.0.1',
  ACC_UDP_PORT: String(gamePort),
  ACC_CONNECTION_PASSWORD: 'asd',
  ACC_COMMAND_PASSWORD: 'cmd',
  ACC_DISPLAY_NAME: 'pitwall test',
  ACC_UPDATE_INTERVAL_MS: '10',
  ACC_REGISTER_TIMEOUT_MS: '150',
  ACC_DATA_TIMEOUT_MS: '250',
  ACC_RETRY_INITIAL_MS: '20',
  ACC_RETRY_MAX_MS: '200',
  ...extra,
});

export async function run(env: Record<string, string>, opts: RunOptions = {}): Promise<Running> {
  const logs: Running['logs'] = [];
  const stream = new PassThrough();
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines.filter(Boolean)) logs.push(JSON.parse(line));
  });
  const logger = createLogger({ service: 'collector-acc', level: 'debug', format: 'json', stream });
  const running = await runCollector('collector-acc', (deps) => startCollectorAcc({ ...deps, config: loadCollectorAccConfig(new EnvReader(env)) }), { ...opts, logger });
  return { ...running, logs };
}
