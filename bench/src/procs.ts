import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';

/** Whether `taskset` exists and the machine has at least two cores to split between server and load. */
export function canPin(): boolean {
  const probe = spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  return probe.status === 0 && availableCores() >= 2;
}

/** Cores on the machine, not those this process may use (it may already be pinned to one). */
function availableCores(): number {
  return cpus().length;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS); undefined if unreadable. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A server process started by a {@link ProcessGroup}. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Output so far (stdout and stderr, last 64 KiB), for error messages. */
  output(): string;
  /** Whether it has exited. */
  hasExited(): boolean;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
  /** SIGSTOP: the process takes no CPU until {@link resume}. No-op once it exited. */
  pause(): void;
  /** SIGCONT after {@link pause}. */
  resume(): void;
}

/** Options for {@link ProcessGroup.spawn}. */
export interface SpawnOptions {
  /** CPU list for taskset (e.g. "0"); the process runs unpinned when pinning is unavailable. */
  cpu?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * Owns every server process the benchmark starts, so all of them are stopped at the end, on
 * Ctrl-C and on errors. `taskset -c CPU cmd` execs `cmd`, so the child's pid is the server's pid
 * (which RSS readings rely on).
 */
export class ProcessGroup {
  private readonly procs = new Set<ManagedProcess>();
  private readonly dirs = new Set<string>();

  /** Registers a temp dir to remove in {@link stopAll} (after the processes using it stopped). */
  trackDir(dir: string): string {
    this.dirs.add(dir);
    return dir;
  }

  constructor(private readonly pin: boolean) {}

  spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
    const [cmd, argv] =
      this.pin && options.cpu !== undefined ? ['taskset', ['-c', options.cpu, command, ...args]] : [command, args];
    const child = spawn(cmd, argv, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const append = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.length > OUTPUT_LIMIT) log = log.slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let exited = false;
    let paused = false;
    const exit = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        resolve();
      });
      child.once('error', (error) => {
        append(Buffer.from(`spawn failed: ${error.message}\n`));
        exited = true;
        resolve();
      });
    });
    const managed: ManagedProcess = {
      name,
      child,
      output: () => log,
      hasExited: () => exited,
      pause: () => {
        if (exited || paused) return;
        paused = child.kill('SIGSTOP');
      },
      resume: () => {
        if (!paused) return;
        paused = false;
        if (!exited) child.kill('SIGCONT');
      },
      stop: async (graceMs = 5_000) => {
        if (!exited) {
          child.kill('SIGTERM');
          // A paused process only acts on the SIGTERM once continued.
          if (paused) managed.resume();
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exit;
          clearTimeout(timer);
        }
        this.procs.delete(managed);
      },
    };
    this.procs.add(managed);
    return managed;
  }

  /** Stops every process still running, in parallel, then removes the tracked temp dirs. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.procs].map((p) => p.stop()));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.dirs.clear();
  }

  /** Last resort on process exit: SIGKILL whatever is left, synchronously. */
  killAllNow(): void {
    for (const p of this.procs) {
      if (!p.hasExited()) p.child.kill('SIGKILL');
    }
    this.procs.clear();
  }
}

/**
 * Polls `check` until it resolves true, failing at once (with the process's output) if `proc`
 * exits first, or after `timeoutMs`. A throwing check counts as "not yet" until the deadline.
 */
export async function waitReady(
  proc: ManagedProcess,
  check: () => Promise<boolean>,
  { timeoutMs, intervalMs = 100, what }: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (proc.hasExited()) {
      throw new Error(`${proc.name} exited before it was ready:\n${proc.output().trimEnd().split('\n').slice(-20).join('\n')}`);
    }
    try {
      if (await check()) return;
      last = 'not ready';
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
