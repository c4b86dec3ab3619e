import { cmd, Harness } from './testing/harness';
import { MESSAGE_TYPES as M, type Message } from './types';

const enc = (s: string) => new TextEncoder().encode(s);
const ids = ['a', 'b', 'c'];

/** One test per rule of the Raft paper (Ongaro & Ousterhout 2014), like etcd's raft_paper_test.go. */
describe('Raft paper rules', () => {
  it('§5.1: a node that sees a higher term adopts it and becomes follower', () => {
    const h = new Harness(ids);
    h.node('a').campaign();
    h.stabilize();
    expect(h.node('a').status().role).toBe('LEADER');
    const term = h.node('a').status().term;
    h.node('a').step({ type: M.APP_RESP, from: 'b', to: 'a', term: term + 5, index: 0 });
    expect(h.node('a').status()).toMatchObject({ role: 'FOLLOWER', term: term + 5 });
  });

  it('§5.2: a candidate with votes from a majority becomes leader; others follow it', () => {
    const h = new Harness(ids);
    h.node('b').campaign();
    h.stabilize();
    expect(h.node('b').status().role).toBe('LEADER');
    expect(h.node('a').status()).toMatchObject({ role: 'FOLLOWER', leaderId: 'b' });
  });

  it('§5.2 Election Safety: a node grants at most one vote per term', () => {
    const h = new Harness(ids);
    const vote = (from: string): Message => ({ type: M.VOTE, from, to: 'a', term: 2, index: 1, logTerm: 1 });
    h.node('a').step(vote('b'));
    h.node('a').step(vote('c'));
    h.node('a').step(vote('b')); // a retry from the same candidate is granted again
    h.process();
    const resps = h.outbox.filter((m) => m.type === M.VOTE_RESP);
    expect(resps.map((m) => [m.to, !!m.reject])).toEqual([
      ['b', false],
      ['c', true],
      ['b', false],
    ]);
  });

  it('§5.2: a candidate that loses the vote (split) times out and retries in a higher term', () => {
    const h = new Harness(ids);
    h.node('a').campaign();
    h.process();
    h.outbox = []; // all vote requests lost
    const term = h.node('a').status().term;
    for (let i = 0; i < 25; i++) h.node('a').tick();
    expect(h.node('a').status().term).toBeGreaterThan(term);
    expect(h.node('a').status().role).toBe('CANDIDATE');
  });

  it('§5.4.1: a vote is denied to a candidate whose log is less up-to-date', () => {
    const h = new Harness(ids, { logs: { a: { entries: [cmd(2, 1), cmd(3, 2)], hardState: { term: 2, vote: '', commit: 1 } } } });
    h.node('a').step({ type: M.VOTE, from: 'b', to: 'a', term: 3, index: 5, logTerm: 1 }); // longer but older
    h.node('a').step({ type: M.VOTE, from: 'c', to: 'a', term: 3, index: 3, logTerm: 2 }); // as up-to-date
    h.process();
    const resps = h.outbox.filter((m) => m.type === M.VOTE_RESP).map((m) => [m.to, !!m.reject]);
    expect(resps).toEqual([
      ['b', true],
      ['c', false],
    ]);
  });

  it('§5.3 Log Matching: a follower rejects an append whose previous entry does not match, then the leader backs off and repairs', () => {
    const h = new Harness(ids, {
      logs: {
        a: { entries: [cmd(2, 1), cmd(3, 3, 'leader3')], hardState: { term: 3, vote: '', commit: 1 } },
        b: { entries: [cmd(2, 1), cmd(3, 2, 'stale3'), cmd(4, 2, 'stale4')], hardState: { term: 2, vote: '', commit: 1 } },
        c: { entries: [cmd(2, 1)], hardState: { term: 2, vote: '', commit: 1 } },
      },
    });
    h.node('a').campaign();
    h.stabilize();
    expect(h.node('a').status().role).toBe('LEADER');
    h.node('a').propose(enc('x'));
    h.stabilize();
    const la = h.nodes.get('a')!.storage;
    const lb = h.nodes.get('b')!.storage;
    expect(lb.lastIndex()).toBe(la.lastIndex());
    expect(lb.entries(1, lb.lastIndex() + 1)).toEqual(la.entries(1, la.lastIndex() + 1));
    expect(h.appliedCommands('b')).toEqual(['t1i2', 'leader3', 'x']);
  });

  it('§5.4.2: a leader does not commit an entry of an earlier term by counting replicas (Figure 8)', () => {
    // a holds an uncommitted term-2 entry; a becomes leader in term 3 and replicates it to b,
    // but must not count it as committed until an entry of term 3 is committed.
    const h = new Harness(ids, {
      logs: {
        a: { entries: [cmd(2, 2, 'old')], hardState: { term: 2, vote: '', commit: 1 } },
        b: { entries: [], hardState: { term: 2, vote: '', commit: 1 } },
        c: { entries: [], hardState: { term: 2, vote: '', commit: 1 } },
      },
    });
    h.node('a').campaign();
    // Appends reach b and c with the term-3 no-op stripped: they get only the old entry.
    const stripNoop = (m: Message) => {
      if (m.type === M.APP) m.entries = (m.entries ?? []).filter((e) => e.term < 3);
      return false;
    };
    h.stabilize(stripNoop);
    // a's log: [1 config, 2 old(term 2), 3 noop(term 3)]; b holds entry 2: a majority has it.
    expect(h.nodes.get('b')!.storage.lastIndex()).toBe(2);
    expect(h.node('a').status().progress?.b.match).toBe(2);
    expect(h.node('a').status().commitIndex).toBe(1);
    // Once the term-3 no-op is replicated, both commit together.
    h.node('a').tick();
    h.stabilize();
    expect(h.node('a').status().commitIndex).toBe(3);
    expect(h.appliedCommands('a')).toEqual(['old']);
  });

  it('§5.4 Leader Completeness: a committed entry is in the log of every later leader', () => {
    const h = new Harness(ids);
    h.node('a').campaign();
    h.stabilize();
    h.node('a').propose(enc('committed'));
    h.stabilize();
    // c missed nothing; now isolate a and let c or b lead.
    for (let i = 0; i < 30 && ![h.node('b'), h.node('c')].some((n) => n.status().role === 'LEADER'); i++) {
      h.node('b').tick();
      h.node('c').tick();
      h.stabilize((m) => m.from === 'a' || m.to === 'a');
    }
    const leader = ['b', 'c'].find((id) => h.node(id).status().role === 'LEADER')!;
    expect(leader).toBeDefined();
    expect(h.appliedCommands(leader)).toContain('committed');
  });

  it('§5.5: a follower that receives the same append twice answers the same and keeps one copy', () => {
    const h = new Harness(ids);
    const app: Message = { type: M.APP, from: 'b', to: 'a', term: 2, index: 1, logTerm: 1, commit: 1, entries: [cmd(2, 2, 'dup')] };
    h.node('a').step(app);
    h.node('a').step({ ...app });
    h.process();
    expect(h.nodes.get('a')!.storage.lastIndex()).toBe(2);
    expect(h.outbox.filter((m) => m.type === M.APP_RESP).map((m) => m.index)).toEqual([2, 2]);
  });

  it('§8 ReadIndex: the leader answers a read only after a heartbeat quorum confirms it', () => {
    const h = new Harness(ids);
    h.node('a').campaign();
    h.stabilize();
    h.node('a').readIndex('r1');
    h.process();
    const hb = h.outbox.filter((m) => m.type === M.HEARTBEAT && m.context === 'r1');
    expect(hb).toHaveLength(2);
    const rd = h.node('a').hasReady() ? h.node('a').ready() : undefined;
    expect(rd?.readStates ?? []).toEqual([]);
    if (rd) h.node('a').advance(rd);
    h.outbox = [];
    h.node('b').step(hb[0]);
    for (const m of h.node('b').ready().messages) h.node('a').step(m);
    const after = h.node('a').ready();
    expect(after.readStates).toEqual([{ index: h.node('a').status().commitIndex, context: 'r1' }]);
  });

  it('thesis §9.6 PreVote: a partitioned node does not inflate its term; CheckQuorum deposes an isolated leader', () => {
    const h = new Harness(ids, { preVote: true, checkQuorum: true });
    h.node('a').campaign();
    h.stabilize();
    const term = h.node('a').status().term;
    // Isolate c: it pre-votes in vain and keeps its term.
    for (let i = 0; i < 60; i++) {
      h.node('c').tick();
      h.stabilize((m) => m.from === 'c' || m.to === 'c');
    }
    expect(h.node('c').status().term).toBe(term);
    // Isolate the leader: after an election timeout without acks it steps down.
    for (let i = 0; i < 25; i++) {
      h.node('a').tick();
      h.stabilize((m) => m.from === 'a' || m.to === 'a');
    }
    expect(h.node('a').status().role).toBe('FOLLOWER');
  });
});
