import type { HealthChecker } from '@tacos/api-pojo';
import { CheckInterval, type CheckRtParams, type CheckRtStats, DEFAULT_CHECK_RT_PARAMS, initialCheckRt } from './check-interval';
import { DEFAULT_CHECK_TIMES, HealthTracker } from './health-tracker';
import { probeHttp } from './http-probe';
import type { ProbeResult } from './probe-result';
import { probeTcp } from './tcp-probe';

/** Identifies one cluster of one service: the unit Nacos schedules a check task for. */
export interface ClusterRef {
  namespaceId: string;
  /** Grouped service name (`group@@service`). */
  serviceName: string;
  clusterName: string;
}

/** One persistent instance as the scheduler needs it (a snapshot; the scheduler never mutates it). */
export interface CheckInstance {
  ip: string;
  /** The instance's own port (probed when the cluster's `useIPPort4Check` is true). */
  port: number;
  healthy: boolean;
  /** Marked instances are neither probed nor flipped (NACOS-FACTS §1.2). */
  marked: boolean;
}

/** What the host reports for a cluster at the start of each round. */
export interface ClusterCheckSpec {
  /** The cluster's checker; only TCP and HTTP probe, NONE and MYSQL leave health alone. */
  healthChecker: HealthChecker;
  /** The cluster's `defaultCheckPort` (Nacos `defCkport`), probed when `useIPPort4Check` is false. */
  checkPort: number;
  useIPPort4Check: boolean;
  /**
   * The cluster's persistent instances only (ephemeral ones are beat-driven). Read only by rounds
   * that probe, so a host may build it lazily (a getter).
   */
  readonly instances: readonly CheckInstance[];
}

/** Where and how one probe goes. */
export interface ProbeTarget {
  ip: string;
  /** The port chosen by `useIPPort4Check`. */
  port: number;
  checker: HealthChecker;
}

/** Runs one probe; must resolve (a rejection counts as FAIL). */
export type Probe = (target: ProbeTarget) => Promise<ProbeResult>;

/**
 * The real probe: TCP connect (500 ms) or HTTP GET (path, headers, expected code; 2 s) by the
 * checker's type. Other types resolve OK without I/O (the scheduler never asks for them).
 */
export const defaultProbe: Probe = (target) => {
  const { checker } = target;
  if (checker.type === 'TCP') return probeTcp(target.ip, target.port);
  if (checker.type === 'HTTP') {
    return probeHttp(target.ip, target.port, {
      path: checker.path,
      headers: checker.headers,
      expectedResponseCode: checker.expectedResponseCode,
    });
  }
  return Promise.resolve({ status: 'OK', rtMs: 0 });
};

/**
 * What the scheduler needs from the registry. Calls are synchronous and must not throw (a throw from
 * `onHealthChange` is caught and ignored so one bad callback cannot stop checking).
 */
export interface HealthCheckHost {
  /**
   * The cluster's current checker, ports and persistent instances, read at the start of every round;
   * `undefined` when the service or cluster is gone (the scheduler then drops the task).
   */
  clusterSpec(ref: ClusterRef): ClusterCheckSpec | undefined;
  /** Switch `healthCheckEnabled` (`PUT /operator/switches entry=check`); false → rounds do nothing. */
  isEnabled(): boolean;
  /** True when this node must check the service (Nacos: only the responsible node). Default: true. */
  isResponsible?(ref: ClusterRef): boolean;
  /** Switch `checkTimes` (consecutive results to flip). Default 3. */
  checkTimes?(): number;
  /** Switch `tcpHealthParams` / `httpHealthParams`. Default: Nacos 1.4 values. */
  rtParams?(type: 'TCP' | 'HTTP'): CheckRtParams;
  /**
   * An instance must flip: set its `healthy` to the given value (in memory, as Nacos) and announce
   * the service change so subscribers are pushed. `result` is the probe that decided it.
   */
  onHealthChange(ref: ClusterRef, instance: { ip: string; port: number }, healthy: boolean, result: ProbeResult): void;
}

/** Timer functions, injectable for tests. The real ones are unref'd so checks never hold the process. */
export interface SchedulerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: SchedulerTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of {@link HealthCheckScheduler}. */
export interface HealthCheckSchedulerOptions {
  host: HealthCheckHost;
  /** Default {@link defaultProbe}. */
  probe?: Probe;
  /** Probes in flight at once across all clusters (default 128). Excess probes wait in a FIFO queue. */
  maxConcurrent?: number;
  /**
   * A probe still unsettled after this many ms is counted as FAIL and its slot freed (a guard against
   * a misbehaving probe; the built-in probes settle within 0.5–2 s). Default 10000.
   */
  probeDeadlineMs?: number;
  /** [0, 1) source for the initial interval. Default Math.random. */
  random?: () => number;
  timers?: SchedulerTimers;
}

