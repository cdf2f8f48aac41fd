export {
  pointToFrame,
  columnMapper,
  parseDecimal,
  DEFAULT_SCALES,
  MAX_EXTRAS,
  CAR_NAMES,
  TIME_NAMES,
  type ChannelScales,
  type PointDefaults,
  type PointError,
  type PointRecord,
  type PointResult,
  type PointValue,
} from './point';
export { parseTimestampUs, type TimeResult } from './time';
