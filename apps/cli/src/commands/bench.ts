import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import type { Io } from '../context';

/** Where the benchmark runner sits in a Tacos source checkout, relative to this file in dist/commands. */
export function benchRunnerPath(): string {
  return resolve(__dirname, '..', '..', '..', '..', 'bench', 'dist', 'run.js');
}

/**
 * `tacos bench [options]`: runs the benchmark suite of a Tacos source checkout (`bench/dist/run.js`,
 * the same as `npm run bench -- [options]`) with every argument after `bench` unchanged, in the
 * foreground; signals are forwarded and the CLI exits with the runner's exit code. Outside a checkout
 * (an installed CLI) it fails with exit 1 and says where to run it.
 */
export function registerBenchCommand(program: Command, io: Io, rawArgs: readonly string[]): void {
  program
    .command('bench')
    .description('run the benchmark scenarios of a source checkout (all arguments go to the runner; try --help)')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(async () => {
      const runner = benchRunnerPath();
      if (!existsSync(runner)) {
        throw new CliError('REFUSED', `the benchmark runner ${runner} is missing`, {
          hint: 'benchmarks run from a Tacos source checkout: `npm run bench` (it builds first)',
        });
      }
      const index = rawArgs.indexOf('bench');
      const args = index === -1 ? [] : rawArgs.slice(index + 1);
      await new Promise<void>((resolveRun) => {
        const child = spawn(process.execPath, [runner, ...args], { stdio: 'inherit', env: io.env, cwd: resolve(runner, '..', '..', '..') });
        const forward = (signal: NodeJS.Signals) => child.kill(signal);
        process.on('SIGINT', forward);
        process.on('SIGTERM', forward);
        child.on('exit', (code, signal) => {
          process.off('SIGINT', forward);
          process.off('SIGTERM', forward);
          if (code !== 0) process.exitCode = code ?? (signal ? 1 : 0);
          resolveRun();
        });
      });
    });
}
