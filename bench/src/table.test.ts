import {
  formatLatency,
  formatMarkdownTable,
  formatMiB,
  formatMs,
  formatRate,
  formatRatio,
  formatTable,
} from './table';

test('formatTable aligns columns and right-aligns numbers', () => {
  const text = formatTable(
    ['scenario', 'ops/s'],
    [
      ['register', '27,000'],
      ['list', '900'],
    ],
    ['left', 'right'],
  );
  expect(text.split('\n')).toEqual(['scenario   ops/s', '--------  ------', 'register  27,000', 'list         900']);
});

test('formatTable pads missing cells and never cuts long ones', () => {
  const text = formatTable(['a', 'b'], [['a-very-long-cell'], ['x', 'y']]);
  expect(text.split('\n')).toEqual(['a                 b', '----------------  -', 'a-very-long-cell', 'x                 y']);
});

test('formatMarkdownTable', () => {
  expect(formatMarkdownTable(['name', 'n'], [['a|b', '1']], ['left', 'right'])).toBe(
    '| name | n |\n|---|---:|\n| a\\|b | 1 |',
  );
});

test('number formats', () => {
  expect(formatRate(27431.6)).toBe('27,432');
  expect(formatRate(Number.NaN)).toBe('-');
  expect(formatRate(undefined)).toBe('-');
  expect(formatMs(0.4567)).toBe('0.46');
  expect(formatMs(12.34)).toBe('12.3');
  expect(formatMs(123.4)).toBe('123');
  expect(formatLatency(1.5, 20)).toBe('1.50 / 20.0');
  expect(formatLatency(Number.NaN, 1)).toBe('-');
  expect(formatRatio(1.234)).toBe('1.23×');
  expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('-');
  expect(formatMiB(1024 * 1024 * 812.44)).toBe('812.4 MiB');
});
