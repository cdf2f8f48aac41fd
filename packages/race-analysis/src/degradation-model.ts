/**
 * Online tyre-degradation model for one car: recursive least squares, fitted lap by lap.
 *
 *   lap_time = b0 + b1 · tyre_age_laps + b2 · cumulative_stress / stress_ref
 *
 * tyre_age_laps and the cumulative stress are taken at the start of the lap, stress_ref is the
 * stress of the first fitted lap (so both regressors count "laps' worth" and share a scale). Within
 * one stint the two are nearly collinear; only their sum matters for the prediction, and the
 * prior (a ridge penalty) keeps the split well-behaved. See README "Degradation model".
 */

export interface DegradationConfig {
  /** RLS forgetting factor: the weight of a lap halves after ln 2 / (1 − λ) laps. */
  forgetting: number;
  /** Prior standard deviation of the two slopes, s/lap (ridge strength). */
  priorSlopeSd: number;
  /** Prior standard deviation of the intercept, s. */
  priorInterceptSd: number;
  /** Prior lap-time noise standard deviation, s, and its weight in pseudo-laps. */
  priorNoiseSd: number;
  priorNoiseWeight: number;
  /** Laps slower than the best fitted lap by more than this share are not fitted (traffic, yellow). */
  slowLapShare: number;
  /** After this many fitted laps, a residual beyond max(sigmas·σ, floor) is an outlier. */
  outlierSigmas: number;
  outlierFloorS: number;
  minLapsForOutlierGate: number;
  /** Consecutive outliers after which the next lap is fitted anyway: the pace has really moved. */
  maxRejectedInARow: number;
  /** Smoothing of the recent lap stress used to turn the stress slope into s/lap. */
  stressSmoothing: number;
  /** Below this loss per lap, the model reports no degradation (no laps_until_0_5s_loss). */
  minLossPerLapS: number;
  /** Loss per lap at which the confidence's precision term is one half. */
  confidenceScaleS: number;
}

export const DEFAULT_DEGRADATION: DegradationConfig = {
  forgetting: 0.98,
  priorSlopeSd: 0.5,
  priorInterceptSd: 10,
  priorNoiseSd: 0.1,
  priorNoiseWeight: 2,
  slowLapShare: 0.07,
  outlierSigmas: 4,
  outlierFloorS: 0.3,
  minLapsForOutlierGate: 3,
  maxRejectedInARow: 2,
  stressSmoothing: 0.3,
  minLossPerLapS: 0.005,
  confidenceScaleS: 0.05,
};

/** Plain-JSON state (snapshot-safe: numbers and number arrays only). */
export interface DegradationState {
  theta: number[];
  p: number[];
  fitted: number;
  excluded: number;
  rejectedInARow: number;
  resets: number;
  bestLapS: number;
  stressRef: number;
  stressRecent: number;
  residualSum: number;
  residualWeight: number;
}

export interface LapObservation {
  lapTimeS: number;
  tyreAgeLaps: number;
  cumulativeStressAtStart: number;
  lapStress: number;
}

export type FitOutcome = 'fitted' | 'slow-lap' | 'outlier' | 'restarted' | 'not-finite';

export interface DegradationEstimate {
  lossPerLapS: number;
  lapsUntilHalfSecond: number | undefined;
  confidence: number;
  ageContributionS: number;
  stressContributionS: number;
  fittedLaps: number;
  standardErrorS: number;
}

const N = 3;

export function initialDegradationState(): DegradationState {
  return {
    theta: [0, 0, 0],
    p: [0, 0, 0, 0, 0, 0, 0, 0, 0],
    fitted: 0,
    excluded: 0,
    rejectedInARow: 0,
    resets: 0,
    bestLapS: Number.NaN,
    stressRef: Number.NaN,
    stressRecent: Number.NaN,
    residualSum: 0,
    residualWeight: 0,
  };
}

