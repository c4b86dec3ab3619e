import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStorage } from './lmdb-storage';
import { RecentEntries } from './recent-entries';
import { MemoryStorage } from './storage';
import { ENTRY_TYPES, type Entry, type Snapshot } from './types';

const entry = (index: number, term: number, bytes = 8): Entry => ({
  index,
  term,
  type: ENTRY_TYPES.COMMAND,
  data: new TextEncoder().encode(`${index}/${term}/`.padEnd(bytes, '.')),
});
const run = (from: number, to: number, term: number) => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));
const view = (list: Entry[]) => list.map((e) => `${e.index}/${e.term}/${e.data.byteLength}`);

describe('RecentEntries', () => {
  it('holds one run ending at the last write, bounded by count and bytes', () => {
    const recent = new RecentEntries(5, 1_000);
    recent.append(run(1, 4, 1));
    expect(view(recent.slice(2, 5)!)).toEqual(['2/1/8', '3/1/8', '4/1/8']);
    recent.append(run(5, 7, 1));
    expect(recent.first).toBe(5); // over 5 entries: trimmed to 3 (three quarters), not just to 5
    expect(recent.slice(2, 8)).toBeUndefined(); // older than held: the caller reads the store
    recent.append([entry(8, 1, 9)]);
    expect(recent.first).toBe(5); // 4 entries: within the bound, nothing dropped
    recent.append([entry(9, 1, 200)]); // 5 entries, 353 bytes: within both bounds
    expect(recent.first).toBe(5);
    recent.append([entry(10, 1, 900)]); // 6 entries, 1,277 bytes: trimmed to 750 bytes, so only 10 (924) is left
    expect(recent.first).toBe(10);
    recent.append(run(20, 21, 2)); // not following 10: a new run
    expect(view(recent.slice(20, 22)!)).toEqual(['20/2/8', '21/2/8']);
    expect(recent.slice(10, 11)).toBeUndefined();
  });

  it('limits a slice by bytes like RaftStorage.entries (the first entry always counts)', () => {
    const recent = new RecentEntries();
    recent.append([entry(1, 1, 100), entry(2, 1, 100), entry(3, 1, 100)]);
    expect(recent.slice(1, 4, 10)!.map((e) => e.index)).toEqual([1]);
    expect(recent.slice(1, 4, 250)!.map((e) => e.index)).toEqual([1, 2]);
  });

  it('forgets overwritten and compacted entries', () => {
    const recent = new RecentEntries();
    recent.append(run(1, 10, 1));
    recent.truncateFrom(6);
    recent.append(run(6, 8, 2));
    expect(view(recent.slice(5, 9)!)).toEqual(['5/1/8', '6/2/8', '7/2/8', '8/2/8']);
    recent.dropThrough(6);
    expect(recent.first).toBe(7);
    recent.truncateFrom(3);
    expect(recent.size).toBe(0);
  });
});

describe('LmdbStorage with its recent-entries cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'raft-recent-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers entries() exactly like MemoryStorage through appends, overwrites, snapshots, compaction and reopening', async () => {
    // A seeded walk of the operations a Raft member performs; after each, every range is compared.
    let seed = 20261124;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const model = new MemoryStorage();
    let store = await LmdbStorage.open(dir);
    let term = 1;
    const confState = { voters: ['a'], learners: [] };
    try {
      for (let step = 0; step < 200; step++) {
        const last = model.lastIndex();
        const first = model.firstIndex();
        const roll = random();
        if (roll < 0.55 || last === 0) {
          const n = 1 + Math.floor(random() * 40);
          const update = { entries: run(last + 1, last + n, term) };
          model.saveSync(update);
          await store.save(update);
        } else if (roll < 0.7 && last >= first) {
          // A new leader overwrites a suffix.
          term++;
          const from = first + Math.floor(random() * (last - first + 1));
          const update = { entries: run(from, from + Math.floor(random() * 10), term) };
          model.saveSync(update);
          await store.save(update);
        } else if (roll < 0.8 && last >= first) {
          const to = first + Math.floor(random() * (last - first + 1));
          const snapshot: Snapshot = { meta: { index: to, term: model.term(to)!, confState }, data: new Uint8Array([step & 255]) };
          await model.compact(snapshot, to);
          await store.compact(snapshot, to);
        } else if (roll < 0.85) {
          // A snapshot from the leader replaces the log; entries may follow it in the same write.
          term++;
          const index = last + 1 + Math.floor(random() * 20);
          const update = { snapshot: { meta: { index, term, confState }, data: new Uint8Array([1]) } as Snapshot, entries: run(index + 1, index + 3, term) };
          model.saveSync(update);
          await store.save(update);
        } else if (roll < 0.9) {
          await store.close();
          store = await LmdbStorage.open(dir);
        }
        expect([store.firstIndex(), store.lastIndex()]).toEqual([model.firstIndex(), model.lastIndex()]);
        for (let k = 0; k < 5; k++) {
          const lo = model.firstIndex() + Math.floor(random() * (model.lastIndex() - model.firstIndex() + 1));
          const hi = lo + Math.floor(random() * (model.lastIndex() + 2 - lo));
          const maxBytes = random() < 0.5 ? undefined : Math.floor(random() * 400);
          expect(view(store.entries(lo, hi, maxBytes))).toEqual(view(model.entries(lo, hi, maxBytes)));
        }
      }
    } finally {
      await store.close();
    }
  });
});
