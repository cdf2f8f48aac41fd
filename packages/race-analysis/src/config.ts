/** Every threshold of the analysis in one object, with defaults and a partial override merge. */
import { DEFAULT_ALERTS, type AlertConfig } from './alerts';
import { DEFAULT_DEGRADATION, type DegradationConfig } from './degradation-model';
import { DEFAULT_LAP_TRACKER, type LapTrackerConfig } from './lap-tracker';
import { DEFAULT_TYRE_STRESS, type TyreStressConfig } from './tyre-stress';

export interface AnalysisConfig {
  laps: LapTrackerConfig;
  tyreStress: TyreStressConfig;
  degradation: DegradationConfig;
  alerts: AlertConfig;
  /** Source time going back by more than this (with a newer sequence) is a source clock restart. */
  clockResetUs: number;
}

export type AnalysisConfigOverrides = {
  [K in keyof AnalysisConfig]?: AnalysisConfig[K] extends object ? Partial<AnalysisConfig[K]> : AnalysisConfig[K];
};

export const DEFAULT_ANALYSIS: AnalysisConfig = {
  laps: DEFAULT_LAP_TRACKER,
  tyreStress: DEFAULT_TYRE_STRESS,
  degradation: DEFAULT_DEGRADATION,
  alerts: DEFAULT_ALERTS,
  clockResetUs: 5_000_000,
};

export function analysisConfig(overrides: AnalysisConfigOverrides = {}): AnalysisConfig {
  return {
    laps: { ...DEFAULT_LAP_TRACKER, ...overrides.laps },
    tyreStress: { ...DEFAULT_TYRE_STRESS, ...overrides.tyreStress },
    degradation: { ...DEFAULT_DEGRADATION, ...overrides.degradation },
    alerts: { ...DEFAULT_ALERTS, ...overrides.alerts },
    clockResetUs: overrides.clockResetUs ?? DEFAULT_ANALYSIS.clockResetUs,
  };
}