function finite(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

export class DegradationModel {
  private readonly x = new Float64Array(N);
  private readonly px = new Float64Array(N);

  constructor(
    private readonly config: DegradationConfig,
    readonly state: DegradationState = initialDegradationState(),
  ) {}

  /** Fit one clean lap; returns whether it was used and, if not, why. */
  observe(obs: LapObservation): FitOutcome {
    const s = this.state;
    if (!Number.isFinite(obs.lapTimeS) || obs.lapTimeS <= 0 || !Number.isFinite(obs.cumulativeStressAtStart) || !Number.isFinite(obs.lapStress)) {
      s.excluded++;
      return 'not-finite';
    }
    if (s.fitted > 0 && obs.lapTimeS * (1 + this.config.slowLapShare) < s.bestLapS) {
      // Much faster than everything fitted so far: the earlier laps were the outliers (a slow
      // first lap, a yellow flag stint). Start over from this lap rather than fit a cliff.
      this.reset();
      this.observeFirst(obs);
      return 'restarted';
    }
    if (s.fitted === 0) {
      this.observeFirst(obs);
      return 'fitted';
    }
    if (obs.lapTimeS > s.bestLapS * (1 + this.config.slowLapShare)) {
      s.excluded++;
      return 'slow-lap';
    }
    this.features(obs);
    const residual = obs.lapTimeS - this.dot(s.theta);
    // Innovation variance is σ²·(1 + xᵀPx): a lap far from where the model has data is allowed
    // a larger miss before it counts as an outlier.
    const spread = 1 + this.quadratic();
    if (s.fitted >= this.config.minLapsForOutlierGate && s.rejectedInARow < this.config.maxRejectedInARow) {
      const gate = Math.max(this.config.outlierSigmas * this.sigma() * Math.sqrt(spread), this.config.outlierFloorS);
      if (Math.abs(residual) > gate) {
        s.excluded++;
        s.rejectedInARow++;
        return 'outlier';
      }
    }
    this.update(residual);
    if (!this.isFinite()) {
      this.reset();
      s.excluded++;
      return 'not-finite';
    }
    s.fitted++;
    s.rejectedInARow = 0;
    s.bestLapS = Math.min(s.bestLapS, obs.lapTimeS);
    this.trackStress(obs.lapStress);
    const lambda = this.config.forgetting;
    s.residualSum = lambda * s.residualSum + (residual * residual) / spread;
    s.residualWeight = lambda * s.residualWeight + 1;
    return 'fitted';
  }

  estimate(): DegradationEstimate {
    const s = this.state;
    const cfg = this.config;
    if (s.fitted === 0) {
      return { lossPerLapS: 0, lapsUntilHalfSecond: undefined, confidence: 0, ageContributionS: 0, stressContributionS: 0, fittedLaps: 0, standardErrorS: 0 };
    }
    const stressPerLap = s.stressRef > 0 && Number.isFinite(s.stressRecent) ? s.stressRecent / s.stressRef : 1;
    const age = finite(s.theta[1]!, 0);
    const stress = finite(s.theta[2]! * stressPerLap, 0);
    const loss = age + stress;
    // Variance of the loss rate c·θ with c = (0, 1, stressPerLap): σ² · cᵀ P c.
    const p = s.p;
    const c1 = 1;
    const c2 = stressPerLap;
    const quad = c1 * c1 * p[4]! + 2 * c1 * c2 * p[5]! + c2 * c2 * p[8]!;
    const se = finite(Math.sqrt(Math.max(0, quad)) * this.sigma(), 0);
    const sampleTerm = 1 - Math.exp(-(s.fitted - 1) / 4);
    const precisionTerm = 1 / (1 + se / cfg.confidenceScaleS);
    const confidence = Math.min(1, Math.max(0, finite(sampleTerm * precisionTerm, 0)));
    const lapsUntil = loss > cfg.minLossPerLapS ? Math.min(999, 0.5 / loss) : undefined;
    return {
      lossPerLapS: loss,
      lapsUntilHalfSecond: lapsUntil,
      confidence,
      ageContributionS: age,
      stressContributionS: stress,
      fittedLaps: s.fitted,
      standardErrorS: se,
    };
  }

  private observeFirst(obs: LapObservation): void {
    const s = this.state;
    const cfg = this.config;
    s.stressRef = obs.lapStress > 0 ? obs.lapStress : 1;
    s.theta[0] = obs.lapTimeS;
    s.theta[1] = 0;
    s.theta[2] = 0;
    s.p.fill(0);
    s.p[0] = cfg.priorInterceptSd * cfg.priorInterceptSd;
    s.p[4] = cfg.priorSlopeSd * cfg.priorSlopeSd;
    s.p[8] = cfg.priorSlopeSd * cfg.priorSlopeSd;
    // Anchor the intercept at this lap's tyre age so the first lap is fitted exactly.
    this.features(obs);
    s.theta[0] = obs.lapTimeS;
    this.update(0);
    s.fitted = 1;
    s.bestLapS = obs.lapTimeS;
    s.stressRecent = Number.NaN;
    this.trackStress(obs.lapStress);
    s.residualSum = 0;
    s.residualWeight = 0;
    s.rejectedInARow = 0;
  }

  private reset(): void {
    const s = this.state;
    const resets = s.resets + 1;
    const excluded = s.excluded;
    Object.assign(s, initialDegradationState());
    s.resets = resets;
    s.excluded = excluded;
  }

  private features(obs: LapObservation): void {
    this.x[0] = 1;
    this.x[1] = obs.tyreAgeLaps;
    this.x[2] = obs.cumulativeStressAtStart / this.state.stressRef;
  }

  /** xᵀPx for the current features. */
  private quadratic(): number {
    const p = this.state.p;
    const x = this.x;
    let sum = 0;
    for (let i = 0; i < N; i++) sum += x[i]! * (p[i * N]! * x[0]! + p[i * N + 1]! * x[1]! + p[i * N + 2]! * x[2]!);
    return sum > 0 && Number.isFinite(sum) ? sum : 0;
  }

  private dot(v: number[]): number {
    return v[0]! * this.x[0]! + v[1]! * this.x[1]! + v[2]! * this.x[2]!;
  }

  /** One RLS step with forgetting: k = Px/(λ + xᵀPx); θ += k·e; P = (P − k xᵀP)/λ. */
  private update(residual: number): void {
    const s = this.state;
    const p = s.p;
    const x = this.x;
    const px = this.px;
    const lambda = this.config.forgetting;
    for (let i = 0; i < N; i++) px[i] = p[i * N]! * x[0]! + p[i * N + 1]! * x[1]! + p[i * N + 2]! * x[2]!;
    const denom = lambda + x[0]! * px[0]! + x[1]! * px[1]! + x[2]! * px[2]!;
    if (!(denom > 0) || !Number.isFinite(denom)) return;
    for (let i = 0; i < N; i++) s.theta[i] = s.theta[i]! + (px[i]! / denom) * residual;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) p[i * N + j] = (p[i * N + j]! - (px[i]! * px[j]!) / denom) / lambda;
    }
    this.boundCovariance();
  }

  /**
   * Forgetting inflates P in directions the data never excites (age and stress move together
   * within a stint), which would wind up without bound. Cap each variance at its prior by a
   * diagonal congruence D·P·D, which keeps P symmetric positive semi-definite.
   */
  private boundCovariance(): void {
    const p = this.state.p;
    const cfg = this.config;
    const priors = [cfg.priorInterceptSd ** 2, cfg.priorSlopeSd ** 2, cfg.priorSlopeSd ** 2];
    for (let i = 0; i < N; i++) {
      const v = p[i * N + i]!;
      if (v <= priors[i]!) continue;
      const scale = Math.sqrt(priors[i]! / v);
      for (let j = 0; j < N; j++) {
        p[i * N + j] = p[i * N + j]! * scale;
        p[j * N + i] = p[j * N + i]! * scale;
      }
    }
  }

  private trackStress(lapStress: number): void {
    const s = this.state;
    if (!(lapStress >= 0) || !Number.isFinite(lapStress)) return;
    const a = this.config.stressSmoothing;
    s.stressRecent = Number.isFinite(s.stressRecent) ? (1 - a) * s.stressRecent + a * lapStress : lapStress;
  }

  private sigma(): number {
    const s = this.state;
    const cfg = this.config;
    const variance = (s.residualSum + cfg.priorNoiseWeight * cfg.priorNoiseSd ** 2) / (s.residualWeight + cfg.priorNoiseWeight);
    return Math.sqrt(finite(variance, cfg.priorNoiseSd ** 2));
  }

  private isFinite(): boolean {
    const s = this.state;
    return s.theta.every(Number.isFinite) && s.p.every(Number.isFinite);
  }
}
