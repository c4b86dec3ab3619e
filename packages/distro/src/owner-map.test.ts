import fc from 'fast-check';
import { distroHash } from './java-hash';
import { healthyMemberList, type Member, type MemberState } from './membership';
import { OwnerMap } from './owner-map';

const up = (address: string): Member => ({ address, state: 'UP' });

describe('healthyMemberList', () => {
  it('keeps UP and SUSPICIOUS, drops DOWN, dedups and sorts by code units', () => {
    const list = healthyMemberList([
      { address: '10.0.0.2:8848', state: 'UP' },
      { address: '10.0.0.10:8848', state: 'SUSPICIOUS' },
      { address: '10.0.0.1:8848', state: 'DOWN' },
      { address: '10.0.0.2:8848', state: 'UP' },
    ]);
    // '10.0.0.10' < '10.0.0.2' as strings, as Java sorts them.
    expect(list).toEqual(['10.0.0.10:8848', '10.0.0.2:8848']);
  });
});

describe('OwnerMap', () => {
  const members = ['a:1', 'b:1', 'c:1'].map(up);

  it('picks healthy[distroHash(key) % n]', () => {
    const map = new OwnerMap(members, 'a:1');
    // distroHash('DEFAULT_GROUP@@demo') = 1251993628; 1251993628 % 3 = 1 → 'b:1'.
    expect(map.ownerOf('DEFAULT_GROUP@@demo')).toBe('b:1');
    expect(map.isResponsible('DEFAULT_GROUP@@demo')).toBe(false);
    expect(new OwnerMap(members, 'b:1').isResponsible('DEFAULT_GROUP@@demo')).toBe(true);
  });

  it('is responsible for nothing when the healthy list is empty', () => {
    const map = new OwnerMap([{ address: 'a:1', state: 'DOWN' }], 'a:1');
    expect(map.ownerOf('k')).toBeUndefined();
    expect(map.isResponsible('k')).toBe(false);
  });

  it('is responsible for everything when self is not in the healthy list', () => {
    const map = new OwnerMap(members, 'z:1');
    expect(['k1', 'k2', 'k3', 'DEFAULT_GROUP@@demo'].every((k) => map.isResponsible(k))).toBe(true);
  });

  it('ignores DOWN members when mapping', () => {
    const map = new OwnerMap([...members.slice(0, 2), { address: 'c:1', state: 'DOWN' }], 'a:1');
    expect(map.healthy).toEqual(['a:1', 'b:1']);
    expect(map.ownerOf('DEFAULT_GROUP@@demo')).toBe(['a:1', 'b:1'][1251993628 % 2]);
  });

  const memberArb = fc.record({
    address: fc.constantFrom('a:1', 'b:1', 'c:1', 'd:1', 'e:1', '10.0.0.1:8848', '10.0.0.10:8848'),
    state: fc.constantFrom<MemberState>('UP', 'SUSPICIOUS', 'DOWN'),
  });

  it('property: every member with the same view agrees on exactly one owner per key', () => {
    fc.assert(
      fc.property(fc.array(memberArb, { maxLength: 8 }), fc.string(), (ms, key) => {
        const healthy = healthyMemberList(ms);
        const maps = healthy.map((self) => new OwnerMap(ms, self));
        const responsible = maps.filter((m) => m.isResponsible(key)).map((m) => m.self);
        if (healthy.length === 0) return responsible.length === 0;
        return responsible.length === 1 && maps.every((m) => m.ownerOf(key) === responsible[0]);
      }),
      { numRuns: 300 },
    );
  });

  it('property: the owner does not depend on the order members are listed in', () => {
    fc.assert(
      fc.property(fc.array(memberArb, { maxLength: 8 }), fc.string(), fc.integer(), (ms, key, seed) => {
        const shuffled = [...ms].sort((x, y) => ((distroHash(x.address) ^ seed) & 7) - ((distroHash(y.address) ^ seed) & 7));
        return new OwnerMap(ms, 'a:1').ownerOf(key) === new OwnerMap(shuffled, 'a:1').ownerOf(key);
      }),
      { numRuns: 300 },
    );
  });

  it('property: agrees with a naive Java-style reimplementation', () => {
    fc.assert(
      fc.property(fc.array(memberArb, { maxLength: 8 }), fc.string(), (ms, key) => {
        const list = [...new Set(ms.filter((m) => m.state !== 'DOWN').map((m) => m.address))].sort();
        const expected = list.length === 0 ? undefined : list[distroHash(key) % list.length];
        return new OwnerMap(ms, 'b:1').ownerOf(key) === expected;
      }),
      { numRuns: 300 },
    );
  });
});
