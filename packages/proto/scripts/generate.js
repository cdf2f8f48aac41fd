// Generates the static protobufjs module and its typings from ../../proto. The output is written
// next to the sources (for tests and type-checking) and into dist (what `require` loads at run time).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkgDir = path.resolve(__dirname, '..');
const protoRoot = path.resolve(pkgDir, '../../proto');
const protoFiles = ['pitwall/v1/telemetry.proto'].map((f) => path.join(protoRoot, f));
const cli = (name) => require.resolve(`protobufjs-cli/bin/${name}`);

const srcOut = path.join(pkgDir, 'src/generated');
fs.mkdirSync(srcOut, { recursive: true });
const js = path.join(srcOut, 'telemetry.js');
execFileSync(process.execPath, [
  cli('pbjs'), '-t', 'static-module', '-w', 'commonjs', '--force-number', '--no-delimited',
  '--path', protoRoot, '-o', js, ...protoFiles,
], { stdio: 'inherit' });
execFileSync(process.execPath, [cli('pbts'), '-o', path.join(srcOut, 'telemetry.d.ts'), js], { stdio: 'inherit' });

const distOut = path.join(pkgDir, 'dist/generated');
fs.mkdirSync(distOut, { recursive: true });
for (const f of ['telemetry.js', 'telemetry.d.ts']) fs.copyFileSync(path.join(srcOut, f), path.join(distOut, f));
