import { LatencyRecorder, median, percentileSorted, ratio } from './stats';

describe('median', () => {
  test('odd and even lengths', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
  test('empty or non-finite only is NaN, non-finite values are ignored', () => {
    expect(median([])).toBeNaN();
    expect(median([Number.NaN])).toBeNaN();
    expect(median([Number.NaN, 5, 1, 3])).toBe(3);
  });
  test('does not mutate its input', () => {
    const input = [3, 1, 2];
    median(input);
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('percentileSorted', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  test('nearest rank', () => {
    expect(percentileSorted(hundred, 50)).toBe(50);
    expect(percentileSorted(hundred, 99)).toBe(99);
    expect(percentileSorted(hundred, 100)).toBe(100);
    expect(percentileSorted([10, 20, 30], 50)).toBe(20);
    expect(percentileSorted([10, 20, 30], 99)).toBe(30);
    expect(percentileSorted([5], 1)).toBe(5);
  });
  test('empty is NaN and out-of-range p throws', () => {
    expect(percentileSorted([], 50)).toBeNaN();
    expect(() => percentileSorted([1], 0)).toThrow(RangeError);
    expect(() => percentileSorted([1], 101)).toThrow(RangeError);
  });
});

describe('LatencyRecorder', () => {
  test('exact percentiles below capacity', () => {
    const rec = new LatencyRecorder(1000);
    for (let i = 100; i >= 1; i--) rec.record(i);
    expect(rec.count()).toBe(100);
    expect(rec.summary()).toEqual({ p50: 50, p99: 99, max: 100 });
  });
  test('keeps a bounded uniform sample beyond capacity', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const rec = new LatencyRecorder(2000, random);
    for (let i = 1; i <= 100_000; i++) rec.record(i);
    expect(rec.count()).toBe(100_000);
    const { p50, p99 } = rec.summary();
    // A 2000-sample reservoir estimates the median of 1..100000 within a few percent.
    expect(Math.abs(p50 - 50_000)).toBeLessThan(5_000);
    expect(p99).toBeGreaterThan(95_000);
  });
  test('empty summary is NaN', () => {
    const s = new LatencyRecorder(10).summary();
    expect(s.p50).toBeNaN();
    expect(s.p99).toBeNaN();
  });
});

test('ratio', () => {
  expect(ratio(10, 4)).toBe(2.5);
  expect(ratio(10, 0)).toBeNaN();
  expect(ratio(undefined, 3)).toBeNaN();
  expect(ratio(Number.NaN, 3)).toBeNaN();
});
