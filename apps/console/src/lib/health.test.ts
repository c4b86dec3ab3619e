import { healthLevel, isTriggered, summarizeHealth } from './health';

const inst = (healthy: boolean, enabled = true) => ({ healthy, enabled });

describe('summarizeHealth', () => {
  test('counts healthy, unhealthy and offline instances', () => {
    const s = summarizeHealth([inst(true), inst(false), inst(true, false), inst(false, false)], 0);
    expect(s).toMatchObject({ total: 4, healthy: 2, unhealthy: 2, disabled: 2, ratio: 0.5, protectionReached: false });
  });

  test('protection is reached when healthy/total <= threshold (inclusive), as Nacos', () => {
    expect(summarizeHealth([inst(true), inst(false)], 0.5).protectionReached).toBe(true);
    expect(summarizeHealth([inst(true), inst(false)], 0.49).protectionReached).toBe(false);
    expect(summarizeHealth([inst(false), inst(false)], 0).protectionReached).toBe(true);
  });

  test('an empty set or a negative threshold never triggers protection', () => {
    expect(summarizeHealth([], 1).protectionReached).toBe(false);
    expect(summarizeHealth([inst(false)], -1).protectionReached).toBe(false);
    expect(summarizeHealth([]).ratio).toBe(0);
  });
});

test('isTriggered accepts Nacos string flags and booleans', () => {
  expect(isTriggered('true')).toBe(true);
  expect(isTriggered(true)).toBe(true);
  expect(isTriggered('false')).toBe(false);
  expect(isTriggered(undefined)).toBe(false);
});

test('healthLevel', () => {
  expect(healthLevel(0, 0)).toBe('empty');
  expect(healthLevel(3, 3)).toBe('ok');
  expect(healthLevel(1, 3)).toBe('partial');
  expect(healthLevel(0, 3)).toBe('down');
});
