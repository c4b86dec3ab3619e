import type { TypedKey } from './typed-key';
import type { VersionedEntry } from './versioned-entry';

/** An entry as a node stores it: the replicated entry plus local bookkeeping. */
export interface StoredEntry extends VersionedEntry {
  /** Local `Clock.now()` when this node stored the entry; tombstones are purged a TTL after it. */
  readonly storedAt: number;
}

/**
 * Where a node keeps its entries (Nacos' `DistroDataStorage`). Ephemeral data lives in memory, so
 * the interface is synchronous; the node is the only writer. Entries handed in or out are
 * immutable and must not be mutated. A storage failure is a programming error: methods should not
 * throw, and a throw propagates to the caller of the node method that caused it.
 */
export interface DistroStorage {
  get(type: string, key: string): StoredEntry | undefined;
  set(type: string, key: string, entry: StoredEntry): void;
  delete(type: string, key: string): void;
  /** Every stored entry (tombstones included), in a deterministic order. */
  entries(): Iterable<[TypedKey, StoredEntry]>;
  /** Number of stored entries, tombstones included. */
  size(): number;
}

/** The in-memory {@link DistroStorage}: one Map per type, iteration in insertion order. */
export class MemoryStorage implements DistroStorage {
  private readonly byType = new Map<string, Map<string, StoredEntry>>();

  get(type: string, key: string): StoredEntry | undefined {
    return this.byType.get(type)?.get(key);
  }

  set(type: string, key: string, entry: StoredEntry): void {
    let m = this.byType.get(type);
    if (m === undefined) {
      m = new Map();
      this.byType.set(type, m);
    }
    m.set(key, entry);
  }

  delete(type: string, key: string): void {
    this.byType.get(type)?.delete(key);
  }

  *entries(): Iterable<[TypedKey, StoredEntry]> {
    for (const [type, m] of this.byType) for (const [key, entry] of m) yield [{ type, key }, entry];
  }

  size(): number {
    let n = 0;
    for (const m of this.byType.values()) n += m.size;
    return n;
  }
}
