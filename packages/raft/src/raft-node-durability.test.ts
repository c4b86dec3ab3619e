import { RaftNode } from './raft-node';
import { MemoryStorage, type StorageUpdate } from './storage';
import { KvStateMachine } from './testing/kv';
import { mulberry32 } from './testing/rng';
import { InMemoryNetwork, type Transport } from './transport';
import { MESSAGE_TYPES as M, type Message } from './types';

/** A storage whose writes take a few milliseconds, like a disk, so ordering bugs would show. */
class SlowStorage extends MemoryStorage {
  override async save(update: StorageUpdate): Promise<void> {
    await new Promise((r) => setTimeout(r, 2));
    return super.save(update);
  }
}

describe('RaftNode durability order', () => {
  // Acknowledgements and votes leave only after the write they promise; a leader's AppendEntries
  // may leave before its own write (the two overlap), but the commit index it announces is always
  // held durably by a majority.
  it('never sends a message that promises something not yet on storage', async () => {
    const net = new InMemoryNetwork();
    const ids = ['a', 'b', 'c'];
    const storages = new Map(ids.map((id) => [id, new SlowStorage()]));
    const violations: string[] = [];
    let checked = 0;
    const appsWithEntries = new Map<string, number>();
    let overlapped = 0;
    /** The highest index a majority of members hold on storage. */
    const majorityDurable = () => ids.map((x) => storages.get(x)!.lastIndex()).sort((p, q) => q - p)[1] as number;
    const checking = (id: string): Transport => {
      const inner = net.transport(id);
      return {
        onMessage: (h) => inner.onMessage(h),
        send: (messages: readonly Message[]) => {
          const s = storages.get(id)!;
          const hs = s.initialState().hardState;
          for (const m of messages) {
            checked++;
            if (m.term > hs.term && m.type !== M.PRE_VOTE && m.type !== M.PRE_VOTE_RESP) violations.push(`${id} sent ${m.type} in unpersisted term ${m.term}`);
            if (m.type === M.VOTE_RESP && !m.reject && hs.vote !== m.to) violations.push(`${id} granted a vote to ${m.to} before persisting it`);
            if (m.type === M.APP_RESP && !m.reject && (m.index ?? 0) > s.lastIndex()) violations.push(`${id} acknowledged ${m.index} with only ${s.lastIndex()} on disk`);
            const last = m.entries?.[m.entries.length - 1];
            if (last) appsWithEntries.set(id, (appsWithEntries.get(id) ?? 0) + 1);
            if (last && last.index > s.lastIndex()) overlapped++;
            if ((m.type === M.APP || m.type === M.HEARTBEAT) && (m.commit ?? 0) > majorityDurable()) violations.push(`${id} announced commit ${m.commit} with only ${majorityDurable()} on a majority's disks`);
          }
          inner.send(messages);
        },
      };
    };
    const nodes = ids.map(
      (id) => new RaftNode({ id, peers: ids, storage: storages.get(id)!, transport: checking(id), stateMachine: new KvStateMachine(), tickMs: 5, random: mulberry32(id.charCodeAt(0)) }),
    );
    await Promise.all(nodes.map((n) => n.start()));
    const end = Date.now() + 5000;
    while (!nodes.some((n) => n.status().role === 'LEADER') && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    const leader = nodes.find((n) => n.status().role === 'LEADER')!;
    const leaderId = leader.status().id;
    await new Promise((r) => setTimeout(r, 20));
    const before = appsWithEntries.get(leaderId) ?? 0;
    await Promise.all(Array.from({ length: 50 }, (_, i) => leader.propose(KvStateMachine.encode({ op: 'put', key: `k${i % 5}`, value: `${i}` }))));
    // Group commit: the 50 concurrent proposals went out as one batch (one App per follower),
    // not 50 Apps per follower.
    expect((appsWithEntries.get(leaderId) ?? 0) - before).toBeLessThanOrEqual(4);
    await Promise.all(nodes.map((n) => n.stop()));
    expect(checked).toBeGreaterThan(20);
    expect(overlapped).toBeGreaterThan(0); // the leader did replicate entries before its own write finished
    expect(violations).toEqual([]);
  });
});
