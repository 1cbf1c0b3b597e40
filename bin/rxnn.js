#!/usr/bin/env node
'use strict';
// The rxnn command runs the compiled build in dist/ (`npm run build`; `npm install` builds it in a checkout).
const { join } = require('node:path');

let cli;
try {
  cli = require(join(__dirname, '..', 'dist', 'src', 'cli', 'main.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('main.js')) {
    process.stderr.write('rxnn: the command is not built (dist/ is missing): run `npm run build`\n');
    process.exit(1);
  }
  throw err;
}
cli.exitOnEpipe();
// Exits once stdout and stderr have drained: a slow pipe gets the whole output.
cli.main(process.argv.slice(2)).then((code) => cli.exitWhenDrained(code));
