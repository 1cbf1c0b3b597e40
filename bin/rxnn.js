#!/usr/bin/env node
'use strict';
// The rxnn command: in a checkout it runs the TypeScript sources through ts-node (type checking is
// `npm run typecheck`'s job), so a stale build can never run; a published package without src/ runs dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'src', 'cli', 'main.js');
let cli;
if (!existsSync(join(root, 'src', 'cli', 'main.ts')) && existsSync(built)) {
  cli = require(built);
} else {
  require('ts-node').register({ transpileOnly: true, project: join(root, 'tsconfig.json') });
  cli = require(join(root, 'src', 'cli', 'main.ts'));
}
cli.exitOnEpipe();
cli.main(process.argv.slice(2)).then((code) => process.exit(code));
