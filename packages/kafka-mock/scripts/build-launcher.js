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

function pkgConfig(env) {
  try {
    return execFileSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split(/\s+/)
      .filter(Boolean);
  } catch {
    throw new Error(
      'librdkafka development files not found (pkg-config rdkafka failed). Install them: apt-get install librdkafka-dev pkg-config',
    );
  }
}

/** Compiles the launcher unless `output` is newer than the source; `env` lets tests hide the toolchain. */
function build({ output: target = output, env = process.env } = {}) {
  const upToDate = fs.existsSync(target) && fs.statSync(target).mtimeMs >= fs.statSync(source).mtimeMs;
  if (upToDate) return target;
  const flags = pkgConfig(env);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', tmp, source, ...flags], { stdio: ['ignore', 'inherit', 'pipe'], env });
  } catch (err) {
    const stderr = err.stderr ? err.stderr.toString() : String(err);
    throw new Error(`cannot compile ${source} (needs cc and librdkafka-dev): ${stderr.trim()}`);
  }
  // Rename is atomic: parallel test workers building at once never run a half-written binary.
  fs.renameSync(tmp, target);
  return target;
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