/** Counters for diagnostics and tests. */
export interface HealthCheckStats {
  /** Cluster tasks scheduled. */
  clusters: number;
  /** Probes running now. */
  active: number;
  /** Probes waiting for a slot. */
  queued: number;
  /** Highest `active` seen since creation. */
  maxActive: number;
  /** Probes started since creation. */
  started: number;
  /** Probes settled since creation. */
  completed: number;
}

interface ClusterTask {
  key: string;
  ref: ClusterRef;
  interval: CheckInterval;
  trackers: Map<string, HealthTracker>;
  /** `ip:port` of instances queued or probing, so a slow target is never probed twice at once. */
  busy: Set<string>;
  timer: unknown;
  alive: boolean;
}

interface Job {
  task: ClusterTask;
  /** The scheduler's run number when the job was queued; a result from an earlier run is ignored. */
  epoch: number;
  instance: CheckInstance;
  instanceKey: string;
  target: ProbeTarget;
  type: 'TCP' | 'HTTP';
}

function clusterKey(ref: ClusterRef): string {
  return `${ref.namespaceId}\u0000${ref.serviceName}\u0000${ref.clusterName}`;
}

/**
 * Server-side health checks of persistent instances (NACOS-FACTS §3.2): one task per cluster, each
 * round probing the cluster's non-marked persistent instances with its TCP or HTTP checker, the next
 * round after the cluster's adaptive interval (initially 2000 + random, then a clamped moving average
 * of probe RTs), and flipping health after `checkTimes` consecutive results (at once on FAIL_NOW).
 *
 * Bounded: at most `maxConcurrent` probes in flight; an instance whose previous probe has not
 * settled is skipped, so the queue never holds more than one job per instance; every probe has a
 * time limit. Rounds only enqueue, so a round over thousands of instances is a short synchronous loop.
 *
 * The host adds clusters with {@link watch} (idempotent); a task ends when {@link unwatch} is called
 * or `clusterSpec` returns undefined. Nothing runs before {@link start} or after {@link stop}.
 */
export class HealthCheckScheduler {
  private readonly host: HealthCheckHost;
  private readonly probe: Probe;
  private readonly maxConcurrent: number;
  private readonly probeDeadlineMs: number;
  private readonly random: () => number;
  private readonly timers: SchedulerTimers;
  private readonly tasks = new Map<string, ClusterTask>();
  private queue: Job[] = [];
  private queueHead = 0;
  private active = 0;
  private running = false;
  private epoch = 0;
  private counters = { maxActive: 0, started: 0, completed: 0 };

