import { MemoryStorage } from './storage';
import { makeEntry } from './versioned-entry';

describe('MemoryStorage', () => {
  it('stores per type, iterates in insertion order, deletes', () => {
    const s = new MemoryStorage();
    const e = (ts: number) => ({ ...makeEntry({ ts, origin: 'a' }, null), storedAt: ts });
    s.set('t1', 'x', e(1));
    s.set('t2', 'x', e(2));
    s.set('t1', 'y', e(3));
    expect(s.get('t2', 'x')?.version.ts).toBe(2);
    expect([...s.entries()].map(([k]) => `${k.type}/${k.key}`)).toEqual(['t1/x', 't1/y', 't2/x']);
    s.delete('t1', 'x');
    s.delete('nope', 'x');
    expect(s.size()).toBe(2);
    expect(s.get('t1', 'x')).toBeUndefined();
  });
});
