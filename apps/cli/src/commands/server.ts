import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import type { Io } from '../context';

/** The flags of `tacos server start`, as `@tacos/server` defines them (shown in help). */
const SERVER_FLAGS: Array<[string, string]> = [
  ['--host <host>', 'address to bind (default 127.0.0.1; env TACOS_HOST)'],
  ['--port <port>', 'HTTP port (default 8848; env TACOS_PORT)'],
  ['--data-dir <dir>', 'data directory (default ~/.tacos; env TACOS_DATA_DIR)'],
  ['--members <a:p,b:p>', 'cluster members, this one included (env TACOS_MEMBERS)'],
  ['--cluster-secret <secret>', 'secret shared by the members (env TACOS_CLUSTER_SECRET)'],
  ['--console-dir <dir>', 'serve the web console from this directory'],
  ['--config <file>', 'configuration file (JSON)'],
];

/** The signature of `runServerCli` exported by `@tacos/server` (docs/contracts.md). */
type RunServerCli = (argv: string[]) => Promise<void>;

/**
 * `tacos server start [flags]`: runs a Tacos server in this process. Every argument after `start` is
 * handed unchanged to `runServerCli(argv)` from `@tacos/server`, which parses flags and `TACOS_*` env,
 * starts, prints its addresses and stops cleanly on SIGINT/SIGTERM. If the installed server package has
 * no `runServerCli`, its `dist/main.js` is run as a child process with the same arguments and signals
 * are forwarded; the CLI exits with the child's exit code.
 */
export function registerServerCommands(program: Command, io: Io, rawArgs: readonly string[]): void {
  const server = program.command('server').description('run a Tacos server');
  const start = server
    .command('start')
    .description('start a server in the foreground (standalone, or a cluster member with --members)')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption('-h, --help', 'show the server flags');
  for (const [flags, text] of SERVER_FLAGS) start.option(flags, text);
  start.addHelpText('after', '\nAll arguments after `start` go to the server unchanged; flags win over TACOS_* env vars.');
  start.action(async () => {
    const index = rawArgs.findIndex((arg, i) => arg === 'start' && rawArgs[i - 1] === 'server');
    const argv = index === -1 ? [] : rawArgs.slice(index + 1);
    await runServer(argv, io);
  });
}

/** Runs the server in-process (runServerCli) or as a child (dist/main.js); see registerServerCommands. */
export async function runServer(argv: string[], io: Io): Promise<void> {
  let entry: string;
  try {
    entry = require.resolve('@tacos/server');
  } catch (error) {
    throw new CliError('REFUSED', 'the @tacos/server package is not installed', { hint: 'install @tacos/server next to @tacos/cli', cause: error });
  }
  const mod = require(entry) as { runServerCli?: unknown };
  if (typeof mod.runServerCli === 'function') {
    await (mod.runServerCli as RunServerCli)(argv);
    return;
  }
  const main = join(dirname(entry), 'main.js');
  if (!existsSync(main)) {
    throw new CliError('REFUSED', `@tacos/server has neither runServerCli nor ${main}`, { hint: 'build @tacos/server first' });
  }
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, [main, ...argv], { stdio: 'inherit', env: io.env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (code !== 0 && code !== null) process.exitCode = code;
      else if (signal && signal !== 'SIGINT' && signal !== 'SIGTERM') process.exitCode = 1;
      resolve();
    });
  });
}
