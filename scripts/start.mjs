// `npm start`: install (once), build (cached), then run a standalone Tacos server in the foreground.
// Flags after `--` are passed to `tacos server start`; TACOS_PORT, TACOS_HOST and TACOS_DATA_DIR work too.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT, ensureInstalled, turbo } from './workspace.mjs';

ensureInstalled();
turbo(['build']);

const cli = join(ROOT, 'apps', 'cli', 'dist', 'bin.js');
// The server's Node flags (a larger young generation; see packages/server/src/node-flags.ts).
const { SERVER_NODE_FLAGS } = createRequire(import.meta.url)(join(ROOT, 'packages', 'server', 'dist', 'node-flags.js'));
const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, cli, 'server', 'start', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
