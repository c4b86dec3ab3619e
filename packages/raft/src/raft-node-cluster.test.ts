import { RaftNode } from './raft-node';
import { MemoryStorage } from './storage';
import { KvStateMachine } from './testing/kv';
import { mulberry32 } from './testing/rng';
import { until } from './testing/until';
import { InMemoryNetwork } from './transport';

const put = (key: string, value: string) => KvStateMachine.encode({ op: 'put', key, value });

describe('RaftNode, three members over an in-memory network', () => {
  const seed = 42;
  let net: InMemoryNetwork;
  let members: { node: RaftNode; sm: KvStateMachine; storage: MemoryStorage }[];
  const ids = ['a', 'b', 'c'];

  function make(id: string, peers: string[], storage = new MemoryStorage(), sm = new KvStateMachine()) {
    const node = new RaftNode({ id, peers, storage, transport: net.transport(id), stateMachine: sm, tickMs: 5, random: mulberry32(seed + id.charCodeAt(0)), snapshotEntries: 20, snapshotChunkBytes: 16 });
    return { node, sm, storage };
  }
  const leader = () => members.find((m) => m.node.status().role === 'LEADER');

  beforeEach(async () => {
    net = new InMemoryNetwork();
    members = ids.map((id) => make(id, ids));
    await Promise.all(members.map((m) => m.node.start()));
    await until(() => leader() !== undefined, 'a leader');
  });
  afterEach(async () => {
    await Promise.all(members.map((m) => m.node.stop()));
  });

  it('replicates proposals to every member and serves ReadIndex on the leader', async () => {
    const l = leader()!;
    for (let i = 0; i < 30; i++) await l.node.propose(put(`k${i}`, `v${i}`));
    await l.node.readIndex();
    expect(l.sm.data.size).toBe(30);
    await until(() => members.every((m) => m.sm.data.size === 30), 'followers to apply');
    const follower = members.find((m) => m !== l)!;
    await expect(follower.node.propose(put('x', 'y'))).rejects.toMatchObject({ code: 'NOT_LEADER', leaderId: l.node.status().id });
  });

  it('lets a follower wait for the index the leader applied (read-your-write on the follower)', async () => {
    const l = leader()!;
    const follower = members.find((m) => m !== l)!;
    await l.node.propose(put('ryw', '1'));
    const index = l.node.status().appliedIndex;
    await expect(follower.node.waitApplied(index, 5000)).resolves.toBe(true);
    expect(follower.sm.data.get('ryw')).toBe('1');
  });

  it('does not write a Ready whose only change is the commit index', async () => {
    // Re-create the group with counting storage on the followers.
    await Promise.all(members.map((m) => m.node.stop()));
    net = new InMemoryNetwork();
    const saves = new Map<string, { entries: number; hardOnly: number }>();
    members = ids.map((id) => {
      const inner = new MemoryStorage();
      const stats = { entries: 0, hardOnly: 0 };
      saves.set(id, stats);
      const storage = Object.assign(Object.create(inner) as MemoryStorage, {
        save(update: Parameters<MemoryStorage['save']>[0]) {
          if (update.entries?.length || update.snapshot) stats.entries++;
          else if (update.hardState) stats.hardOnly++;
          return inner.save(update);
        },
      });
      return make(id, ids, storage);
    });
    await Promise.all(members.map((m) => m.node.start()));
    await until(() => leader() !== undefined, 'a leader');
    const before = [...saves.values()].map((s) => s.hardOnly);
    const l = leader()!;
    for (let i = 0; i < 10; i++) await l.node.propose(put(`c${i}`, `${i}`));
    await until(() => members.every((m) => m.sm.data.size === 10), 'followers to apply');
    // Term and vote changes are written on their own; commit-index-only changes are not.
    expect([...saves.values()].map((s) => s.hardOnly)).toEqual(before);
  });

  it('elects a new leader when the leader is cut off, and the old one steps down (CheckQuorum)', async () => {
    const old = leader()!;
    await old.node.propose(put('a', '1'));
    net.isolate(old.node.status().id);
    await until(() => members.some((m) => m !== old && m.node.status().role === 'LEADER'), 'a new leader');
    await until(() => old.node.status().role !== 'LEADER', 'old leader to step down');
    const nl = leader()!;
    expect(await nl.node.propose(put('a', '2'))).toBe('1');
    net.heal();
    await until(() => old.sm.data.get('a') === '2', 'old leader to catch up');
  });

  it('catches up a restarted member with a snapshot (InstallSnapshot)', async () => {
    const l = leader()!;
    const lagging = members.find((m) => m !== l)!;
    const lagId = lagging.node.status().id;
    await lagging.node.stop();
    for (let i = 0; i < 80; i++) await l.node.propose(put(`k${i % 7}`, `v${i}`));
    await until(() => l.storage.firstIndex() > 5, 'leader to compact');
    // Restart the member on its (stale) storage; it needs a snapshot to catch up. The snapshot
    // travels in 16-byte chunks, and the first copy of the first chunk is lost.
    let lost = 0;
    net.dropIf = (m) => m.type === 'SnapChunk' && m.chunkOffset === 0 && lost++ === 0;
    const fresh = make(lagId, ids, lagging.storage);
    members[members.indexOf(lagging)] = fresh;
    await fresh.node.start();
    await until(() => fresh.sm.data.get('k2') === l.sm.data.get('k2') && fresh.node.status().appliedIndex >= l.node.status().commitIndex - 1, 'snapshot install');
    expect(fresh.sm.restores).toBeGreaterThanOrEqual(1);
    expect(lost).toBeGreaterThan(1); // the leader sent the snapshot again
  });

  it('adds a learner, promotes it, transfers leadership to it, and removes a member', async () => {
    const l = leader()!;
    await l.node.propose(put('k', 'v'));
    const d = make('d', []);
    members.push(d);
    await d.node.start();
    await l.node.addMember('d', { timeoutMs: 5000 });
    expect(l.node.status().voters).toEqual(['a', 'b', 'c', 'd']);
    await until(() => d.sm.data.get('k') === 'v', 'new member to apply');
    await l.node.transferLeadership('d');
    await until(() => d.node.status().role === 'LEADER', 'd to lead');
    await d.node.removeMember(l.node.status().id);
    expect(d.node.status().voters).not.toContain(l.node.status().id);
    expect(await d.node.propose(put('k', 'w'))).toBe('v');
  });
});
