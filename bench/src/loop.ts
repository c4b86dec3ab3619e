import { performance } from 'node:perf_hooks';
import { LatencyRecorder, type LatencySummary } from './stats';

/**
 * One request of a scenario, issued on connection `connection` (0-based). `seq` is unique across
 * the warm-up and measured phases of one loop, so scenarios can derive distinct instances from it.
 * Resolves when the server answered successfully; rejects on any failure.
 */
export type Op = (connection: number, seq: number) => Promise<void>;

/** Bounds and shape of one closed-loop run. Every phase stops at its time OR count bound. */
export interface ClosedLoopOptions {
  /** Concurrent connections, each with at most one request in flight. */
  connections: number;
  /** Warm-up phase (not measured): time bound in ms. 0 skips it. */
  warmupMs: number;
  /** Warm-up phase: count bound (default: unbounded by count, so only time). */
  warmupMaxOps?: number;
  /** Measured phase: time bound in ms. */
  durationMs: number;
  /** Measured phase: count bound (requests issued over all connections). */
  maxOps: number;
  /** The run stops early once this many requests failed (default 100). */
  maxErrors?: number;
  /** Extra time given to requests in flight at the deadline before the run is declared stuck (default 5 s). */
  graceMs?: number;
  /** Latency samples kept for percentiles (default 200,000). */
  sampleCapacity?: number;
  /** Monotonic clock in ms (default performance.now). */
  now?: () => number;
}

/** Why a phase ended. */
export type StopReason = 'time' | 'count' | 'errors' | 'stuck';

/** Outcome of the measured phase of a closed-loop run. */
export interface LoopResult {
  /** Successful requests in the measured phase. */
  ops: number;
  errors: number;
  /** From the start of the measured phase until its last request answered (or the grace ran out). */
  elapsedMs: number;
  /** ops / elapsed seconds. */
  opsPerSec: number;
  latency: LatencySummary;
  stoppedBy: StopReason;
  /** Message of the first failure, to show why a run was cut short. */
  firstError?: string;
  /**
   * CPU time this process spent during the measured phase, as a fraction of its wall time. Near 1
   * means the load generator itself was the bottleneck, not the server.
   */
  generatorCpu: number;
}

/** Error-count bound shared by the warm-up and measured phases. */
const DEFAULT_MAX_ERRORS = 100;

/**
 * Runs `op` closed-loop: `connections` workers, each issuing its next request as soon as the
 * previous one answered. A warm-up phase runs first and is discarded; then the measured phase runs
 * until `durationMs` has passed or `maxOps` requests were issued, whichever comes first. Never runs
 * past `warmupMs + durationMs + 2 × graceMs` even if a request never answers (that run reports
 * `stuck`). Requests still in flight after that are abandoned, not cancelled: the caller closes
 * the connections.
 */
export async function runClosedLoop(op: Op, options: ClosedLoopOptions): Promise<LoopResult> {
  if (!(options.connections >= 1)) throw new RangeError('connections must be at least 1');
  const now = options.now ?? (() => performance.now());
  const state = { seq: 0 };
  if (options.warmupMs > 0) {
    const warm = await runPhase(op, options, state, now, {
      limitMs: options.warmupMs,
      limitOps: options.warmupMaxOps ?? Number.POSITIVE_INFINITY,
      recorder: undefined,
    });
    if (warm.stoppedBy === 'errors' || warm.stoppedBy === 'stuck') return warm;
  }
  const recorder = new LatencyRecorder(options.sampleCapacity ?? 200_000);
  return runPhase(op, options, state, now, { limitMs: options.durationMs, limitOps: options.maxOps, recorder });
}

interface Phase {
  limitMs: number;
  limitOps: number;
  recorder: LatencyRecorder | undefined;
}

async function runPhase(
  op: Op,
  options: ClosedLoopOptions,
  state: { seq: number },
  now: () => number,
  phase: Phase,
): Promise<LoopResult> {
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const graceMs = options.graceMs ?? 5_000;
  const start = now();
  const cpuStart = process.cpuUsage();
  let issued = 0;
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  let stoppedBy: StopReason | undefined;
  const stop = (reason: StopReason) => {
    stoppedBy ??= reason;
  };
  // The deadline also fires when every worker is waiting on a slow answer, not only between requests.
  const deadline = setTimeout(() => stop('time'), phase.limitMs);

  const worker = async (connection: number) => {
    while (stoppedBy === undefined) {
      if (issued >= phase.limitOps) {
        stop('count');
        break;
      }
      issued++;
      const seq = state.seq++;
      const t0 = now();
      try {
        await op(connection, seq);
        ops++;
        phase.recorder?.record(now() - t0);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        if (errors >= maxErrors) stop('errors');
      }
      if (now() - start >= phase.limitMs) stop('time');
    }
  };

  let graceTimer: NodeJS.Timeout | undefined;
  const stuck = new Promise<'stuck'>((resolve) => {
    graceTimer = setTimeout(() => resolve('stuck'), phase.limitMs + graceMs);
  });
  const workers = Array.from({ length: options.connections }, (_, i) => worker(i));
  const outcome = await Promise.race([Promise.all(workers).then(() => 'done' as const), stuck]);
  clearTimeout(deadline);
  clearTimeout(graceTimer);
  if (outcome === 'stuck') stoppedBy = 'stuck';
  const elapsedMs = Math.max(now() - start, 1e-3);
  const cpu = process.cpuUsage(cpuStart);
  return {
    ops,
    errors,
    elapsedMs,
    opsPerSec: (ops * 1000) / elapsedMs,
    latency: phase.recorder?.summary() ?? { p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
    stoppedBy: stoppedBy ?? 'time',
    firstError,
    generatorCpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
  };
}
