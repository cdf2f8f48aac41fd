import { EnvReader } from '@pitwall/config';
import { runCollector, type RunningCollector, type RunOptions } from '../../../packages/collector-kit/test/support/collector-harness';
import { loadCollectorAcConfig, startCollectorAc, type CollectorAc } from '../src';

export { until } from '../../../packages/collector-kit/test/support/collector-harness';

export type Running = RunningCollector<CollectorAc>;

/** Fast timings so silence and retries happen within a test. */
export const fastEnv = (gamePort: number, extra: Record<string, string> = {}) => ({
  AC_HOST: '127.0.0.1',
  AC_PORT: String(gamePort),
  AC_HANDSHAKE_TIMEOUT_MS: '150',
  AC_DATA_TIMEOUT_MS: '250',
  AC_RETRY_INITIAL_MS: '20',
  AC_RETRY_MAX_MS: '200',
  ...extra,
});

export const run = (env: Record<string, string>, opts: RunOptions = {}): Promise<Running> =>
  runCollector('collector-ac', (deps) => startCollectorAc({ ...deps, config: loadCollectorAcConfig(new EnvReader(env)) }), opts);
