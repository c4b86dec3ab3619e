#!/usr/bin/env node
// The installed `tacos-server` command. It lives outside dist/ so package managers can link it before
// the first build (pnpm skips bin targets that do not exist yet); the server itself is dist/main.js.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`tacos-server: ${entry} is missing; build the workspace first (npm run build)\n`);
  process.exitCode = 1;
} else {
  require(entry);
}
