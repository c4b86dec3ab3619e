import { seededRandom } from './random';

describe('seededRandom', () => {
  it('replays the same numbers from the same seed, others from another, all in [0, 1)', () => {
    const take = (seed: number) => {
      const next = seededRandom(seed);
      return Array.from({ length: 1000 }, () => next());
    };
    const a = take(20261124);
    expect(take(20261124)).toEqual(a);
    expect(take(20261125)).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    // Spread over the interval, not stuck in one part of it.
    expect(a.filter((x) => x < 0.5).length).toBeGreaterThan(400);
    expect(a.filter((x) => x < 0.5).length).toBeLessThan(600);
  });
});
