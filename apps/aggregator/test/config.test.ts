import { ConfigError, EnvReader } from '@pitwall/config';
import { Source } from '@pitwall/proto';
import { loadAggregatorConfig, type AggregatorConfig } from '../src';
import { sourceName } from '../src/config';

const load = (vars: Record<string, string>): AggregatorConfig => loadAggregatorConfig(new EnvReader(vars));

function configError(vars: Record<string, string>): ConfigError {
  try {
    load(vars);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(vars)}`);
}

describe('aggregator config', () => {
  test('defaults work on a laptop: the shared group, F1 revs to 13,500, other sources use the analysis default', () => {
    const config = load({});
    expect(config.groupId).toBe('pitwall-aggregator');
    expect(config.rpmLimitsBySource).toEqual({ F1: 13_500 });
    expect(config.rpmLimitsByCarModel).toEqual({});
    expect(config.idleEvictMs).toBe(600_000);
    expect(config.snapshotEveryBatches).toBeGreaterThan(0);
  });

  test('rpm limits per car model (matched in lower case) and per source by name', () => {
    const config = load({ AGGREGATOR_RPM_LIMITS: 'GR86=7500, F1=13000', AGGREGATOR_SOURCE_RPM_LIMITS: 'acc=8000,F1=13000' });
    expect(config.rpmLimitsByCarModel).toEqual({ gr86: 7500, f1: 13_000 });
    expect(config.rpmLimitsBySource).toEqual({ ACC: 8000, F1: 13_000 });
    expect(sourceName(Source.SOURCE_F1)).toBe('F1');
    expect(sourceName(Source.SOURCE_UNSPECIFIED)).toBeUndefined();
  });

  test.each([
    [{ AGGREGATOR_RPM_LIMITS: 'GR86=fast' }, 'AGGREGATOR_RPM_LIMITS'],
    [{ AGGREGATOR_RPM_LIMITS: 'GR86=75' }, 'AGGREGATOR_RPM_LIMITS'],
    [{ AGGREGATOR_RPM_LIMITS: 'GR86' }, 'AGGREGATOR_RPM_LIMITS'],
    [{ AGGREGATOR_SOURCE_RPM_LIMITS: 'XBOX=9000' }, 'AGGREGATOR_SOURCE_RPM_LIMITS'],
    [{ AGGREGATOR_TICK_MS: '5' }, 'AGGREGATOR_TICK_MS'],
    [{ AGGREGATOR_IDLE_EVICT_MS: 'soon' }, 'AGGREGATOR_IDLE_EVICT_MS'],
    [{ AGGREGATOR_SNAPSHOT_EVERY_BATCHES: '0' }, 'AGGREGATOR_SNAPSHOT_EVERY_BATCHES'],
    [{ AGGREGATOR_MAX_SESSIONS_PER_PARTITION: '0' }, 'AGGREGATOR_MAX_SESSIONS_PER_PARTITION'],
  ])('%j is refused naming %s', (vars, variable) => {
    expect(configError(vars).variable).toBe(variable);
  });
});
