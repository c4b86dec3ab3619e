import { formatAgo, formatWeight } from './format';

test('formatAgo', () => {
  expect(formatAgo(undefined)).toBe('—');
  expect(formatAgo(10_000, 13_000)).toBe('3 s ago');
  expect(formatAgo(0 + 1, 1 + 5 * 60_000)).toBe('5 min ago');
  expect(formatAgo(1, 1 + 2 * 3_600_000)).toBe('2 h ago');
  expect(formatAgo(5_000, 1_000)).toBe('just now');
});

test('formatWeight', () => {
  expect(formatWeight(1)).toBe('1');
  expect(formatWeight(0.5)).toBe('0.5');
  expect(formatWeight(1.23456)).toBe('1.23');
});
