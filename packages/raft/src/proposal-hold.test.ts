import { RaftNode } from './raft-node';
import { MemoryStorage } from './storage';
import { KvStateMachine } from './testing/kv';
import { mulberry32 } from './testing/rng';
import { until } from './testing/until';
import { InMemoryNetwork } from './transport';

const put = (key: string, value: string) => KvStateMachine.encode({ op: 'put', key, value });
const turn = () => new Promise((r) => setImmediate(r));

/** A MemoryStorage that records how many entries each write carried. */
function countingStorage(): { storage: MemoryStorage; writes: number[] } {
  const inner = new MemoryStorage();
  const writes: number[] = [];
  const storage = Object.assign(Object.create(inner) as MemoryStorage, {
    save(update: Parameters<MemoryStorage['save']>[0]) {
      if (update.entries?.length) writes.push(update.entries.length);
      return inner.save(update);
    },
  });
  return { storage, writes };
}

/**
 * Group commit across rounds: while a leader's entries wait for a quorum, new proposals wait too
 * and leave together once the round commits (`maxHeldProposals`); then the leader waits briefly
 * for the writers it answered (`refillWaitMs`, off unless a test sets it).
 */
describe('RaftNode proposal holding', () => {
  const ids = ['a', 'b', 'c'];
  let net: InMemoryNetwork;
  let members: { id: string; node: RaftNode; storage: MemoryStorage; writes: number[] }[];

  async function startGroup(maxHeldProposals?: number, refillWaitMs = 0): Promise<(typeof members)[number]> {
    net = new InMemoryNetwork();
    members = ids.map((id) => {
      const { storage, writes } = countingStorage();
      // 25 ms ticks: a hold lasts at least one tick, far longer than the few event-loop turns the
      // checks below take; elections take 250–500 ms.
      const node = new RaftNode({ id, peers: ids, storage, transport: net.transport(id), stateMachine: new KvStateMachine(), tickMs: 25, random: mulberry32(7 + id.charCodeAt(0)), refillWaitMs, ...(maxHeldProposals === undefined ? {} : { maxHeldProposals }) });
      return { id, node, storage, writes };
    });
    await Promise.all(members.map((m) => m.node.start()));
    await until(() => members.some((m) => m.node.status().role === 'LEADER'), 'a leader');
    const leader = members.find((m) => m.node.status().role === 'LEADER')!;
    await leader.node.propose(put('warm', 'up'));
    return leader;
  }

  /** Starts a round that cannot commit: the followers get the entry, their answers are lost. */
  function roundInFlight(leader: (typeof members)[number]): Promise<unknown> {
    for (const m of members) if (m !== leader) net.cutLink(m.id, leader.id);
    return leader.node.propose(put('first', '1'));
  }

  afterEach(async () => {
    await Promise.all(members.map((m) => m.node.stop()));
  });

  it('holds proposals made while a round is in flight and appends them as one batch once it commits', async () => {
    const leader = await startGroup();
    const first = roundInFlight(leader);
    await turn();
    const firstIndex = leader.storage.lastIndex();
    const held = Array.from({ length: 10 }, (_, i) => leader.node.propose(put(`k${i}`, `${i}`)));
    await turn();
    await turn();
    expect(leader.storage.lastIndex()).toBe(firstIndex); // waiting, not appended
    const writesBefore = leader.writes.length;
    net.heal();
    await first;
    await Promise.all(held);
    expect(leader.storage.lastIndex()).toBe(firstIndex + 10);
    // The ten arrived in separate turns but were written together.
    expect(leader.writes.slice(writesBefore)).toEqual([10]);
    for (const m of members) await until(() => m.node.status().appliedIndex === firstIndex + 10, `${m.id} to apply`);
  });

  it('appends held proposals after two ticks when the round in flight cannot commit', async () => {
    const leader = await startGroup();
    const first = roundInFlight(leader);
    await turn();
    const firstIndex = leader.storage.lastIndex();
    const second = leader.node.propose(put('second', '2'));
    await until(() => leader.storage.lastIndex() === firstIndex + 1, 'the held proposal to be appended', 2000);
    expect(leader.node.status().commitIndex).toBeLessThan(firstIndex);
    net.heal();
    await Promise.all([first, second]);
  });

  it('appends at once when the limit of held proposals is reached', async () => {
    const leader = await startGroup(4);
    void roundInFlight(leader);
    await turn();
    const firstIndex = leader.storage.lastIndex();
    const held = Array.from({ length: 4 }, (_, i) => leader.node.propose(put(`k${i}`, `${i}`)));
    await turn();
    await turn();
    expect(leader.storage.lastIndex()).toBe(firstIndex + 4);
    net.heal();
    await Promise.all(held);
  });

  it('does not hold with maxHeldProposals 0', async () => {
    const leader = await startGroup(0);
    void roundInFlight(leader);
    await turn();
    const firstIndex = leader.storage.lastIndex();
    const next = leader.node.propose(put('next', '1'));
    await turn();
    await turn();
    expect(leader.storage.lastIndex()).toBe(firstIndex + 1);
    net.heal();
    await next;
  });

  it('answers the proposals of a committed round before writing the next one', async () => {
    // A synchronous store blocks the thread for its fsync; answers that wait for it hold back
    // the calls that would fill the next batch.
    const leader = await startGroup();
    let firstAnswered = false;
    let answeredBeforeNextWrite: boolean | undefined;
    let secondIndex = -1;
    const save = leader.storage.save.bind(leader.storage);
    leader.storage.save = (update) => {
      if (update.entries?.some((e) => e.index === secondIndex)) answeredBeforeNextWrite = firstAnswered;
      return save(update);
    };
    const first = roundInFlight(leader).then(() => {
      firstAnswered = true;
    });
    await turn();
    secondIndex = leader.storage.lastIndex() + 1;
    const second = leader.node.propose(put('second', '2'));
    net.heal();
    await Promise.all([first, second]);
    expect(answeredBeforeNextWrite).toBe(true);
  });

  /** Commits a round of `size` proposals made while another round was in flight; returns the index after it. */
  async function commitRoundOf(leader: (typeof members)[number], size: number): Promise<number> {
    const first = roundInFlight(leader);
    await turn();
    const held = Array.from({ length: size }, (_, i) => leader.node.propose(put(`r${i}`, `${i}`)));
    await turn();
    net.heal();
    await Promise.all([first, ...held]);
    expect(leader.writes.at(-1)).toBe(size);
    return leader.storage.lastIndex();
  }

  it('after a round commits, waits for as many calls as it had before starting the next', async () => {
    const leader = await startGroup(undefined, 5000);
    const last = await commitRoundOf(leader, 10);
    const calls = Array.from({ length: 9 }, (_, i) => leader.node.propose(put(`n${i}`, `${i}`)));
    await turn();
    await turn();
    expect(leader.storage.lastIndex()).toBe(last); // 9 of the 10 expected
    calls.push(leader.node.propose(put('n9', '9')));
    await until(() => leader.storage.lastIndex() === last + 10, 'the next round to start');
    expect(leader.writes.at(-1)).toBe(10);
    await Promise.all(calls);
  });

  it('starts the next round after refillWaitMs when the writers do not come back', async () => {
    const leader = await startGroup(undefined, 100);
    const last = await commitRoundOf(leader, 10);
    const started = Date.now();
    const lone = leader.node.propose(put('lone', '1'));
    await turn();
    await turn();
    expect(leader.storage.lastIndex()).toBe(last);
    await lone;
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('does not wait for writers with refillWaitMs 0', async () => {
    const leader = await startGroup(undefined, 0);
    const last = await commitRoundOf(leader, 10);
    const lone = leader.node.propose(put('lone', '1'));
    await turn();
    await turn();
    expect(leader.storage.lastIndex()).toBe(last + 1);
    await lone;
  });

  it('does not hold a lone write on an idle leader', async () => {
    const leader = await startGroup(undefined, 5000);
    const before = leader.storage.lastIndex();
    const lone = leader.node.propose(put('lone', '1'));
    await turn();
    await turn();
    expect(leader.storage.lastIndex()).toBe(before + 1);
    await lone;
  });
});
