import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { type Database, open, type RootDatabase } from 'lmdb';
import { RaftError } from './errors';
import { RecentEntries } from './recent-entries';
import { emptySnapshot, type InitialState, limitSize, type RaftStorage, type StorageUpdate } from './storage';
import { type ConfState, EMPTY_HARD_STATE, type Entry, type EntryType, type HardState, type Logger, NOOP_LOGGER, type Snapshot, type SnapshotMeta } from './types';

/**
 * Log record framing inside LMDB values (version 1):
 *
 *   offset 0  u32  CRC-32 of bytes 4..end
 *   offset 4  u32  length of `data`
 *   offset 8  f64  index
 *   offset 16 f64  term
 *   offset 24 u8   entry type
 *   offset 25 ...  data
 *
 * LMDB commits are atomic, so a record cannot tear inside LMDB itself; the frame protects against
 * what LMDB cannot see: a lying disk, a file copied while written, bit rot. On open, a damaged
 * *last* record above the commit index is a torn tail (it was never acknowledged) and is
 * discarded; any other damage refuses to start.
 */
const HEADER = 25;
const META_HEADER = 8;

/** Options of {@link LmdbStorage.open}. */
export interface LmdbStorageOptions {
  logger?: Logger;
  /**
   * Commit writes on the calling thread (blocking it for the fsync) when probe commits at open take
   * at most this long, in ms; slower disks get asynchronous commits (the event loop goes on during
   * the fsync). 0 = always asynchronous. Default {@link DEFAULT_SYNC_COMMIT_MAX_MS}.
   */
  syncCommitMaxMs?: number;
}

/**
 * Largest synchronous commit time (ms) for which {@link LmdbStorage} commits on the calling thread:
 * the quickest of a few probe commits when the store opens (5 ms: an SSD commits in well under a
 * millisecond at steady state, ~1–2 ms for the first commits of a fresh file on a busy core; a
 * spinning disk takes 8 ms and more). Committing in place is cheaper than lmdb-js' asynchronous commit,
 * whose hand-offs between the main thread and the write thread took ~10 ms of wall time per write
 * with three cluster members on one busy core. On a slower disk the event loop would stall for too
 * long: writes then go through the write thread.
 */
export const DEFAULT_SYNC_COMMIT_MAX_MS = 5;

/** Probe commits when the store opens (the first commits to a fresh file are slower; the quickest counts). */
const SYNC_PROBES = 8;

/** Synchronous commit times kept while running. */
const SYNC_SAMPLES = 16;

/**
 * While running, commits stop being synchronous (until the store is reopened) once the quickest
 * of the last {@link SYNC_SAMPLES} took longer than this many times the limit. Not the limit
 * itself: on a busy core a commit's wall time also counts the time other processes ran meanwhile.
 */
const SYNC_SLOW_FACTOR = 10;

function frameEntry(e: Entry): Uint8Array {
  const buf = Buffer.allocUnsafe(HEADER + e.data.byteLength);
  buf.writeUInt32LE(e.data.byteLength, 4);
  buf.writeDoubleLE(e.index, 8);
  buf.writeDoubleLE(e.term, 16);
  buf.writeUInt8(e.type, 24);
  buf.set(e.data, HEADER);
  buf.writeUInt32LE(crc32(buf.subarray(4)), 0);
  return buf;
}

/** Decodes a framed record; returns a string describing the damage (with byte offset) on failure. */
function unframeEntry(buf: Uint8Array, expectIndex: number): Entry | string {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER) return `record shorter than its header (${b.length} < ${HEADER} bytes) at offset 0`;
  const len = b.readUInt32LE(4);
  if (b.length !== HEADER + len) return `record length ${b.length} does not match framed length ${HEADER + len} at offset 4`;
  if (crc32(b.subarray(4)) !== b.readUInt32LE(0)) return 'checksum mismatch at offset 0';
  const index = b.readDoubleLE(8);
  if (index !== expectIndex) return `record holds index ${index} under key ${expectIndex} at offset 8`;
  // Copy the payload out: LMDB buffers may be reused by later reads.
  return { index, term: b.readDoubleLE(16), type: b.readUInt8(24) as EntryType, data: Uint8Array.prototype.slice.call(b, HEADER) };
}

function frameMeta(value: Uint8Array): Uint8Array {
  const buf = Buffer.allocUnsafe(META_HEADER + value.byteLength);
  buf.writeUInt32LE(value.byteLength, 4);
  buf.set(value, META_HEADER);
  buf.writeUInt32LE(crc32(buf.subarray(4)), 0);
  return buf;
}

