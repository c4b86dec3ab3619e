// `npm run cluster`: install (once), build (cached), then run a local 3-node Tacos cluster on
// 127.0.0.1 in the foreground (`tacos cluster up --nodes 3`); it prints the member addresses and
// Ctrl-C stops all three. Flags after `--` are passed on (e.g. `-- --base-port 28848 --nodes 5`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, ensureInstalled, turbo } from './workspace.mjs';

ensureInstalled();
turbo(['build']);

const args = process.argv.slice(2);
const cli = join(ROOT, 'apps', 'cli', 'dist', 'bin.js');
const child = spawn(process.execPath, [cli, 'cluster', 'up', ...(args.includes('--nodes') ? [] : ['--nodes', '3']), ...args], {
  cwd: ROOT,
  stdio: 'inherit',
});
// The CLI stops its nodes on SIGINT/SIGTERM; pass ours on and exit with its code.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
