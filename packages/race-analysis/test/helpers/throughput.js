// Measures SessionAnalyzer throughput in a plain Node process, as the aggregator runs it. Inside
// jest every global lookup (Number, Math) goes through the vm context's interceptors and costs
// ~250 ns, which would measure jest rather than the analyzer. TypeScript sources are compiled on
// load with swc (the same transform jest uses). Prints one JSON line: { frames, seconds, rate }.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../../..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const workspace = /^@pitwall\/([^/]+)$/.exec(request);
  return resolve.call(this, workspace ? path.join(root, 'packages', workspace[1], 'src', 'index.ts') : request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const { SessionAnalyzer } = require('../../src/index.ts');
const { stint } = require('./frames.ts');

const frames = stint({
  lengthM: 6020,
  lapTimeS: (i) => 100 + 0.05 * i,
  laps: 20,
  hz: 100,
  counter: 'source',
  extra: (_i, f) => ({
    gLat: Math.sin(6 * Math.PI * f),
    gLon: 0.2,
    rpm: 7000,
    throttle: 0.8,
    brake: 0,
    steer: 0.1,
    fuelKg: 40,
    tyreSurfaceTempC: { rl: 90, rr: 92, fl: 95, fr: 96 },
  }),
});

const warmup = new SessionAnalyzer();
for (const f of frames.slice(0, 20_000)) warmup.ingest(f);
const analyzer = new SessionAnalyzer();
const started = process.hrtime.bigint();
for (const f of frames) analyzer.ingest(f);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(JSON.stringify({ frames: frames.length, seconds, rate: frames.length / seconds }) + '\n');
