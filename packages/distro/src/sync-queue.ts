import type { TypedKey } from './typed-key';
import { typedKeyId } from './typed-key';

/** Timing and size of batched sync (Nacos defaults where Nacos has one). */
export interface SyncQueueConfig {
  /** How long a key waits before its target's batch is sent; later keys join that batch (merge). */
  readonly delayMs: number;
  /** A target's batch is sent at once when this many keys are pending (Nacos `batchSyncKeyCount`). */
  readonly batchSize: number;
  /** Wait after the first failed send to a target (Nacos `syncRetryDelay`, 5000 ms). */
  readonly retryBaseMs: number;
  /** Cap of the exponential backoff between retries to one target. */
  readonly retryMaxMs: number;
}

/** Keys to send to one target now; the caller reads their current values at send time. */
export interface SyncBatch {
  readonly target: string;
  readonly keys: readonly TypedKey[];
}

interface TargetState {
  /** Pending keys in arrival order with the time each was queued. */
  readonly pending: Map<string, { key: TypedKey; queuedAt: number }>;
  inFlight: boolean;
  failures: number;
  notBefore: number;
}

/**
 * Per-target batching of keys to sync (Nacos' `DistroDelayTaskExecuteEngine` + `DistroSyncChangeTask`).
 * Pure bookkeeping: the caller supplies `now` and does the sending.
 *
 * - A key queued for a target is sent `delayMs` after the oldest pending key of that target, in
 *   one batch with every key pending by then (repeated keys merge into one), at most `batchSize`
 *   keys a batch; `batchSize` pending keys are sent without waiting.
 * - At most one batch per target is in flight; keys queued meanwhile wait for the next batch.
 * - A failed batch is re-queued and the target backs off `retryBaseMs * 2^(failures-1)`, capped
 *   at `retryMaxMs`; a success resets the backoff.
 * - `retainTargets` forgets targets that left the cluster, with their keys.
 */
export class SyncQueue {
  private readonly targets = new Map<string, TargetState>();

  constructor(private readonly config: SyncQueueConfig) {}

  /** Queues `keys` for `target`. A key already pending for the target keeps its place and time. */
  add(target: string, keys: Iterable<TypedKey>, now: number): void {
    let state = this.targets.get(target);
    if (state === undefined) {
      state = { pending: new Map(), inFlight: false, failures: 0, notBefore: 0 };
      this.targets.set(target, state);
    }
    for (const key of keys) {
      const id = typedKeyId(key.type, key.key);
      if (!state.pending.has(id)) state.pending.set(id, { key, queuedAt: now });
    }
  }

  /** Keys waiting to be sent, summed over targets (a key pending for two targets counts twice). */
  pendingKeys(): number {
    let total = 0;
    for (const state of this.targets.values()) total += state.pending.size;
    return total;
  }

  /** The earliest time a batch becomes due, or undefined when nothing can be sent. */
  nextDueAt(): number | undefined {
    let min: number | undefined;
    for (const state of this.targets.values()) {
      const due = this.dueAt(state);
      if (due !== undefined && (min === undefined || due < min)) min = due;
    }
    return min;
  }

  /** Removes and returns the batches due at `now`, marking their targets in flight. */
  takeDue(now: number): SyncBatch[] {
    const out: SyncBatch[] = [];
    for (const [target, state] of this.targets) {
      const due = this.dueAt(state);
      if (due === undefined || due > now) continue;
      const keys: TypedKey[] = [];
      for (const [id, p] of state.pending) {
        if (keys.length >= this.config.batchSize) break;
        keys.push(p.key);
        state.pending.delete(id);
      }
      state.inFlight = true;
      out.push({ target, keys });
    }
    return out;
  }

  /**
   * Reports the outcome of a batch from `takeDue`. On failure its keys are queued again (unless
   * newer copies are pending already) and the target backs off. Unknown targets are ignored.
   */
  complete(batch: SyncBatch, ok: boolean, now: number): void {
    const state = this.targets.get(batch.target);
    if (state === undefined) return;
    state.inFlight = false;
    if (ok) {
      state.failures = 0;
      state.notBefore = 0;
    } else {
      state.failures += 1;
      const backoff = Math.min(this.config.retryBaseMs * 2 ** (state.failures - 1), this.config.retryMaxMs);
      state.notBefore = now + backoff;
      // Failed keys go back to the front: they are the oldest.
      const requeued = new Map<string, { key: TypedKey; queuedAt: number }>();
      for (const key of batch.keys) requeued.set(typedKeyId(key.type, key.key), { key, queuedAt: now });
      for (const [id, p] of state.pending) if (!requeued.has(id)) requeued.set(id, p);
      state.pending.clear();
      for (const [id, p] of requeued) state.pending.set(id, p);
    }
    if (state.pending.size === 0 && !state.inFlight && state.failures === 0) this.targets.delete(batch.target);
  }

  /** Forgets every target not in `alive` (members that left or went down), pending keys included. */
  retainTargets(alive: ReadonlySet<string>): void {
    for (const target of [...this.targets.keys()]) if (!alive.has(target)) this.targets.delete(target);
  }

  /** Number of keys pending for `target` (0 when unknown). */
  pendingCount(target: string): number {
    return this.targets.get(target)?.pending.size ?? 0;
  }

  /** Failures in a row for `target` since its last success. */
  failureCount(target: string): number {
    return this.targets.get(target)?.failures ?? 0;
  }

  private dueAt(state: TargetState): number | undefined {
    if (state.inFlight || state.pending.size === 0) return undefined;
    let due: number;
    if (state.pending.size >= this.config.batchSize) due = 0;
    else {
      const oldest = state.pending.values().next().value!;
      due = oldest.queuedAt + this.config.delayMs;
    }
    return Math.max(due, state.notBefore);
  }
}