function unframeMeta(buf: Uint8Array): Uint8Array | string {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < META_HEADER) return 'record shorter than its header at offset 0';
  const len = b.readUInt32LE(4);
  if (b.length !== META_HEADER + len) return `record length ${b.length} does not match framed length at offset 4`;
  if (crc32(b.subarray(4)) !== b.readUInt32LE(0)) return 'checksum mismatch at offset 0';
  return Uint8Array.prototype.slice.call(b, META_HEADER);
}

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const unjson = <T>(b: Uint8Array): T => JSON.parse(new TextDecoder().decode(b)) as T;

/**
 * The embedded default {@link RaftStorage}: one LMDB environment in `dir` (files `data.mdb`,
 * `lock.mdb`), with sub-databases `log` (index → framed entry) and `meta` (hard state, snapshot,
 * log start). Every write is one LMDB transaction committed with fsync (no `noSync`, no
 * overlapping sync). On a fast disk it is committed on the calling thread (see
 * {@link DEFAULT_SYNC_COMMIT_MAX_MS}); otherwise asynchronously, and lmdb-js merges transactions
 * issued in the same event-loop turn into one commit (group commit). Either way `save` and
 * `compact` resolve only once the data is on disk. The Raft driver batches the proposals of a turn
 * into one `save` itself.
 *
 * Terms of the whole log are mirrored in memory (8 bytes per entry) so `term()` costs no read;
 * entries are read from the memory map on demand. A failed write rejects with STORAGE_FAILED;
 * the driver then stops the node.
 */
export class LmdbStorage implements RaftStorage {
  private hardState: HardState = { ...EMPTY_HARD_STATE };
  private snap: Snapshot = emptySnapshot();
  private prevIndex = 0;
  private prevTerm = 0;
  /** terms[i] is the term of entry prevIndex + 1 + i. */
  private terms: number[] = [];
  /** The newest entries as written, so hot reads skip LMDB (see {@link RecentEntries}). */
  private readonly recent = new RecentEntries();
  private closed = false;
  /** Commit on the calling thread (decided when opened; see {@link DEFAULT_SYNC_COMMIT_MAX_MS}). */
  private syncMode = false;
  /** Wall times of the latest synchronous commits, ms. */
  private readonly syncTimes: number[] = [];
  private readonly syncCommitMaxMs: number;

  private constructor(
    private readonly env: RootDatabase,
    private readonly logDb: Database<Uint8Array, number>,
    private readonly metaDb: Database<Uint8Array, string>,
    /** Path of the data file, for error messages. */
    readonly file: string,
    private readonly logger: Logger,
    syncCommitMaxMs: number = DEFAULT_SYNC_COMMIT_MAX_MS,
  ) {
    this.syncCommitMaxMs = syncCommitMaxMs;
  }

  /**
   * Runs `write` in one durable transaction: on this thread in synchronous mode (see
   * {@link DEFAULT_SYNC_COMMIT_MAX_MS}), else through lmdb-js' write thread.
   */
  private async commit(write: () => void): Promise<void> {
    if (!this.syncMode) {
      await this.env.transaction(write);
      return;
    }
    const started = performance.now();
    this.env.transactionSync(write);
    this.syncTimes.push(performance.now() - started);
    if (this.syncTimes.length > SYNC_SAMPLES) this.syncTimes.shift();
    if (this.syncTimes.length === SYNC_SAMPLES && Math.min(...this.syncTimes) > this.syncCommitMaxMs * SYNC_SLOW_FACTOR) {
      this.syncMode = false;
      this.logger.warn('raft store commits became slow; committing asynchronously from now on', { file: this.file, quickestMs: Math.min(...this.syncTimes) });
    }
  }

