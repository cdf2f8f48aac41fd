import { ConfigError, type EnvReader } from '@pitwall/config';

/** Units and limits of the mapping: the same for every collector, read from the same variables. */
export interface MappingConfig {
  /** Brake line pressure (bar) that counts as full brake: brake = max(pbrake_f, pbrake_r) / this. */
  brakeFullScaleBar: number;
  /** Steering wheel angle (degrees) that counts as full lock: steer = Steering_Angle / this. Negative flips the sign. */
  steerFullScaleDeg: number;
  /** Most extra (unmodelled) channels one point may carry; a point with more is refused. */
  maxExtras: number;
}

export const DEFAULT_MAPPING: Readonly<MappingConfig> = {
  // GR86 Cup cars peak around 100–130 bar under threshold braking; 100 bar saturates at the top.
  brakeFullScaleBar: 100,
  // GR86 steering: about 2.5 turns lock to lock, so ±450° at the wheel.
  steerFullScaleDeg: 450,
  // A GR Cup export has a few dozen channels; room to spare without an unbounded frame.
  maxExtras: 256,
};

/** `BRAKE_FULL_SCALE_BAR`, `STEER_FULL_SCALE_DEG`, `INGEST_MAX_EXTRAS`, defaults as DEFAULT_MAPPING. */
export function loadMappingConfig(env: EnvReader): MappingConfig {
  const steerFullScaleDeg = env.number('STEER_FULL_SCALE_DEG', { default: DEFAULT_MAPPING.steerFullScaleDeg, min: -3600, max: 3600 });
  if (steerFullScaleDeg === 0) throw new ConfigError('STEER_FULL_SCALE_DEG', 'a non-zero angle in degrees', '0');
  return {
    brakeFullScaleBar: env.number('BRAKE_FULL_SCALE_BAR', { default: DEFAULT_MAPPING.brakeFullScaleBar, min: 0.1, max: 1000 }),
    steerFullScaleDeg,
    maxExtras: env.int('INGEST_MAX_EXTRAS', { default: DEFAULT_MAPPING.maxExtras, min: 0, max: 10_000 }),
  };
}
