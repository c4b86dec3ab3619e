import { renderTable } from './table';

const columns = [
  { header: 'NAME', value: (r: { name: string; n?: number }) => r.name },
  { header: 'N', value: (r: { name: string; n?: number }) => r.n },
];

describe('renderTable', () => {
  it('aligns columns, prints - for missing cells and has no trailing spaces', () => {
    expect(renderTable(columns, [{ name: 'order', n: 3 }, { name: 'a' }])).toBe('NAME   N\norder  3\na      -\n');
  });

  it('shortens the widest column with … to fit the width', () => {
    const text = renderTable(columns, [{ name: 'a-very-long-service-name', n: 1 }], { width: 15 });
    for (const line of text.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(15);
    expect(text).toContain('…');
  });

  it('never shortens keep columns or below the header width', () => {
    const keep = [
      { header: 'IP', value: (r: { ip: string; meta: string }) => r.ip, keep: true },
      { header: 'METADATA', value: (r: { ip: string; meta: string }) => r.meta },
    ];
    const text = renderTable(keep, [{ ip: '10.0.0.1', meta: 'zone=eu-west-1a,team=payments' }], { width: 12 });
    expect(text).toBe('IP        METADATA\n10.0.0.1  zone=eu…\n');
  });

  it('applies styles after padding so alignment survives colour codes', () => {
    const styled = [{ ...columns[0]!, style: (t: string) => `<${t}>` }, columns[1]!];
    expect(renderTable(styled, [{ name: 'x', n: 1 }])).toBe('NAME  N\n<x   >  1\n');
  });
});