  /** Decides the commit mode from a few probe commits (a key of its own, rewritten). */
  private probeSyncCommit(): void {
    if (this.syncCommitMaxMs <= 0) return;
    let quickest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < SYNC_PROBES; i++) {
      const started = performance.now();
      this.env.transactionSync(() => {
        this.metaDb.put('syncProbe', frameMeta(json({ at: Date.now() })));
      });
      quickest = Math.min(quickest, performance.now() - started);
    }
    this.syncMode = quickest <= this.syncCommitMaxMs;
    this.logger.debug('raft store commit mode', { file: this.file, sync: this.syncMode, quickestProbeMs: quickest });
  }

  /**
   * Opens (creating if needed) the store in directory `dir` and checks it. Rejects with RaftError
   * CORRUPTED naming the file, the record and the byte offset when anything but a torn last
   * record is damaged; a torn last record is removed (with a warning) before resolving.
   */
  static async open(dir: string, options: LmdbStorageOptions = {}): Promise<LmdbStorage> {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'data.mdb');
    let env: RootDatabase;
    try {
      env = open({ path: dir, maxDbs: 4, overlappingSync: false, noSync: false, compression: false });
    } catch (err) {
      throw new RaftError('CORRUPTED', `cannot open raft store ${file}: ${(err as Error).message}`, { cause: err });
    }
    const logDb = env.openDB<Uint8Array, number>({ name: 'log', keyEncoding: 'uint32', encoding: 'binary' });
    const metaDb = env.openDB<Uint8Array, string>({ name: 'meta', encoding: 'binary' });
    const store = new LmdbStorage(env, logDb, metaDb, file, options.logger ?? NOOP_LOGGER, options.syncCommitMaxMs);
    try {
      await store.load();
      store.probeSyncCommit();
    } catch (err) {
      await env.close();
      throw err;
    }
    return store;
  }

  private readMeta<T>(key: string): T | undefined {
    const raw = this.metaDb.getBinary(key);
    if (raw === undefined) return undefined;
    const body = unframeMeta(raw);
    if (typeof body === 'string') {
      throw new RaftError('CORRUPTED', `raft store ${this.file}: meta record "${key}" is damaged: ${body}`);
    }
    return key === 'snapData' ? (body as T) : unjson<T>(body);
  }

  private async load(): Promise<void> {
    this.hardState = this.readMeta<HardState>('hardState') ?? { ...EMPTY_HARD_STATE };
    const meta = this.readMeta<SnapshotMeta>('snapMeta');
    if (meta) this.snap = { meta, data: this.readMeta<Uint8Array>('snapData') ?? new Uint8Array(0) };
    const prev = this.readMeta<{ index: number; term: number }>('logPrev') ?? { index: this.snap.meta.index, term: this.snap.meta.term };
    this.prevIndex = prev.index;
    this.prevTerm = prev.term;

    const keys = [...this.logDb.getKeys({ start: 0 })] as number[];
    let expect = this.prevIndex + 1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const where = `raft store ${this.file}: log record ${key}`;
      if (key !== expect) throw new RaftError('CORRUPTED', `${where}: expected index ${expect} (gap in the log)`);
      const decoded = unframeEntry(this.logDb.getBinary(key)!, key);
      if (typeof decoded === 'string') {
        const isLast = i === keys.length - 1;
        if (isLast && key > this.hardState.commit) {
          // Torn tail: never committed here, so never acknowledged by this member as durable.
          this.logger.warn('discarding torn last log record', { file: this.file, index: key, detail: decoded });
          await this.commit(() => {
            this.logDb.remove(key);
          });
          break;
        }
        throw new RaftError('CORRUPTED', `${where} is damaged: ${decoded}`);
      }
      this.terms.push(decoded.term);
      expect++;
    }
    if (this.hardState.commit > this.lastIndex()) {
      throw new RaftError(
        'CORRUPTED',
        `raft store ${this.file}: commit index ${this.hardState.commit} is past the last log record ${this.lastIndex()}`,
      );
    }
  }

  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: this.snap.meta.confState as ConfState };
  }

  firstIndex(): number {
    return this.prevIndex + 1;
  }

  lastIndex(): number {
    return this.prevIndex + this.terms.length;
  }

  term(index: number): number | undefined {
    if (index === this.prevIndex) return this.prevTerm;
    if (index < this.prevIndex || index > this.lastIndex()) return undefined;
    return this.terms[index - this.prevIndex - 1];
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo < this.firstIndex()) throw new RaftError('COMPACTED', `entry ${lo} is compacted (first index ${this.firstIndex()})`);
    if (hi > this.lastIndex() + 1) throw new RaftError('UNAVAILABLE', `entry ${hi - 1} is past the last index ${this.lastIndex()}`);
    const cached = this.recent.slice(lo, hi, maxBytes);
    if (cached) return cached;
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < hi; i++) {
      const raw = this.logDb.getBinary(i);
      const e = raw === undefined ? `missing` : unframeEntry(raw, i);
      if (typeof e === 'string') {
        throw new RaftError('STORAGE_FAILED', `raft store ${this.file}: log record ${i} unreadable: ${e}`);
      }
      size += e.data.byteLength + 24;
      if (maxBytes !== undefined && out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return limitSize(out, maxBytes);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  async save(update: StorageUpdate): Promise<void> {
    this.assertOpen();
    const { hardState, snapshot, entries } = update;
    let prevIndex = this.prevIndex;
    let prevTerm = this.prevTerm;
    let terms = this.terms;
    let appended: number[] | undefined;
    let removeFrom = -1;
    let removeTo = -1;
    if (snapshot) {
      removeFrom = this.firstIndex();
      removeTo = this.lastIndex();
      prevIndex = snapshot.meta.index;
      prevTerm = snapshot.meta.term;
      terms = [];
    }
    if (entries && entries.length > 0) {
      const first = entries[0].index;
      const last = prevIndex + terms.length;
      if (first > last + 1 || first <= prevIndex) {
        throw new RaftError('STORAGE_FAILED', `cannot append entry ${first} to log (${prevIndex}, ${last}]`);
      }
      if (first <= last && !snapshot) {
        removeFrom = first;
        removeTo = last;
      }
      // The common case, entries right after the last one, extends the array in place once the
      // write succeeded; copying it made every append O(log length) (a 66,000-entry log halved the
      // single-writer rate).
      if (first === last + 1 && !snapshot) appended = entries.map((e) => e.term);
      else terms = terms.slice(0, first - prevIndex - 1).concat(entries.map((e) => e.term));
    }
    try {
      await this.commit(() => {
        for (let i = removeFrom; removeFrom > 0 && i <= removeTo; i++) this.logDb.remove(i);
        if (snapshot) {
          this.metaDb.put('snapMeta', frameMeta(json(snapshot.meta)));
          this.metaDb.put('snapData', frameMeta(snapshot.data));
          this.metaDb.put('logPrev', frameMeta(json({ index: prevIndex, term: prevTerm })));
        }
        if (entries) for (const e of entries) this.logDb.put(e.index, frameEntry(e));
        if (hardState) this.metaDb.put('hardState', frameMeta(json(hardState)));
      });
    } catch (err) {
      throw new RaftError('STORAGE_FAILED', `raft store ${this.file}: write failed`, { cause: err });
    }
    this.prevIndex = prevIndex;
    this.prevTerm = prevTerm;
    if (appended) for (const term of appended) this.terms.push(term);
    else this.terms = terms;
    if (snapshot) this.recent.clear();
    else if (removeFrom > 0) this.recent.truncateFrom(removeFrom);
    if (entries) this.recent.append(entries);
    if (snapshot) this.snap = snapshot;
    if (hardState) this.hardState = { ...hardState };
  }

  async compact(snapshot: Snapshot, compactTo: number): Promise<void> {
    this.assertOpen();
    if (snapshot.meta.index > this.lastIndex()) {
      throw new RaftError('UNAVAILABLE', `snapshot index ${snapshot.meta.index} is past the last index ${this.lastIndex()}`);
    }
    if (compactTo > snapshot.meta.index) throw new RaftError('INVALID_ARGUMENT', 'compactTo must not pass the snapshot index');
    const newer = snapshot.meta.index >= this.snap.meta.index;
    const from = this.firstIndex();
    const to = Math.max(compactTo, this.prevIndex);
    const term = this.term(to)!;
    try {
      await this.commit(() => {
        if (newer) {
          this.metaDb.put('snapMeta', frameMeta(json(snapshot.meta)));
          this.metaDb.put('snapData', frameMeta(snapshot.data));
        }
        this.metaDb.put('logPrev', frameMeta(json({ index: to, term })));
        for (let i = from; i <= to; i++) this.logDb.remove(i);
      });
    } catch (err) {
      throw new RaftError('STORAGE_FAILED', `raft store ${this.file}: compaction failed`, { cause: err });
    }
    if (newer) this.snap = snapshot;
    // Entries may have been appended meanwhile; drop only the compacted prefix.
    this.terms = this.terms.slice(to - this.prevIndex);
    this.recent.dropThrough(to);
    this.prevIndex = to;
    this.prevTerm = term;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.env.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new RaftError('STOPPED', `raft store ${this.file} is closed`);
  }
}

/** Test hooks: low-level access for damaging records on purpose. Not part of the stable API. */
export const LMDB_FRAMING = { frameEntry, unframeEntry, HEADER };
