/**
 * The leader's view of one follower's log (etcd-io/raft `tracker.Progress`): what it matched,
 * what to send next, and how much may be in flight. Internal to the core.
 */

/** Replication state of a follower as seen by the leader. */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/**
 * A bounded window of in-flight AppendEntries, identified by their last index. Pipelining sends
 * up to `capacity` messages without waiting (flow control).
 */
export class Inflights {
  private readonly buf: number[] = [];
  constructor(readonly capacity: number) {}
  add(lastIndex: number): void {
    this.buf.push(lastIndex);
  }
  /** Frees every message whose last index is <= `index` (acknowledged). */
  freeLE(index: number): void {
    let i = 0;
    while (i < this.buf.length && this.buf[i] <= index) i++;
    if (i > 0) this.buf.splice(0, i);
  }
  freeFirstOne(): void {
    this.buf.shift();
  }
  isFull(): boolean {
    return this.buf.length >= this.capacity;
  }
  count(): number {
    return this.buf.length;
  }
  reset(): void {
    this.buf.length = 0;
  }
}

/** Per-follower replication progress kept by the leader. */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append was sent and we wait for its answer (or a heartbeat answer). */
  probeSent = false;
  /** Index of the snapshot being sent, in snapshot state. */
  pendingSnapshot = 0;
  /** Ticks spent in snapshot state; the leader gives up and re-probes after a timeout (lost snapshot). */
  snapshotTicks = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  isLearner = false;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = index;
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.state = state;
    this.inflights.reset();
  }

  /** Records an acknowledgement up to `n`. False when it is stale (already known). */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * Handles a rejection of the append whose previous index was `rejected`; `matchHint` is where
   * the follower suggests to retry. False when the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Bookkeeping after sending entries up to `lastIndex` (optimistic in replicate state). */
  sentEntries(lastIndex: number | undefined): void {
    if (this.state === 'replicate') {
      if (lastIndex !== undefined) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.isFull();
      default:
        return true;
    }
  }
}
