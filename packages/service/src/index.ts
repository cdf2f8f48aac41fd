export { Health, type HealthCheck, type HealthReport, type HealthState, type HealthStatus } from './health';
export { opsHandler, startOpsServer, type OpsServer } from './ops-server';
export { runMain, EXIT_CONFIG, type RunOptions, type ServiceContext, type Stoppable } from './run';
