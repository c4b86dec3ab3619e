import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RaftError } from './errors';
import { LmdbStorage } from './lmdb-storage';
import { RaftNode } from './raft-node';
import { MemoryStorage, type RaftStorage, type StorageUpdate } from './storage';
import { KvStateMachine } from './testing/kv';
import { InMemoryNetwork } from './transport';

const put = (key: string, value: string) => KvStateMachine.encode({ op: 'put', key, value });

/** Counts durable writes, to check group commit. */
function counting(storage: RaftStorage): RaftStorage & { saves: StorageUpdate[] } {
  const saves: StorageUpdate[] = [];
  return Object.assign(Object.create(storage) as RaftStorage, {
    saves,
    save(update: StorageUpdate) {
      saves.push(update);
      return storage.save(update);
    },
  });
}

describe('RaftNode, one member', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'raft-node-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function startNode(opts: { snapshotEntries?: number; snapshotLogRatio?: number; sm?: KvStateMachine; storage?: RaftStorage; commitTimeoutMs?: number } = {}) {
    const sm = opts.sm ?? new KvStateMachine();
    const storage = opts.storage ?? (await LmdbStorage.open(join(dir, 'raft')));
    const node = new RaftNode({
      id: 'a',
      peers: ['a'],
      storage,
      transport: new InMemoryNetwork().transport('a'),
      stateMachine: sm,
      tickMs: 10,
      snapshotEntries: opts.snapshotEntries,
      snapshotLogRatio: opts.snapshotLogRatio,
      commitTimeoutMs: opts.commitTimeoutMs,
    });
    await node.start();
    return { node, sm, storage };
  }

  it('is leader right after start and resolves a proposal with apply()s return value', async () => {
    const { node, sm } = await startNode();
    expect(node.status().role).toBe('LEADER');
    expect(await node.propose(put('k', 'v1'))).toBeNull();
    expect(await node.propose(put('k', 'v2'))).toBe('v1');
    expect(sm.data.get('k')).toBe('v2');
    await node.readIndex();
    await node.stop();
  });

  it('restores state on restart from the same directory', async () => {
    const first = await startNode();
    for (let i = 0; i < 20; i++) await first.node.propose(put(`k${i}`, `v${i}`));
    await first.node.stop();
    const second = await startNode();
    expect(second.sm.data.size).toBe(20);
    expect(second.sm.data.get('k19')).toBe('v19');
    expect(await second.node.propose(put('k0', 'x'))).toBe('v0');
    await second.node.stop();
  });

  it('group-commits concurrent proposals into few writes', async () => {
    const storage = counting(await LmdbStorage.open(join(dir, 'raft')));
    const { node, sm } = await startNode({ storage });
    const before = storage.saves.length;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => node.propose(put(`k${i}`, 'v'))));
    expect(results).toHaveLength(200);
    expect(sm.data.size).toBe(200);
    const writes = storage.saves.length - before;
    // One write for the batch, plus at most a couple for stragglers and commit-index updates.
    expect(writes).toBeLessThanOrEqual(3);
    await node.stop();
  });

  it('answers a proposal only after its own write finished when it is the only voter', async () => {
    // A lone voter commits an entry as it appends it: the answer must still wait for the fsync.
    const inner = new MemoryStorage();
    let gate: (() => void) | undefined;
    let armed = false;
    const gated = Object.assign(Object.create(inner) as RaftStorage, {
      save(update: StorageUpdate) {
        if (!armed || !update.entries?.length) return inner.save(update);
        return new Promise<void>((resolve) => {
          gate = () => resolve(inner.save(update));
        });
      },
    });
    const { node, sm } = await startNode({ storage: gated });
    armed = true;
    let answered = false;
    const done = node.propose(put('k', 'v')).then(() => {
      answered = true;
    });
    for (let i = 0; i < 20 && !gate; i++) await new Promise((r) => setTimeout(r, 5));
    expect(gate).toBeDefined();
    await new Promise((r) => setTimeout(r, 30));
    expect(answered).toBe(false);
    expect(sm.data.get('k')).toBeUndefined();
    gate?.();
    await done;
    expect(sm.data.get('k')).toBe('v');
    await node.stop();
  });

  it('rejects a proposal with TIMEOUT once commitTimeoutMs passed without a commit, and only then', async () => {
    // The write never finishes, so the entry cannot commit.
    const inner = new MemoryStorage();
    let armed = false;
    let release: (() => void) | undefined;
    const stuck = Object.assign(Object.create(inner) as RaftStorage, {
      save(update: StorageUpdate) {
        if (!armed || !update.entries?.length) return inner.save(update);
        return new Promise<void>((resolve) => {
          release = () => resolve(inner.save(update));
        });
      },
    });
    const { node } = await startNode({ storage: stuck, commitTimeoutMs: 100 });
    armed = true;
    const started = Date.now();
    let settled = false;
    const outcome = node.propose(put('k', 'v')).then(
      () => 'committed',
      (err: RaftError) => err.code,
    );
    void outcome.then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 60));
    expect(settled).toBe(false);
    expect(await outcome).toBe('TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    release?.();
    await node.stop();
  });

  it('waitApplied resolves true once the index is applied, false on timeout or stop', async () => {
    const { node } = await startNode({ storage: new MemoryStorage() });
    const next = node.status().appliedIndex + 1;
    const waiting = node.waitApplied(next, 2000);
    await node.propose(put('k', 'v'));
    await expect(waiting).resolves.toBe(true);
    await expect(node.waitApplied(next, 10)).resolves.toBe(true);
    await expect(node.waitApplied(next + 100, 20)).resolves.toBe(false);
    const stopped = node.waitApplied(next + 100, 5000);
    await node.stop();
    await expect(stopped).resolves.toBe(false);
  });

  it('takes snapshots, compacts the log, and restarts from snapshot plus log', async () => {
    const first = await startNode({ snapshotEntries: 50 });
    for (let i = 0; i < 130; i++) await first.node.propose(put(`k${i % 40}`, `v${i}`));
    const st = first.node.status();
    expect(st.snapshotIndex).toBeGreaterThanOrEqual(100);
    expect(first.storage.firstIndex()).toBeGreaterThan(50);
    await first.node.stop();

    const sm = new KvStateMachine();
    const second = await startNode({ snapshotEntries: 50, sm });
    expect(sm.restores).toBe(1);
    expect(sm.data.get('k9')).toBe('v129');
    expect(sm.data.get('k10')).toBe('v90');
    // Only entries after the snapshot were replayed.
    expect(Math.min(...sm.applied)).toBeGreaterThan(st.snapshotIndex);
    await second.node.stop();
  });

  it('spaces snapshots by bytes once the state outgrows the writes since the last one', async () => {
    // Every write adds a key: the state (and each snapshot) grows with every entry.
    const snapshotsAfter = async (ratio: number | undefined) => {
      const n = await startNode({ snapshotEntries: 20, snapshotLogRatio: ratio, storage: new MemoryStorage() });
      const taken: number[] = [];
      let last = 0;
      for (let i = 0; i < 300; i++) {
        await n.node.propose(put(`key-${i}`, `value-${i}`));
        const at = n.node.status().snapshotIndex;
        if (at !== last) taken.push(at);
        last = at;
      }
      await n.node.stop();
      return taken;
    };
    const byEntries = await snapshotsAfter(0);
    const byBytes = await snapshotsAfter(undefined);
    // Entries only: one every 20 entries.
    expect(byEntries.length).toBeGreaterThanOrEqual(13);
    // Default ratio 1: the first at 20 entries, then each once the log since carries the previous
    // snapshot's bytes, so the gaps grow with the state.
    expect(byBytes[0]).toBe(byEntries[0]);
    expect(byBytes.length).toBeGreaterThanOrEqual(2);
    expect(byBytes.length).toBeLessThan(byEntries.length / 2);
    const gaps = byBytes.slice(1).map((at, i) => at - byBytes[i]!);
    expect(gaps[gaps.length - 1]).toBeGreaterThan(gaps[0]!);
  });

  it('rejects with STOPPED after stop and NOT_LEADER on a follower', async () => {
    const { node } = await startNode({ storage: new MemoryStorage() });
    await node.stop();
    await expect(node.propose(put('a', 'b'))).rejects.toMatchObject({ code: 'STOPPED' });
    const follower = new RaftNode({
      id: 'b',
      peers: ['a', 'b', 'c'],
      storage: new MemoryStorage(),
      transport: new InMemoryNetwork().transport('b'),
      stateMachine: new KvStateMachine(),
      tickMs: 1000,
    });
    await follower.start();
    const err = await follower.propose(put('a', 'b')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RaftError);
    expect((err as RaftError).code).toBe('NOT_LEADER');
    await expect(follower.readIndex()).rejects.toMatchObject({ code: 'NOT_LEADER' });
    await follower.stop();
  });
});
