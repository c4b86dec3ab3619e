import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { freePort } from './ports';
import { tempDir } from './temp-dir';
import { waitFor } from './wait';

/** Where the server's entry point is; override with TACOS_SERVER_BIN. */
export function serverBinPath(): string {
  return process.env.TACOS_SERVER_BIN ?? resolve(__dirname, '..', '..', 'server', 'dist', 'main.js');
}

/** Options for {@link startTacos}. */
export interface StartTacosOptions {
  /** Data directory; a new temp dir when omitted. Reuse one to test restarts. */
  dataDir?: string;
  /** Port; a free one when omitted. */
  port?: number;
  /** Extra command-line flags for the server. */
  args?: string[];
  /** Extra environment variables (TACOS_* from the test's own environment are not passed on). */
  env?: Record<string, string>;
  /** How long to wait for readiness (default 30 s). */
  readyTimeoutMs?: number;
}

/** A real Tacos server process on 127.0.0.1, started by {@link startTacos}. */
export interface TacosProcess {
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly dataDir: string;
  /** The current child's pid (changes on restart). */
  pid(): number;
  /** Everything the process printed so far (stdout and stderr interleaved), for failure messages. */
  output(): string;
  /** Sends a signal and waits for the process to exit (SIGKILL for a crash, SIGTERM for a clean stop). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal without waiting (SIGSTOP / SIGCONT). */
  signal(signal: NodeJS.Signals): void;
  /** Starts the process again with the same port, data dir and flags, and waits for readiness. */
  restart(): Promise<void>;
  /** Clean stop (SIGTERM, SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
}

/** GETs a URL on loopback and resolves with the status, or rejects on connection errors. */
function getStatus(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Starts a real server process (`node packages/server/dist/main.js`) on 127.0.0.1 and resolves once
 * `GET /nacos/v1/console/health/readiness` answers 200. Rejects with the process output if it exits
 * or is not ready in time. The caller must `stop()` it (e.g. in afterAll).
 */
export async function startTacos(options: StartTacosOptions = {}): Promise<TacosProcess> {
  const bin = serverBinPath();
  if (!existsSync(bin)) throw new Error(`server entry point ${bin} is missing: build @tacos/server first`);
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? tempDir('tacos-data-');
  const url = `http://${host}:${port}`;
  const args = [bin, '--host', host, '--port', String(port), '--data-dir', dataDir, ...(options.args ?? [])];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('TACOS_')) env[key] = value;
  }
  Object.assign(env, options.env);

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const launch = async () => {
    const current = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = current;
    current.stdout?.on('data', (chunk) => {
      log += chunk;
    });
    current.stderr?.on('data', (chunk) => {
      log += chunk;
    });
    exited = new Promise((resolveExit) => current.once('exit', () => resolveExit()));
    let exitedEarly = false;
    void exited.then(() => {
      exitedEarly = true;
    });
    await waitFor(
      async () => {
        if (exitedEarly) throw new Error(`server exited before it was ready:\n${log}`);
        return (await getStatus(`${url}/nacos/v1/console/health/readiness`)) === 200;
      },
      { timeoutMs: options.readyTimeoutMs ?? 30_000, intervalMs: 50, what: `Tacos on ${url} to be ready` },
    ).catch((error: Error) => {
      current.kill('SIGKILL');
      throw new Error(`${error.message}\n--- server output ---\n${log}`);
    });
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };

  await launch();
  return {
    host,
    port,
    url,
    dataDir,
    pid: () => child?.pid ?? -1,
    output: () => log,
    kill,
    signal: (signal) => {
      child?.kill(signal);
    },
    restart: async () => {
      await kill('SIGKILL');
      await launch();
    },
    stop: async () => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await kill('SIGTERM');
      clearTimeout(timer);
    },
  };
}

/** Repo-relative helper for tests that need to run another built binary. */
export function repoPath(...parts: string[]): string {
  return join(resolve(__dirname, '..', '..', '..'), ...parts);
}
