import { CheckInterval, DEFAULT_CHECK_RT_PARAMS, initialCheckRt, nextCheckRt, rtSample } from './check-interval';

const TCP = DEFAULT_CHECK_RT_PARAMS.TCP;
const HTTP = DEFAULT_CHECK_RT_PARAMS.HTTP;

describe('check interval', () => {
  it('starts at 2000 + random(0..random(0..5000))', () => {
    expect(initialCheckRt(() => 0)).toBe(2000);
    const values = [0.999, 0.5];
    let i = 0;
    // upper = floor(0.999*5000) = 4995; then floor(0.5*4995) = 2497.
    expect(initialCheckRt(() => values[i++]!)).toBe(4497);
    for (let n = 0; n < 200; n++) {
      const v = initialCheckRt(Math.random);
      expect(v).toBeGreaterThanOrEqual(2000);
      expect(v).toBeLessThan(7000);
    }
  });

  it('is an EWMA with the type factor, clamped to [min, max]', () => {
    expect(nextCheckRt(2000, 1000, TCP)).toBe(1750);
    expect(nextCheckRt(1000, 0, TCP)).toBe(1000);
    expect(nextCheckRt(5000, 20000, TCP)).toBe(5000);
    expect(nextCheckRt(2000, 0, HTTP)).toBe(1700);
    expect(nextCheckRt(500, 0, HTTP)).toBe(500);
  });

  it('feeds failures in as 2x current (FAIL) and max (FAIL_NOW)', () => {
    expect(rtSample('OK', 12, 2000, TCP)).toBe(12);
    expect(rtSample('FAIL', 500, 2000, TCP)).toBe(4000);
    expect(rtSample('FAIL_NOW', 1, 2000, TCP)).toBe(5000);
  });

  it('tracks best, worst and last samples', () => {
    const ci = new CheckInterval(2000);
    expect(ci.snapshot()).toEqual({ checkRtNormalized: 2000, checkRtBest: -1, checkRtWorst: -1, checkRtLast: -1 });
    ci.record('OK', 10, TCP);
    ci.record('FAIL_NOW', 1, TCP);
    expect(ci.snapshot()).toEqual({ checkRtNormalized: 2376, checkRtBest: 10, checkRtWorst: 5000, checkRtLast: 5000 });
    expect(ci.current).toBe(2376);
  });
});
