// Test helpers: run the built `tacos` binary (dist/bin.js) as a real child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built CLI entry point under test. */
export const BIN = resolve(__dirname, '..', 'dist', 'bin.js');

/** Result of one finished CLI run. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// Private config dirs made for runs; removed after the test file that made them (jest evaluates this
// module once per test file, so the hook lands in each file's lifecycle).
const configDirs: string[] = [];
afterAll(() => {
  for (const dir of configDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An environment without the caller's TACOS_* / colour settings, with a private config dir. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('TACOS_') || key === 'NO_COLOR' || key === 'FORCE_COLOR') continue;
    env[key] = value;
  }
  env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'tacos-cli-config-'));
  configDirs.push(env.XDG_CONFIG_HOME);
  return { ...env, ...extra };
}

/** Runs `tacos args…` to completion (killed after `timeoutMs`, default 30 s). */
export function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: options.env ?? cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running CLI process (watch, beat, cluster up, server start). */
export interface LongRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when `pattern` appears in stdout or stderr; rejects after `timeoutMs` or if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends a signal and waits for exit (SIGKILL after 15 s). */
  stop(signal?: NodeJS.Signals): Promise<CliRun>;
}

/** Starts `tacos args…` in the background. The caller must `stop()` it. */
export function startCli(args: string[], env: Record<string, string> = cleanEnv()): LongRun {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const closed = new Promise<CliRun>((resolveClose) =>
    child.on('close', (code, signal) => resolveClose({ code, signal, stdout: out, stderr: err })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: async (pattern, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      let exited = false;
      void closed.then(() => {
        exited = true;
      });
      while (!pattern.test(out) && !pattern.test(err)) {
        if (exited) throw new Error(`tacos ${args.join(' ')} exited before printing ${pattern}:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} from tacos ${args.join(' ')}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await closed;
      clearTimeout(timer);
      return result;
    },
  };
}
