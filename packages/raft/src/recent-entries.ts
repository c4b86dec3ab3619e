import { limitSize } from './storage';
import { type Entry, entrySize } from './types';

/**
 * The newest log entries, kept in memory once written, so the hot reads of a busy member (entries a
 * leader sends to its followers, committed entries every member applies) cost no LMDB lookup,
 * checksum and copy: ~2–3 µs per entry per read in a micro-benchmark, paid once or twice per write on
 * every member. Always one contiguous run ending at the store's last index, bounded by count and bytes;
 * older entries are read from the store as before.
 */
export class RecentEntries {
  private list: Entry[] = [];
  private bytes = 0;

  constructor(
    private readonly maxEntries = 4096,
    private readonly maxBytes = 8 * 1024 * 1024,
  ) {}

  /** Index of the oldest entry held (Infinity when empty). */
  get first(): number {
    return this.list.length > 0 ? this.list[0].index : Number.POSITIVE_INFINITY;
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.list.length;
  }

  /** Adds entries written right after the store's previous last index (they start a new run if they do not follow the held one). */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const last = this.list[this.list.length - 1];
    if (last && last.index + 1 !== entries[0].index) this.clear();
    for (const e of entries) {
      this.list.push(e);
      this.bytes += entrySize(e);
    }
    this.trim();
  }

  /** Forgets entries from `index` on (a new leader overwrote them). */
  truncateFrom(index: number): void {
    const keep = index - this.first;
    if (keep <= 0) {
      this.clear();
      return;
    }
    if (keep >= this.list.length) return;
    for (let i = keep; i < this.list.length; i++) this.bytes -= entrySize(this.list[i]);
    this.list.length = keep;
  }

  /** Forgets entries up to and including `index` (compacted away). */
  dropThrough(index: number): void {
    const drop = Math.min(index - this.first + 1, this.list.length);
    if (drop <= 0) return;
    this.dropFront(drop);
  }

  clear(): void {
    this.list = [];
    this.bytes = 0;
  }

  /**
   * Entries [lo, hi) limited to `maxBytes` like `RaftStorage.entries` (the first always counts), or
   * undefined when `lo` is older than what is held. `hi` must not pass the store's last index + 1.
   */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] | undefined {
    const first = this.first;
    if (lo < first || hi - 1 > first + this.list.length - 1) return undefined;
    return limitSize(this.list.slice(lo - first, hi - first), maxBytes);
  }

  /**
   * Once over a bound, drops down to three quarters of it: dropping just the overflow spliced the
   * front of a 4,096-entry array on every append, ~1 % of each member's CPU under load.
   */
  private trim(): void {
    if (this.list.length <= this.maxEntries && this.bytes <= this.maxBytes) return;
    const keepEntries = Math.max(1, Math.floor((this.maxEntries * 3) / 4));
    const keepBytes = Math.floor((this.maxBytes * 3) / 4);
    let drop = 0;
    while (this.list.length - drop > keepEntries || (this.bytes > keepBytes && this.list.length - drop > 1)) {
      this.bytes -= entrySize(this.list[drop]);
      drop++;
    }
    this.list.splice(0, drop);
  }

  private dropFront(n: number): void {
    for (let i = 0; i < n; i++) this.bytes -= entrySize(this.list[i]);
    this.list.splice(0, n);
  }
}
