import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { RaftError } from './errors';
import { LmdbStorage } from './lmdb-storage';
import { ENTRY_TYPES, type Entry } from './types';

const entry = (index: number, term: number, text = `e${index}`): Entry => ({ index, term, type: ENTRY_TYPES.COMMAND, data: new TextEncoder().encode(text) });
const range = (from: number, to: number, term: number) => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));

/** Rewrites one raw log record, bypassing the store, as a damaged disk would. */
async function damage(dir: string, index: number, edit: (raw: Buffer) => Buffer): Promise<void> {
  const env = open({ path: dir, maxDbs: 4 });
  const log = env.openDB<Buffer, number>({ name: 'log', keyEncoding: 'uint32', encoding: 'binary' });
  const raw = Buffer.from(log.getBinary(index)!);
  await log.put(index, edit(raw));
  await env.close();
}

describe('LmdbStorage', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'raft-lmdb-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('recovers hard state, log and snapshot after reopening', async () => {
    const s = await LmdbStorage.open(dir);
    await s.save({ hardState: { term: 3, vote: 'b', commit: 8 }, entries: range(1, 10, 3) });
    await s.compact({ meta: { index: 6, term: 3, confState: { voters: ['a', 'b'], learners: [] } }, data: new Uint8Array([1, 2, 3]) }, 4);
    await s.close();

    const r = await LmdbStorage.open(dir);
    expect(r.initialState()).toEqual({ hardState: { term: 3, vote: 'b', commit: 8 }, confState: { voters: ['a', 'b'], learners: [] } });
    expect(r.firstIndex()).toBe(5);
    expect(r.lastIndex()).toBe(10);
    expect(r.term(4)).toBe(3);
    expect(r.term(3)).toBeUndefined();
    expect(r.entries(5, 11).map((e) => e.index)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(new TextDecoder().decode(r.entries(7, 8)[0].data)).toBe('e7');
    expect([...r.snapshot().data]).toEqual([1, 2, 3]);
    expect(() => r.entries(2, 5)).toThrow(RaftError);
    await r.close();
  });

  it('keeps the same durable log whether it commits on the calling thread or asynchronously', async () => {
    for (const syncCommitMaxMs of [0, 1000]) {
      const sub = join(dir, `sync-${syncCommitMaxMs}`);
      const s = await LmdbStorage.open(sub, { syncCommitMaxMs });
      await s.save({ hardState: { term: 2, vote: 'a', commit: 3 }, entries: range(1, 5, 2) });
      await s.save({ entries: [entry(6, 2)] });
      await s.compact({ meta: { index: 3, term: 2, confState: { voters: ['a'], learners: [] } }, data: new Uint8Array([7]) }, 2);
      await s.close();
      const r = await LmdbStorage.open(sub, { syncCommitMaxMs });
      expect([r.firstIndex(), r.lastIndex(), r.initialState().hardState.commit, [...r.snapshot().data]]).toEqual([3, 6, 3, [7]]);
      await r.close();
    }
  });

  it('truncates a conflicting suffix and replaces the log with a received snapshot', async () => {
    const s = await LmdbStorage.open(dir);
    await s.save({ entries: range(1, 10, 1) });
    await s.save({ entries: [entry(6, 2, 'new6')] });
    expect(s.lastIndex()).toBe(6);
    expect(s.term(6)).toBe(2);
    await s.save({ snapshot: { meta: { index: 20, term: 4, confState: { voters: ['a'], learners: [] } }, data: new Uint8Array([9]) } });
    expect(s.firstIndex()).toBe(21);
    expect(s.lastIndex()).toBe(20);
    expect(s.term(20)).toBe(4);
    await s.save({ entries: [entry(21, 4)] });
    await s.close();
    const r = await LmdbStorage.open(dir);
    expect([r.firstIndex(), r.lastIndex(), r.term(21)]).toEqual([21, 21, 4]);
    await r.close();
  });

  it('discards a torn last record above the commit index', async () => {
    const s = await LmdbStorage.open(dir);
    await s.save({ hardState: { term: 1, vote: '', commit: 4 }, entries: range(1, 5, 1) });
    await s.close();
    await damage(dir, 5, (raw) => raw.subarray(0, raw.length - 1)); // cut short
    const warnings: string[] = [];
    const r = await LmdbStorage.open(dir, { logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} } });
    expect(r.lastIndex()).toBe(4);
    expect(warnings).toEqual(['discarding torn last log record']);
    await r.close();
    // The discard was persisted.
    const again = await LmdbStorage.open(dir);
    expect(again.lastIndex()).toBe(4);
    await again.close();
  });

  it('refuses to start on a damaged record in the middle, naming file, record and offset', async () => {
    const s = await LmdbStorage.open(dir);
    await s.save({ hardState: { term: 1, vote: '', commit: 2 }, entries: range(1, 5, 1) });
    await s.close();
    await damage(dir, 3, (raw) => {
      raw[raw.length - 1] ^= 0xff; // bit rot in the payload
      return raw;
    });
    const err = await LmdbStorage.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RaftError);
    expect((err as RaftError).code).toBe('CORRUPTED');
    expect((err as RaftError).message).toContain(join(dir, 'data.mdb'));
    expect((err as RaftError).message).toMatch(/log record 3 .*checksum mismatch at offset 0/);
  });

  it('refuses a damaged last record that was already committed', async () => {
    const s = await LmdbStorage.open(dir);
    await s.save({ hardState: { term: 1, vote: '', commit: 5 }, entries: range(1, 5, 1) });
    await s.close();
    await damage(dir, 5, (raw) => raw.subarray(0, 10));
    await expect(LmdbStorage.open(dir)).rejects.toMatchObject({ code: 'CORRUPTED', message: expect.stringContaining('offset') });
  });

  it('refuses a damaged hard state record, naming the file', async () => {
    const s = await LmdbStorage.open(dir);
    await s.save({ hardState: { term: 4, vote: 'a', commit: 0 } });
    await s.close();
    const env = open({ path: dir, maxDbs: 4 });
    const meta = env.openDB<Buffer, string>({ name: 'meta', encoding: 'binary' });
    const raw = Buffer.from(meta.getBinary('hardState')!);
    raw[raw.length - 2] ^= 0x01;
    await meta.put('hardState', raw);
    await env.close();
    const err = (await LmdbStorage.open(dir).catch((e: unknown) => e)) as RaftError;
    expect(err.code).toBe('CORRUPTED');
    expect(err.message).toContain(join(dir, 'data.mdb'));
    expect(err.message).toContain('"hardState"');
  });

  it('refuses a gap in the log', async () => {
    const s = await LmdbStorage.open(dir);
    await s.save({ entries: range(1, 5, 1) });
    await s.close();
    const env = open({ path: dir, maxDbs: 4 });
    const log = env.openDB({ name: 'log', keyEncoding: 'uint32', encoding: 'binary' });
    await log.remove(3);
    await env.close();
    await expect(LmdbStorage.open(dir)).rejects.toMatchObject({ code: 'CORRUPTED', message: expect.stringContaining('gap') });
  });

  it('compacts while keeping trailing entries and survives reopen', async () => {
    const s = await LmdbStorage.open(dir);
    await s.save({ hardState: { term: 2, vote: 'a', commit: 1000 }, entries: range(1, 1000, 2) });
    await s.compact({ meta: { index: 900, term: 2, confState: { voters: ['a'], learners: [] } }, data: new Uint8Array(100_000) }, 800);
    expect(s.firstIndex()).toBe(801);
    await s.save({ entries: range(1001, 1010, 2) });
    await s.close();
    const r = await LmdbStorage.open(dir);
    expect([r.firstIndex(), r.lastIndex(), r.snapshot().meta.index, r.snapshot().data.byteLength]).toEqual([801, 1010, 900, 100_000]);
    await r.close();
  });
});
