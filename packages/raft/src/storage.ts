import { RaftError } from './errors';
import type { ConfState, Entry, HardState, Snapshot } from './types';
import { EMPTY_HARD_STATE, entrySize } from './types';

/** What a storage returns on start. */
export interface InitialState {
  hardState: HardState;
  /** Membership as of the latest snapshot (committed CONFIG entries after it are replayed on top). */
  confState: ConfState;
}

/** One durable write: everything in it is on stable storage (fsync'd) when the promise resolves. */
export interface StorageUpdate {
  /** Replaces the stored hard state. */
  hardState?: HardState;
  /**
   * A snapshot received from the leader. It replaces the stored snapshot and discards the whole
   * log (the log restarts right after `snapshot.meta.index`). Applied before `entries`.
   */
  snapshot?: Snapshot;
  /**
   * Entries to append. Any stored entries at or after `entries[0].index` are discarded first
   * (a new leader overwrote them), so the log stays contiguous.
   */
  entries?: Entry[];
}

/**
 * The persistent log, hard state and snapshot of one member.
 *
 * Reads are synchronous and are what the core sees: the core never writes. Writes are made by
 * the driver (the host) only, never concurrently, and each write is atomic and durable when its
 * promise resolves. A failed write rejects; the driver then stops the node, because a member
 * that cannot persist must not keep voting or acknowledging (as in etcd-io/raft, a storage error
 * is fatal). Entry arrays returned by reads are owned by the caller; storage must not keep
 * references to arrays it is given (entries themselves are treated as immutable by everyone).
 *
 * Index rules (etcd-io/raft `Storage`): the log holds `firstIndex()..lastIndex()`;
 * `term(firstIndex() - 1)` is still known (the entry before the log, from the snapshot or
 * compaction); `lastIndex() >= firstIndex() - 1`.
 */
export interface RaftStorage {
  /** Hard state and membership as persisted. */
  initialState(): InitialState;
  /**
   * Entries in `[lo, hi)`, at most `maxBytes` (approximate) but always at least one when the
   * range is not empty. Throws RaftError COMPACTED if `lo < firstIndex()`, UNAVAILABLE if
   * `hi > lastIndex() + 1`.
   */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];
  /** Term of the entry at `index`, for `firstIndex()-1 <= index <= lastIndex()`; otherwise undefined. */
  term(index: number): number | undefined;
  /** Index of the first entry still in the log (snapshot index + 1 right after a snapshot). */
  firstIndex(): number;
  /** Index of the last entry (or of the entry before the log when it is empty). */
  lastIndex(): number;
  /** The latest snapshot (index 0 and empty data when none was taken). */
  snapshot(): Snapshot;
  /** Persists one update atomically and durably. */
  save(update: StorageUpdate): Promise<void>;
  /**
   * Stores `snapshot` (taken by the host's state machine at `snapshot.meta.index`, which must be
   * applied and committed) as the latest one and drops entries up to `compactTo`
   * (`compactTo <= snapshot.meta.index`; entries after it stay so lagging followers can catch up
   * from the log). Atomic and durable.
   */
  compact(snapshot: Snapshot, compactTo: number): Promise<void>;
  /** Releases resources. No other method may be called afterwards. */
  close(): Promise<void>;
}

/** An empty snapshot: index 0, no members. */
export function emptySnapshot(): Snapshot {
  return { meta: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: new Uint8Array(0) };
}

/** Picks entries from `list` (already in order) while staying under `maxBytes`, keeping at least one. */
export function limitSize(list: Entry[], maxBytes: number | undefined): Entry[] {
  if (maxBytes === undefined || list.length <= 1) return list;
  let size = entrySize(list[0]);
  let n = 1;
  while (n < list.length) {
    size += entrySize(list[n]);
    if (size > maxBytes) break;
    n++;
  }
  return n === list.length ? list : list.slice(0, n);
}

/**
 * A {@link RaftStorage} in memory, for tests and the simulator. "Durable" means "kept in this
 * object": a simulated crash keeps the object and loses only what the driver had not saved yet.
 * Writes complete synchronously (the returned promise is already resolved).
 */
export class MemoryStorage implements RaftStorage {
  private hardState: HardState = { ...EMPTY_HARD_STATE };
  private snap: Snapshot = emptySnapshot();
  /** Index and term of the entry before `log[0]`. */
  private prevIndex = 0;
  private prevTerm = 0;
  private log: Entry[] = [];

  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: this.snap.meta.confState };
  }

  firstIndex(): number {
    return this.prevIndex + 1;
  }

  lastIndex(): number {
    return this.prevIndex + this.log.length;
  }

  term(index: number): number | undefined {
    if (index === this.prevIndex) return this.prevTerm;
    if (index < this.prevIndex || index > this.lastIndex()) return undefined;
    return this.log[index - this.prevIndex - 1].term;
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo < this.firstIndex()) throw new RaftError('COMPACTED', `entry ${lo} is compacted (first index ${this.firstIndex()})`);
    if (hi > this.lastIndex() + 1) throw new RaftError('UNAVAILABLE', `entry ${hi - 1} is past the last index ${this.lastIndex()}`);
    return limitSize(this.log.slice(lo - this.prevIndex - 1, hi - this.prevIndex - 1), maxBytes);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Applies an update synchronously (the simulator uses this to model an fsync'd write). */
  saveSync(update: StorageUpdate): void {
    if (update.snapshot) {
      this.snap = update.snapshot;
      this.prevIndex = update.snapshot.meta.index;
      this.prevTerm = update.snapshot.meta.term;
      this.log = [];
    }
    if (update.entries && update.entries.length > 0) {
      const first = update.entries[0].index;
      if (first > this.lastIndex() + 1) {
        throw new RaftError('STORAGE_FAILED', `gap in log: appending ${first} after ${this.lastIndex()}`);
      }
      if (first <= this.prevIndex) {
        throw new RaftError('STORAGE_FAILED', `appending ${first} into the compacted prefix (<= ${this.prevIndex})`);
      }
      this.log = this.log.slice(0, first - this.prevIndex - 1).concat(update.entries);
    }
    if (update.hardState) this.hardState = { ...update.hardState };
  }

  save(update: StorageUpdate): Promise<void> {
    try {
      this.saveSync(update);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Synchronous {@link compact}. */
  compactSync(snapshot: Snapshot, compactTo: number): void {
    if (snapshot.meta.index > this.lastIndex()) {
      throw new RaftError('UNAVAILABLE', `snapshot index ${snapshot.meta.index} is past the last index ${this.lastIndex()}`);
    }
    if (compactTo > snapshot.meta.index) throw new RaftError('INVALID_ARGUMENT', 'compactTo must not pass the snapshot index');
    if (snapshot.meta.index >= this.snap.meta.index) this.snap = snapshot;
    if (compactTo <= this.prevIndex) return;
    const term = this.term(compactTo)!;
    this.log = this.log.slice(compactTo - this.prevIndex);
    this.prevIndex = compactTo;
    this.prevTerm = term;
  }

  compact(snapshot: Snapshot, compactTo: number): Promise<void> {
    try {
      this.compactSync(snapshot, compactTo);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
