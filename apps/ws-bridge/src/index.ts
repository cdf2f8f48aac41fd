export { startWsBridge, parseCommand, type WsBridgeDeps, type RunningWsBridge } from './app';
export { loadWsBridgeConfig, type WsBridgeConfig } from './config';
export { benchWsFanout, benchWsLatency, type WsFanoutBenchOptions, type WsLatencyBenchOptions } from './bench';
