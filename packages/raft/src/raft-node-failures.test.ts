import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RaftError } from './errors';
import { LmdbStorage } from './lmdb-storage';
import { RaftNode } from './raft-node';
import { MemoryStorage, type StorageUpdate } from './storage';
import { KvStateMachine } from './testing/kv';
import { mulberry32 } from './testing/rng';
import { until } from './testing/until';
import { InMemoryNetwork } from './transport';

const put = (key: string, value: string) => KvStateMachine.encode({ op: 'put', key, value });

/** A MemoryStorage whose writes can be made to fail. */
class FailingStorage extends MemoryStorage {
  fail = false;
  override save(update: StorageUpdate): Promise<void> {
    if (this.fail) return Promise.reject(new Error('disk full'));
    return super.save(update);
  }
}

describe('RaftNode failure handling', () => {
  it('stops on a storage failure: waiting and later calls reject with STORAGE_FAILED, onFatal fires', async () => {
    const storage = new FailingStorage();
    const fatal: RaftError[] = [];
    const node = new RaftNode({ id: 'a', peers: ['a'], storage, transport: new InMemoryNetwork().transport('a'), stateMachine: new KvStateMachine(), onFatal: (e) => fatal.push(e) });
    await node.start();
    await node.propose(put('k', 'v'));
    storage.fail = true;
    const err = await node.propose(put('k', 'w')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RaftError);
    expect((err as RaftError).code).toBe('STORAGE_FAILED');
    expect((err as RaftError).cause).toBeInstanceOf(Error);
    expect(fatal).toHaveLength(1);
    await expect(node.propose(put('k', 'x'))).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    await node.stop();
  });

  it('rejects a state machine error to its proposer only, and keeps going', async () => {
    const sm = new KvStateMachine();
    const apply = sm.apply.bind(sm);
    sm.apply = (cmd, index) => {
      if (new TextDecoder().decode(cmd).includes('"boom"')) throw new Error('bad command');
      return apply(cmd, index);
    };
    const node = new RaftNode({ id: 'a', peers: ['a'], storage: new MemoryStorage(), transport: new InMemoryNetwork().transport('a'), stateMachine: sm });
    await node.start();
    await expect(node.propose(put('boom', 'x'))).rejects.toThrow('bad command');
    expect(await node.propose(put('ok', '1'))).toBeNull();
    await node.stop();
  });

  it('rejects proposals with PROPOSAL_DROPPED when a cut-off leader loses its term', async () => {
    const net = new InMemoryNetwork();
    const ids = ['a', 'b', 'c'];
    const nodes = ids.map((id) => new RaftNode({ id, peers: ids, storage: new MemoryStorage(), transport: net.transport(id), stateMachine: new KvStateMachine(), tickMs: 5, random: mulberry32(id.charCodeAt(0)) }));
    await Promise.all(nodes.map((n) => n.start()));
    await until(() => nodes.some((n) => n.status().role === 'LEADER'), 'a leader');
    const leader = nodes.find((n) => n.status().role === 'LEADER')!;
    net.isolate(leader.status().id);
    const p = leader.propose(put('lost', '1'));
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RaftError);
    expect((err as RaftError).code).toBe('PROPOSAL_DROPPED');
    // The entry never reached anyone else: the others never apply it.
    net.heal();
    const others = nodes.filter((n) => n !== leader);
    await until(() => others.some((n) => n.status().role === 'LEADER'), 'a new leader');
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('restarts a three-member group on LMDB with every member keeping its state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raft-cluster-'));
    try {
      const ids = ['a', 'b', 'c'];
      const boot = async (net: InMemoryNetwork) =>
        Promise.all(
          ids.map(async (id) => {
            const sm = new KvStateMachine();
            const node = new RaftNode({ id, peers: ids, storage: await LmdbStorage.open(join(dir, id)), transport: net.transport(id), stateMachine: sm, tickMs: 5, snapshotEntries: 15, random: mulberry32(id.charCodeAt(0)) });
            await node.start();
            return { node, sm };
          }),
        );
      let net = new InMemoryNetwork();
      let members = await boot(net);
      await until(() => members.some((m) => m.node.status().role === 'LEADER'), 'a leader');
      const leader = members.find((m) => m.node.status().role === 'LEADER')!;
      await Promise.all(Array.from({ length: 40 }, (_, i) => leader.node.propose(put(`k${i}`, `v${i}`))));
      await until(() => members.every((m) => m.sm.data.size === 40), 'replication');
      await Promise.all(members.map((m) => m.node.stop()));

      net = new InMemoryNetwork();
      members = await boot(net);
      // Committed entries are replayed from disk before start() resolves, without a leader.
      for (const m of members) expect(m.sm.data.size).toBeGreaterThanOrEqual(38);
      await until(() => members.some((m) => m.node.status().role === 'LEADER'), 'a leader after restart');
      const l2 = members.find((m) => m.node.status().role === 'LEADER')!;
      expect(await l2.node.propose(put('k0', 'again'))).toBe('v0');
      await until(() => members.every((m) => m.sm.data.get('k0') === 'again'), 'replication after restart');
      await Promise.all(members.map((m) => m.node.stop()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
