// The embedded process starts the app; collector tests, benchmarks and scripts use the game sides.
export { startSimulator, type RunningSimulator, type SimulatorDeps } from './app';
export { loadSimulatorConfig, PROTOCOLS, type Protocol, type SimulatorConfig } from './config';
export { AcServer, type AcServerOptions, type AcSubscriber } from './ac/server';
export { ACC_BROADCAST_PORT, AccServer, type AccClient, type AccCommand, type AccServerOptions, type RecordedCommand } from './acc/server';
export { F1Sender, F1_UDP_PORT, type F1SenderOptions } from './f1/sender';
export { HttpPoster, ingestPoint, type HttpPosterOptions, type HttpPosterStats } from './http';
export { MAX_RIGS, runLoad, startLoad, type LoadOptions, type LoadReport, type LoadRun } from './load';
export { Ticker } from './ticker';
export type { SendObserver, UdpStats } from './udp';
export * from './driving';
