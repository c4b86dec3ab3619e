import type { Ready } from './raw-node';
import { Harness, type HarnessNode } from './testing/harness';
import { MESSAGE_TYPES as M } from './types';

const enc = (s: string) => new TextEncoder().encode(s);

/** A leader `a` of a fresh three-member group, with a proposal appended and its Ready taken but not written. */
function leaderWithUnwrittenEntry(data: string) {
  const h = new Harness(['a', 'b', 'c']);
  h.node('a').campaign();
  h.stabilize();
  const a = h.nodes.get('a')!;
  const { index } = a.raw.propose(enc(data));
  return { h, a, index, rd: a.raw.ready() };
}

/** Follower `id` takes the leader's messages to it, writes, and answers the leader directly. */
function replicateTo(h: Harness, id: string, rd: Ready, leader: HarnessNode): void {
  const f = h.nodes.get(id)!;
  for (const m of rd.messages) if (m.to === id) f.raw.step(m);
  while (f.raw.hasReady()) {
    const frd = f.raw.ready();
    f.storage.saveSync({ hardState: frd.hardState, entries: frd.entries, snapshot: frd.snapshot });
    for (const m of frd.messages) if (m.type === M.APP_RESP) leader.raw.step(m);
    f.raw.advance(frd);
  }
}

/**
 * A leader sends its AppendEntries before its own write finishes (the host overlaps the two), so
 * it may count its own copy of an entry only once that write is done (Raft thesis §10.2.1).
 */
describe('leader write overlapping replication', () => {
  it('does not commit on its own unwritten copy plus one follower, and does once its write is done', () => {
    const { h, a, index, rd } = leaderWithUnwrittenEntry('x');
    expect(rd.entries.map((e) => e.index)).toEqual([index]);
    // The AppendEntries go out before a's write; only b answers.
    replicateTo(h, 'b', rd, a);
    // One durable copy (b's) is not a majority of three.
    expect(a.raw.status().commitIndex).toBeLessThan(index);
    // a's write finishes: now two durable copies.
    a.storage.saveSync({ hardState: rd.hardState, entries: rd.entries });
    a.raw.advance(rd);
    expect(a.raw.status().commitIndex).toBe(index);
  });

  it('commits with two followers while its own write is still running (a durable majority without it)', () => {
    const { h, a, index, rd } = leaderWithUnwrittenEntry('y');
    for (const id of ['b', 'c']) replicateTo(h, id, rd, a);
    expect(a.raw.status().commitIndex).toBe(index);
  });

  it('a single member commits its own entries once written', () => {
    const h = new Harness(['solo']);
    h.node('solo').campaign();
    h.stabilize();
    const solo = h.nodes.get('solo')!;
    const { index } = solo.raw.propose(enc('z'));
    expect(solo.raw.status().commitIndex).toBeLessThan(index);
    h.stabilize();
    expect(solo.raw.status().commitIndex).toBe(index);
    expect(solo.applied.map((e) => e.index)).toContain(index);
  });
});
