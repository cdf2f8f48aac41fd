// PM2 / CLI entry: `node apps/simulator/dist/main.js` with SIM_* variables (see README). The
// simulator needs no bus, so unlike the collectors it does not ask for KAFKA_BROKERS.
import { runMain } from '@pitwall/service';
import { startSimulator } from './app';
import { loadSimulatorConfig } from './config';

void runMain('simulator', async (ctx) => startSimulator({ ...ctx, config: loadSimulatorConfig(ctx.env) }));
