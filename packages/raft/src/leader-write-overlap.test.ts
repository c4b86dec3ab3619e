import { Harness } from './testing/harness';
import { MESSAGE_TYPES as M } from './types';

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * A leader sends its AppendEntries before its own write finishes (the host overlaps the two), so
 * it may count its own copy of an entry only once that write is done (Raft thesis §10.2.1).
 */
describe('leader write overlapping replication', () => {
  it('does not commit on its own unwritten copy plus one follower, and does once its write is done', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.node('a').campaign();
    h.stabilize();
    const a = h.nodes.get('a')!;
    const { index } = a.raw.propose(enc('x'));
    const rd = a.raw.ready();
    expect(rd.entries.map((e) => e.index)).toEqual([index]);
    // The AppendEntries go out before a's write; only b answers.
    for (const m of rd.messages) if (m.to === 'b') h.node('b').step(m);
    h.outbox = [];
    const b = h.nodes.get('b')!;
    while (b.raw.hasReady()) {
      const brd = b.raw.ready();
      b.storage.saveSync({ hardState: brd.hardState, entries: brd.entries, snapshot: brd.snapshot });
      for (const m of brd.messages) if (m.type === M.APP_RESP) a.raw.step(m);
      b.raw.advance(brd);
    }
    // One durable copy (b's) is not a majority of three.
    expect(a.raw.status().commitIndex).toBeLessThan(index);
    // a's write finishes: now two durable copies.
    a.storage.saveSync({ hardState: rd.hardState, entries: rd.entries });
    a.raw.advance(rd);
    expect(a.raw.status().commitIndex).toBe(index);
  });

  it('commits with two followers while its own write is still running (a durable majority without it)', () => {
    const h = new Harness(['a', 'b', 'c']);
    h.node('a').campaign();
    h.stabilize();
    const a = h.nodes.get('a')!;
    const { index } = a.raw.propose(enc('y'));
    const rd = a.raw.ready();
    for (const id of ['b', 'c']) {
      const f = h.nodes.get(id)!;
      for (const m of rd.messages) if (m.to === id) f.raw.step(m);
      while (f.raw.hasReady()) {
        const frd = f.raw.ready();
        f.storage.saveSync({ hardState: frd.hardState, entries: frd.entries, snapshot: frd.snapshot });
        for (const m of frd.messages) if (m.type === M.APP_RESP) a.raw.step(m);
        f.raw.advance(frd);
      }
    }
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
