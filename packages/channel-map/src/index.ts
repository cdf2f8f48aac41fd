export { ChannelMapper, type MapperOptions, type PointDefaults, type PointResult, type RowMapper, type SequenceSource } from './mapper';
export { DEFAULT_MAPPING, loadMappingConfig, type MappingConfig } from './config';
export { CAR_NAMES, TIME_NAMES, isKnownField } from './fields';
export { parseDecimal, PointError, type PointRecord, type PointValue } from './values';
export { parseTimestampUs, type TimeResult } from './time';
