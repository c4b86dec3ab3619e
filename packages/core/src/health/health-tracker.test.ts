import { HealthTracker } from './health-tracker';

describe('HealthTracker', () => {
  it('turns unhealthy after checkTimes consecutive FAILs', () => {
    const t = new HealthTracker();
    expect(t.observe('FAIL', true, false, 3)).toBeUndefined();
    expect(t.observe('FAIL', true, false, 3)).toBeUndefined();
    expect(t.observe('FAIL', true, false, 3)).toBe(false);
  });

  it('an OK in between restarts the failure count', () => {
    const t = new HealthTracker();
    t.observe('FAIL', true, false, 3);
    t.observe('FAIL', true, false, 3);
    expect(t.observe('OK', true, false, 3)).toBeUndefined();
    expect(t.observe('FAIL', true, false, 3)).toBeUndefined();
    expect(t.observe('FAIL', true, false, 3)).toBeUndefined();
    expect(t.observe('FAIL', true, false, 3)).toBe(false);
  });

  it('FAIL_NOW flips a healthy instance at once', () => {
    expect(new HealthTracker().observe('FAIL_NOW', true, false, 3)).toBe(false);
  });

  it('turns healthy after checkTimes consecutive OKs, and a failure restarts the count', () => {
    const t = new HealthTracker();
    expect(t.observe('OK', false, false, 3)).toBeUndefined();
    expect(t.observe('FAIL', false, false, 3)).toBeUndefined();
    expect(t.observe('OK', false, false, 3)).toBeUndefined();
    expect(t.observe('OK', false, false, 3)).toBeUndefined();
    expect(t.consecutiveOk).toBe(2);
    expect(t.observe('OK', false, false, 3)).toBe(true);
    expect(t.consecutiveOk).toBe(0);
  });

  it('never flips a marked instance', () => {
    const t = new HealthTracker();
    expect(t.observe('FAIL_NOW', true, true, 3)).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(t.observe('OK', false, true, 3)).toBeUndefined();
  });

  it('uses the checkTimes given on each call (switch healthCheckTimes)', () => {
    const t = new HealthTracker();
    expect(t.observe('FAIL', true, false, 1)).toBe(false);
    expect(t.observe('OK', false, false, 0)).toBe(true);
  });
});
