import { RawNode } from './raw-node';
import { MemoryStorage } from './storage';
import { encodeConfState, ENTRY_TYPES, type Entry } from './types';

const entry = (index: number): Entry =>
  index === 1 ? { index, term: 1, type: ENTRY_TYPES.CONFIG, data: encodeConfState({ voters: ['a', 'b', 'c'], learners: [] }) } : { index, term: 1, type: ENTRY_TYPES.COMMAND, data: new Uint8Array([index]) };

describe('restart with a stored commit index behind the snapshot', () => {
  // A commit index that only moved is not written at once, so a member can apply entries, snapshot
  // them and compact its log, then crash before the commit index reaches the disk. The simulator
  // found it (seed 12) in an experiment that changed the timing of messages; with a store that
  // keeps fewer trailing entries than that lag, the member refused to start (CORRUPTED).
  it('starts with the snapshot index as its commit index instead of refusing the store', () => {
    const storage = new MemoryStorage();
    storage.saveSync({ entries: Array.from({ length: 12 }, (_, i) => entry(i + 1)), hardState: { term: 1, vote: '', commit: 5 } });
    storage.compactSync({ meta: { index: 10, term: 1, confState: { voters: ['a', 'b', 'c'], learners: [] } }, data: new Uint8Array() }, 9);
    const node = new RawNode({ id: 'a', storage, electionTicks: 10, heartbeatTicks: 1, random: () => 0.5, applied: 10 });
    expect(node.status()).toMatchObject({ commitIndex: 10, lastIndex: 12 });
  });

  it('still refuses a commit index past the end of the log', () => {
    const storage = new MemoryStorage();
    storage.saveSync({ entries: [entry(1), entry(2)], hardState: { term: 1, vote: '', commit: 7 } });
    expect(() => new RawNode({ id: 'a', storage, electionTicks: 10, heartbeatTicks: 1, random: () => 0.5 })).toThrow(expect.objectContaining({ code: 'CORRUPTED' }));
  });
});
