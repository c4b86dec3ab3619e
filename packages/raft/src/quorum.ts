/**
 * Majority-quorum arithmetic (Raft §5.2, §5.3). Pure functions; the naive versions they are
 * checked against live in quorum.test.ts.
 */

/** Size of a majority of `n` voters. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/**
 * The largest index replicated on a majority of `voters`, given each voter's match index.
 * With no voters there is nothing to count and the answer is 0 (nothing can commit).
 */
export function committedIndex(voters: readonly string[], matchOf: (id: string) => number): number {
  const n = voters.length;
  if (n === 0) return 0;
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  // The q-th highest match index is held by at least q voters.
  return matches[majority(n) - 1];
}

/** Outcome of an election or of collecting acknowledgements. */
export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * Tallies `votes` (voter id → granted) over `voters`. Votes from non-voters are ignored.
 * 'lost' as soon as a majority can no longer be reached.
 */
export function voteResult(voters: readonly string[], votes: ReadonlyMap<string, boolean>): VoteResult {
  const n = voters.length;
  if (n === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const q = majority(n);
  if (granted >= q) return 'won';
  if (granted + missing >= q) return 'pending';
  return 'lost';
}
