import { resolve } from 'node:path';
import { TacosClientError, TacosHttpError, TacosUnreachableError } from '@tacos/client';
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT_CODES } from './cli-error';
import { registerAuthCommands } from './commands/auth';
import { registerBenchCommand } from './commands/bench';
import { registerClusterCommands } from './commands/cluster';
import { registerInstanceCommands } from './commands/instance';
import { registerLoginCommands } from './commands/login';
import { registerNamespaceCommands } from './commands/namespace';
import { registerServerCommands } from './commands/server';
import { registerServiceCommands } from './commands/service';
import { registerWatchCommand } from './commands/watch';
import { completionScript } from './completion';
import type { Io } from './context';
import { OUTPUT_FORMATS, Output } from './output';
import { intArg } from './parse';

/** The CLI's version (from package.json at build time of this file). */
export const CLI_VERSION = '0.1.0';

/** Options of {@link buildProgram}. */
export interface ProgramOptions {
  io: Io;
  /** The raw arguments (without node and script), for commands that pass them through. */
  rawArgs: readonly string[];
  /** The path of the `tacos` entry script, used to spawn nodes in `cluster up`. */
  binPath: string;
}

/**
 * Builds the `tacos` command tree (commander). Usage errors and help/version output go through
 * `exitOverride`, so {@link main} decides the exit code; nothing here calls `process.exit`.
 */
export function buildProgram({ io, rawArgs, binPath }: ProgramOptions): Command {
  const program = new Command('tacos')
    .description('Run and operate Tacos, a Nacos-compatible service registry.')
    .version(CLI_VERSION, '-V, --version')
    .option('-s, --server <addr[,addr]>', 'server address(es); env TACOS_SERVER (default 127.0.0.1:8848)')
    .option('-n, --namespace <id>', 'namespace id; env TACOS_NAMESPACE (default public)')
    .option('-g, --group <name>', 'group name; env TACOS_GROUP (default DEFAULT_GROUP)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('-q, --quiet', 'print only results and errors')
    .option('--no-color', 'never use colour (also NO_COLOR)')
    .option('--timeout <ms>', 'per-request timeout in ms', intArg(100, 600_000), 5000)
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 the server said no, 2 usage error, 3 cannot reach the server.\nDocs: apps/cli/README.md',
    );

  registerServerCommands(program, io, rawArgs);
  registerClusterCommands(program, io, binPath);
  registerServiceCommands(program, io);
  registerInstanceCommands(program, io);
  registerWatchCommand(program, io);
  registerNamespaceCommands(program, io);
  registerLoginCommands(program, io);
  registerAuthCommands(program, io);
  registerBenchCommand(program, io, rawArgs);

  program
    .command('completion')
    .description('print a shell completion script (bash or zsh)')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') throw new CliError('USAGE', `unsupported shell "${shell}"`, { hint: 'use bash or zsh' });
      io.stdout.write(completionScript(program, shell));
    });

  // Apply to every command so nested usage errors reach main() too.
  const configure = (command: Command) => {
    command.exitOverride();
    command.configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
    command.showHelpAfterError('(run with --help for usage)');
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  return program;
}

/**
 * Runs `tacos` with `args` (without node and script path) and resolves with the exit code:
 * 0 ok, 1 the server said no (or the operation failed), 2 usage error, 3 no server reachable.
 * Errors are printed to stderr with a hint. Never calls `process.exit`; long-running commands (server
 * start, cluster up, watch, instance beat) resolve when they are done.
 */
export async function main(args: readonly string[], io?: Partial<Io>, binPath?: string): Promise<number> {
  const fullIo: Io = {
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    env: io?.env ?? process.env,
  };
  const program = buildProgram({ io: fullIo, rawArgs: args, binPath: binPath ?? resolve(__dirname, 'bin.js') });
  try {
    await program.parseAsync([...args], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODES.OK;
  } catch (error) {
    return reportError(error, fullIo, args);
  }
}

function reportError(error: unknown, io: Io, args: readonly string[]): number {
  if (error instanceof CommanderError) {
    // Help and version are "errors" only to commander.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_CODES.OK;
    // `commander.help` with a non-zero exit code: a command group was called without a subcommand.
    if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT_CODES.OK : EXIT_CODES.USAGE;
    return EXIT_CODES.USAGE;
  }
  const noColor = args.includes('--no-color') || 'NO_COLOR' in io.env;
  const out = new Output({ format: 'table', quiet: false, color: !noColor && io.stderr.isTTY === true, stdout: io.stdout, stderr: io.stderr });
  if (error instanceof CliError) {
    out.error(error.message, error.hint);
    return EXIT_CODES[error.code];
  }
  if (error instanceof TacosUnreachableError) {
    const tried = error.attempts.map((a) => `  ${a.address}: ${a.reason}`).join('\n');
    out.error(`cannot reach the Tacos server; tried:\n${tried}`, 'is the server running? set the address with --server host:port or TACOS_SERVER');
    return EXIT_CODES.UNREACHABLE;
  }
  if (error instanceof TacosHttpError) {
    out.error(`the server said no (HTTP ${error.status} on ${error.method} ${stripQuery(error.url)}): ${error.body.trim() || '(empty answer)'}`, hintFor(error));
    return EXIT_CODES.REFUSED;
  }
  if (error instanceof TacosClientError) {
    out.error(error.message);
    return EXIT_CODES.REFUSED;
  }
  out.error(error instanceof Error ? error.message : String(error));
  return EXIT_CODES.REFUSED;
}

function stripQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}

function hintFor(error: TacosHttpError): string | undefined {
  if (error.status === 401 || error.status === 403) return 'log in with `tacos login --username NAME`, or check the user\'s permissions';
  if (error.status === 404) return 'check the name, --group and --namespace; `tacos service list` shows what exists';
  if (error.status === 501) return 'this server does not implement that endpoint';
  if (error.status === 503) return 'the server is not ready (starting, or no Raft leader); try again shortly';
  if (error.status >= 500) return 'the server failed; its log has the details';
  return undefined;
}
