// `node apps/simulator/dist/load-cli.js --rigs 10 --cars 22 --rate 60 --seconds 30 --port 20777`:
// one bounded F1 load run against a collector, printing the report as one JSON line.
import { parseArgs } from 'node:util';
import { PACKET_FORMATS, type PacketFormat } from '@pitwall/f1-udp';
import { runLoad } from './load';

const usage = 'usage: load-cli --port <n> [--host 127.0.0.1] [--rigs 1] [--cars 22] [--rate 60] [--format 2025] (--seconds <s> | --steps <n>) [--seed 1]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      rigs: { type: 'string', default: '1' },
      cars: { type: 'string', default: '22' },
      rate: { type: 'string', default: '60' },
      format: { type: 'string', default: '2025' },
      seconds: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const int = (name: keyof typeof values, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a non-negative number, got ${JSON.stringify(v)}\n${usage}`);
    return n;
  };
  const format = int('format', values.format)!;
  if (!PACKET_FORMATS.includes(format as PacketFormat)) throw new Error(`--format: expected one of ${PACKET_FORMATS.join(', ')}\n${usage}`);
  const port = int('port', values.port);
  if (port === undefined) throw new Error(`--port is required\n${usage}`);
  const seconds = int('seconds', values.seconds);
  const report = await runLoad({
    host: values.host,
    port,
    rigs: int('rigs', values.rigs)!,
    cars: int('cars', values.cars)!,
    rateHz: int('rate', values.rate)!,
    format: format as PacketFormat,
    durationMs: seconds === undefined ? undefined : seconds * 1000,
    steps: int('steps', values.steps),
    seed: int('seed', values.seed),
  });
  process.stdout.write(`${JSON.stringify({ ...report, sessionUids: report.sessionUids.map(String) })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
});