  constructor(options: HealthCheckSchedulerOptions) {
    this.host = options.host;
    this.probe = options.probe ?? defaultProbe;
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 128);
    this.probeDeadlineMs = options.probeDeadlineMs ?? 10_000;
    this.random = options.random ?? Math.random;
    this.timers = options.timers ?? REAL_TIMERS;
  }

  /** Starts scheduling rounds for every watched cluster. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const task of this.tasks.values()) this.schedule(task, task.interval.current);
  }

  /**
   * Stops all rounds and drops queued probes. Probes already running finish on their own (each has a
   * time limit) and their results are ignored. Watched clusters are kept for a later {@link start}.
   */
  stop(): void {
    this.running = false;
    this.epoch++;
    for (const task of this.tasks.values()) this.cancel(task);
    for (let i = this.queueHead; i < this.queue.length; i++) this.queue[i]!.task.busy.clear();
    this.queue = [];
    this.queueHead = 0;
  }

  /**
   * Ensures a task exists for the cluster (idempotent, cheap: call it on every service change for
   * each cluster with persistent instances). The first round runs after the initial interval.
   */
  watch(ref: ClusterRef): void {
    const key = clusterKey(ref);
    if (this.tasks.has(key)) return;
    const task: ClusterTask = {
      key,
      ref: { namespaceId: ref.namespaceId, serviceName: ref.serviceName, clusterName: ref.clusterName },
      interval: new CheckInterval(initialCheckRt(this.random)),
      trackers: new Map(),
      busy: new Set(),
      timer: undefined,
      alive: true,
    };
    this.tasks.set(key, task);
    if (this.running) this.schedule(task, task.interval.current);
  }

  /** Drops the cluster's task; results of its probes still running are ignored. */
  unwatch(ref: ClusterRef): void {
    const task = this.tasks.get(clusterKey(ref));
    if (task) this.drop(task);
  }

  /** True when the cluster has a task. */
  isWatching(ref: ClusterRef): boolean {
    return this.tasks.has(clusterKey(ref));
  }

  /** The cluster's RT statistics (for `/catalog/rt/service`), or undefined when not watched. */
  rtStats(ref: ClusterRef): CheckRtStats | undefined {
    return this.tasks.get(clusterKey(ref))?.interval.snapshot();
  }

  /**
   * True when this node's latest check of the instance, in its current turn of responsibility,
   * agreed with the health it then had, or flipped it: that health is this node's own verdict, not a
   * value it merely holds (e.g. restored at start-up, or learned from the former owner). False when
   * the instance was never checked in this turn, while a count toward a flip runs, or when the
   * cluster is not watched.
   */
  hasVerdict(ref: ClusterRef, instance: { ip: string; port: number }): boolean {
    const tracker = this.tasks.get(clusterKey(ref))?.trackers.get(`${instance.ip}:${instance.port}`);
    return tracker !== undefined && tracker.consecutiveOk === 0 && tracker.consecutiveFail === 0;
  }

  /** Counters for diagnostics. */
  stats(): HealthCheckStats {
    return {
      clusters: this.tasks.size,
      active: this.active,
      queued: this.queue.length - this.queueHead,
      ...this.counters,
    };
  }

  private schedule(task: ClusterTask, delayMs: number): void {
    this.cancel(task);
    task.timer = this.timers.setTimeout(() => this.round(task), delayMs);
  }

  private cancel(task: ClusterTask): void {
    if (task.timer !== undefined) this.timers.clearTimeout(task.timer);
    task.timer = undefined;
  }

  private drop(task: ClusterTask): void {
    task.alive = false;
    this.cancel(task);
    this.tasks.delete(task.key);
  }

  private round(task: ClusterTask): void {
    task.timer = undefined;
    if (!this.running || !task.alive) return;
    const spec = this.host.clusterSpec(task.ref);
    if (!spec) {
      this.drop(task);
      return;
    }
    // Like Nacos, the next round is due one interval after this one starts, whatever the probes do;
    // `busy` keeps slow targets from piling up.
    this.schedule(task, task.interval.current);
    if (!this.host.isEnabled()) return;
    if (this.host.isResponsible && !this.host.isResponsible(task.ref)) {
      // Another node checks (and flips) now: counts kept from an earlier turn would be stale if this
      // node becomes responsible again, so it starts afresh then.
      task.trackers.clear();
      return;
    }
    const checker = spec.healthChecker;
    if (checker.type !== 'TCP' && checker.type !== 'HTTP') {
      // NONE (manual health) and MYSQL (not run by Tacos): counts restart if the checker comes back.
      task.trackers.clear();
      return;
    }
    const present = new Set<string>();
    for (const instance of spec.instances) {
      const instanceKey = `${instance.ip}:${instance.port}`;
      present.add(instanceKey);
      if (instance.marked || task.busy.has(instanceKey)) continue;
      task.busy.add(instanceKey);
      const port = spec.useIPPort4Check ? instance.port : spec.checkPort;
      this.queue.push({ task, epoch: this.epoch, instance, instanceKey, target: { ip: instance.ip, port, checker }, type: checker.type });
    }
    for (const key of task.trackers.keys()) if (!present.has(key)) task.trackers.delete(key);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.maxConcurrent && this.queueHead < this.queue.length) {
      const job = this.queue[this.queueHead]!;
      this.queue[this.queueHead] = undefined as unknown as Job;
      this.queueHead++;
      if (!job.task.alive || !this.running) {
        job.task.busy.delete(job.instanceKey);
        continue;
      }
      this.run(job);
    }
    // Compact once the consumed prefix dominates, keeping dequeue O(1) amortised.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    } else if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
  }

  private run(job: Job): void {
    this.active++;
    this.counters.started++;
    if (this.active > this.counters.maxActive) this.counters.maxActive = this.active;
    let settled = false;
    const settle = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      this.timers.clearTimeout(deadline);
      this.active--;
      this.counters.completed++;
      job.task.busy.delete(job.instanceKey);
      this.apply(job, result);
      this.pump();
    };
    const deadline = this.timers.setTimeout(
      () => settle({ status: 'FAIL', rtMs: this.probeDeadlineMs, reason: 'deadline' }),
      this.probeDeadlineMs,
    );
    let promise: Promise<ProbeResult>;
    try {
      promise = this.probe(job.target);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(settle, (err: unknown) => settle({ status: 'FAIL', rtMs: 0, reason: String((err as Error)?.message ?? err) }));
  }

  private apply(job: Job, result: ProbeResult): void {
    const { task } = job;
    if (!this.running || job.epoch !== this.epoch || !task.alive || !this.host.isEnabled()) return;
    const params = this.host.rtParams?.(job.type) ?? DEFAULT_CHECK_RT_PARAMS[job.type];
    task.interval.record(result.status, result.rtMs, params);
    let tracker = task.trackers.get(job.instanceKey);
    if (!tracker) {
      tracker = new HealthTracker();
      task.trackers.set(job.instanceKey, tracker);
    }
    const checkTimes = this.host.checkTimes?.() ?? DEFAULT_CHECK_TIMES;
    const verdict = tracker.observe(result.status, job.instance.healthy, job.instance.marked, checkTimes);
    if (verdict === undefined) return;
    try {
      this.host.onHealthChange(task.ref, { ip: job.instance.ip, port: job.instance.port }, verdict, result);
    } catch {
      // The host's callback must not stop the checker; its own logging is its business.
    }
  }
}
