import fc from 'fast-check';
import { committedIndex, majority, voteResult } from './quorum';

// Naive definitions straight from the paper, to check the optimised ones against.
function naiveCommitted(voters: string[], match: Map<string, number>): number {
  let best = 0;
  for (const candidate of new Set([0, ...match.values()])) {
    const holders = voters.filter((v) => (match.get(v) ?? 0) >= candidate).length;
    if (holders * 2 > voters.length && candidate > best) best = candidate;
  }
  return best;
}

function naiveVote(voters: string[], votes: Map<string, boolean>): string {
  const yes = voters.filter((v) => votes.get(v) === true).length;
  const undecided = voters.filter((v) => !votes.has(v)).length;
  if (yes * 2 > voters.length) return 'won';
  if ((yes + undecided) * 2 > voters.length) return 'pending';
  return 'lost';
}

const voterSets = fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f', 'g'), { minLength: 1, maxLength: 7 });

describe('quorum math (fast-check against naive versions)', () => {
  it('committedIndex is the highest index held by a majority', () => {
    fc.assert(
      fc.property(voterSets, fc.array(fc.nat(50), { minLength: 7, maxLength: 7 }), (voters, idx) => {
        const match = new Map(voters.map((v, i) => [v, idx[i]]));
        expect(committedIndex(voters, (id) => match.get(id) ?? 0)).toBe(naiveCommitted(voters, match));
      }),
      { seed: 1234, numRuns: 500 },
    );
  });

  it('voteResult agrees with counting', () => {
    fc.assert(
      fc.property(voterSets, fc.array(fc.constantFrom(true, false, undefined), { minLength: 7, maxLength: 7 }), (voters, vs) => {
        const votes = new Map<string, boolean>();
        voters.forEach((v, i) => {
          if (vs[i] !== undefined) votes.set(v, vs[i]);
        });
        votes.set('zz-not-a-voter', true); // ignored
        expect(voteResult(voters, votes)).toBe(naiveVote(voters, votes));
      }),
      { seed: 4321, numRuns: 500 },
    );
  });

  it('majority of n', () => {
    expect([1, 2, 3, 4, 5].map(majority)).toEqual([1, 2, 2, 3, 3]);
  });
});
