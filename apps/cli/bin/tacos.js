#!/usr/bin/env node
// The installed `tacos` command. It lives outside dist/ so package managers can link it before the
// first build (pnpm skips bin targets that do not exist yet); the CLI itself is dist/bin.js.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'bin.js');
if (!existsSync(entry)) {
  process.stderr.write(`tacos: ${entry} is missing; build the workspace first (npm run build)\n`);
  process.exitCode = 1;
} else {
  require(entry);
}
