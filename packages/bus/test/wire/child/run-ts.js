// Runs a TypeScript test child in a plain node process, compiled on the fly by @swc/core like jest
// does, with `@pitwall/x` mapped to packages/x/src (jest's moduleNameMapper). Used for consumers that
// a test must SIGKILL: a real process dying, not an in-process stand-in.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const packagesDir = path.resolve(__dirname, '../../../..');

Module._extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@pitwall\/([^/]+)$/.exec(request);
  return resolve.call(this, m ? path.join(packagesDir, m[1], 'src', 'index.ts') : request, ...rest);
};

// Loaded as the main module, so the child's `require.main === module` entry point runs.
const target = path.resolve(process.argv[2]);
process.argv.splice(1, 2, target);
Module._load(target, null, true);
