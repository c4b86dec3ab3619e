import { RaftError } from './errors';
import type { RaftStorage } from './storage';
import { limitSize } from './storage';
import type { Entry, Snapshot } from './types';

/**
 * The core's view of the log: what storage holds (stable) plus what was appended but not yet
 * persisted (unstable, with possibly a snapshot received from the leader). Internal to the core.
 *
 * Invariants: `applied <= applying <= committed <= lastIndex()`. Entries at or after
 * `unstableOffset` come from the unstable part only (storage may still hold stale entries there
 * that a pending write overwrites).
 */
export class RaftLog {
  committed: number;
  /** Highest index the host confirmed applied (via advance). */
  applied: number;
  /** Highest index handed to the host for applying (in a Ready). */
  applying: number;
  unstableOffset: number;
  unstableEntries: Entry[] = [];
  unstableSnapshot: Snapshot | undefined;

  constructor(
    readonly storage: RaftStorage,
    private readonly maxApplyBytes: number,
  ) {
    this.unstableOffset = storage.lastIndex() + 1;
    this.committed = storage.firstIndex() - 1;
    this.applied = this.committed;
    this.applying = this.committed;
  }

  firstIndex(): number {
    if (this.unstableSnapshot) return this.unstableSnapshot.meta.index + 1;
    return this.storage.firstIndex();
  }

  lastIndex(): number {
    if (this.unstableEntries.length > 0) return this.unstableOffset + this.unstableEntries.length - 1;
    if (this.unstableSnapshot) return this.unstableSnapshot.meta.index;
    return this.storage.lastIndex();
  }

  /** Term of entry `i`, or undefined when compacted or past the end. */
  term(i: number): number | undefined {
    if (i === 0) return 0;
    if (i >= this.unstableOffset) {
      const e = this.unstableEntries[i - this.unstableOffset];
      if (e) return e.term;
      if (this.unstableSnapshot && i === this.unstableSnapshot.meta.index) return this.unstableSnapshot.meta.term;
      return undefined;
    }
    if (this.unstableSnapshot) {
      return i === this.unstableSnapshot.meta.index ? this.unstableSnapshot.meta.term : undefined;
    }
    return this.storage.term(i);
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /** Candidate's log is at least as up-to-date as ours (Raft §5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Entries in `[lo, hi)`, limited to about `maxBytes`. Throws RaftError COMPACTED when `lo` is
   * no longer in the log.
   */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo >= hi) return [];
    if (lo < this.firstIndex()) throw new RaftError('COMPACTED', `entry ${lo} is compacted`);
    if (hi > this.lastIndex() + 1) throw new RaftError('UNAVAILABLE', `entry ${hi - 1} is past the last index`);
    let out: Entry[] = [];
    if (lo < this.unstableOffset) {
      out = this.storage.entries(lo, Math.min(hi, this.unstableOffset), maxBytes);
      // Storage stopped early because of the size limit: do not mix in unstable entries.
      if (out.length < Math.min(hi, this.unstableOffset) - lo) return out;
    }
    if (hi > this.unstableOffset) {
      const u = this.unstableEntries.slice(Math.max(lo, this.unstableOffset) - this.unstableOffset, hi - this.unstableOffset);
      out = out.length > 0 ? out.concat(u) : u;
    }
    return limitSize(out, maxBytes);
  }

  /** Index of the first entry in `entries` whose term differs from ours (or is new); 0 if none. */
  findConflict(entries: readonly Entry[]): number {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast back-off (Raft §5.3 optimisation, etcd `findConflictByTerm`): the largest index
   * `<= index` whose term is `<= term`, with that term. Lets the leader skip a whole term of
   * conflicting entries in one round trip.
   */
  findConflictByTerm(index: number, term: number): [number, number] {
    for (let i = index; i >= 0; i--) {
      const t = this.term(i);
      if (t === undefined) return [i, 0];
      if (t <= term) return [i, t];
    }
    return [0, 0];
  }

  /**
   * AppendEntries receiver rules (Figure 2): if our entry at `prevIndex` has `prevTerm`, drop
   * conflicting suffix, append new entries and advance commit to min(leaderCommit, last new).
   * Returns the last new index, or -1 on a mismatch.
   */
  maybeAppend(prevIndex: number, prevTerm: number, leaderCommit: number, entries: readonly Entry[]): number {
    if (!this.matchTerm(prevIndex, prevTerm)) return -1;
    const lastNew = prevIndex + entries.length;
    const ci = this.findConflict(entries);
    if (ci !== 0) {
      if (ci <= this.committed) {
        throw new Error(`raft invariant: conflict at ${ci} within committed prefix ${this.committed}`);
      }
      this.append(entries.slice(ci - prevIndex - 1));
    }
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** Appends (possibly truncating an unstable or stable suffix). Returns the new last index. */
  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = entries[0].index;
    if (after - 1 < this.committed) throw new Error(`raft invariant: append at ${after} before commit ${this.committed}`);
    const end = this.unstableOffset + this.unstableEntries.length;
    if (after === end) {
      for (const e of entries) this.unstableEntries.push(e);
    } else if (after <= this.unstableOffset) {
      // Replaces everything from `after` on, including entries already persisted.
      this.unstableOffset = after;
      this.unstableEntries = entries.slice();
    } else {
      this.unstableEntries = this.unstableEntries.slice(0, after - this.unstableOffset).concat(entries);
    }
    return this.lastIndex();
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) throw new Error(`raft invariant: commit ${index} past last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** Commits `maxIndex` only if it is of the current term (Raft §5.4.2: never count older terms). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  hasNextCommittedEntries(): boolean {
    return !this.unstableSnapshot && this.committed > this.applying;
  }

  nextCommittedEntries(): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    const lo = Math.max(this.applying + 1, this.firstIndex());
    return this.slice(lo, this.committed + 1, this.maxApplyBytes);
  }

  /** The snapshot to send a lagging follower. */
  snapshot(): Snapshot {
    return this.unstableSnapshot ?? this.storage.snapshot();
  }

  /** Marks entries up to (`index`, `term`) persisted. */
  stableTo(index: number, term: number): void {
    if (index < this.unstableOffset) return;
    const t = this.term(index);
    if (t !== term) return; // overwritten by a newer leader meanwhile; keep them unstable
    const n = index + 1 - this.unstableOffset;
    if (n > this.unstableEntries.length) return;
    this.unstableEntries = this.unstableEntries.slice(n);
    this.unstableOffset = index + 1;
  }

  stableSnapTo(index: number): void {
    if (this.unstableSnapshot && this.unstableSnapshot.meta.index === index) this.unstableSnapshot = undefined;
  }

  /** Replaces the log with a snapshot from the leader (it becomes committed and applied-to-be). */
  restore(s: Snapshot): void {
    this.committed = s.meta.index;
    this.unstableOffset = s.meta.index + 1;
    this.unstableEntries = [];
    this.unstableSnapshot = s;
  }

  appliedTo(index: number): void {
    if (index > this.applied) this.applied = index;
    if (index > this.applying) this.applying = index;
  }
}
