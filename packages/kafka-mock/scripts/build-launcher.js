#!/usr/bin/env node
// Builds bin/mock-kafka from native/mock-kafka.c against the system librdkafka (Debian:
// librdkafka-dev). Also used at run time by startMockCluster when the binary is missing.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'native', 'mock-kafka.c');
const output = path.join(root, 'bin', 'mock-kafka');

function pkgConfig() {
  try {
    return execFileSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  } catch {
    throw new Error(
      'librdkafka development files not found (pkg-config rdkafka failed). Install them: apt-get install librdkafka-dev pkg-config',
    );
  }
}

function build() {
  const upToDate = fs.existsSync(output) && fs.statSync(output).mtimeMs >= fs.statSync(source).mtimeMs;
  if (upToDate) return output;
  const flags = pkgConfig();
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const tmp = `${output}.${process.pid}.tmp`;
  try {
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', tmp, source, ...flags], { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (err) {
    const stderr = err.stderr ? err.stderr.toString() : String(err);
    throw new Error(`cannot compile ${source} (needs cc and librdkafka-dev): ${stderr.trim()}`);
  }
  // Rename is atomic: parallel test workers building at once never run a half-written binary.
  fs.renameSync(tmp, output);
  return output;
}

module.exports = { build, output };

if (require.main === module) {
  try {
    console.log(`mock-kafka launcher: ${build()}`);
  } catch (err) {
    // Only the Kafka wire tests and the Kafka benchmark need the launcher; a machine without
    // librdkafka-dev still builds everything else. startMockCluster repeats this error when used.
    console.warn(`mock-kafka launcher not built: ${err.message}`);
  }
}
