export { SessionAnalyzer, type AnalyzerSnapshot, type AnalyzerStats, type SessionAnalyzerOptions } from './session-analyzer';
export { CarAnalyzer, type CarSnapshot, type CarStats, type Output } from './car-analyzer';
export { analysisConfig, DEFAULT_ANALYSIS, type AnalysisConfig, type AnalysisConfigOverrides } from './config';
export { lookupTrack, knownTracks, normaliseTrackName, sectorStartsM, type TrackInfo } from './tracks';
export { DEFAULT_TYRE_STRESS, stressRate, speedWeight, temperatureWeight, type TyreStressConfig } from './tyre-stress';
export { DegradationModel, DEFAULT_DEGRADATION, type DegradationConfig, type DegradationEstimate, type LapObservation } from './degradation-model';
export { ALERT_CODES, DEFAULT_ALERTS, type AlertCode, type AlertConfig } from './alerts';
export { DEFAULT_LAP_TRACKER, type LapTrackerConfig } from './lap-tracker';
export { SnapshotError } from './snapshot';
