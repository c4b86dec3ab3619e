import { type Measurement, renderMemory, renderRows, type Row, summarize } from './report';

const m = (opsPerSec: number, extra: Partial<Measurement> = {}): Measurement => ({
  opsPerSec,
  ops: Math.round(opsPerSec),
  errors: 0,
  elapsedMs: 1000,
  p50Ms: 1,
  p99Ms: 2,
  maxMs: 3,
  stoppedBy: 'time',
  ...extra,
});

const base: Omit<Row, 'samples'> = {
  scenario: 'register ephemeral',
  topology: 'standalone',
  connections: 64,
  tacosLabel: 'register ephemeral',
  peer: 'ZooKeeper',
  peerLabel: 'create-ephemeral',
};

test('ratio is the median of per-run ratios, not the ratio of medians', () => {
  const s = summarize({
    ...base,
    samples: [
      { run: 1, tacos: m(100), peer: m(50) }, // 2.0
      { run: 2, tacos: m(300), peer: m(100) }, // 3.0
      { run: 3, tacos: m(200), peer: m(200) }, // 1.0
    ],
  });
  expect(s.tacos?.opsPerSec).toBe(200);
  expect(s.peerFigure?.opsPerSec).toBe(100);
  expect(s.ratioRuns).toEqual([2, 3, 1]);
  expect(s.ratio).toBe(2);
});

test('failed runs are left out of medians and ratios and explained when nothing is left', () => {
  const s = summarize({
    ...base,
    samples: [
      { run: 1, tacos: m(100), peer: m(0, { ops: 0, stoppedBy: 'errors', firstError: 'ECONNREFUSED' }) },
      { run: 2, tacos: m(300), peer: undefined },
    ],
  });
  expect(s.tacos?.opsPerSec).toBe(200);
  expect(s.peerFigure).toBeUndefined();
  expect(s.peerNote).toBe('failed (errors: ECONNREFUSED)');
  expect(s.ratio).toBeNaN();
});

test('renderRows shows notes in place of figures', () => {
  const text = renderRows([
    summarize({ ...base, samples: [{ run: 1, tacos: m(27000), peer: m(13500) }] }),
    summarize({
      ...base,
      topology: '3 nodes',
      tacosNote: 'n/a (cluster mode not implemented yet)',
      samples: [{ run: 1, peer: m(5000) }],
    }),
  ]);
  const lines = text.split('\n');
  expect(lines[0]).toMatch(/^Scenario +Nodes +Conns +Tacos ops\/s/);
  expect(lines[2]).toContain('27,000');
  expect(lines[2]).toContain('2.00×');
  expect(lines[3]).toContain('n/a (cluster mode not implemented yet)');
  expect(lines[3]).toContain('5,000');
  expect(lines[3]).toMatch(/-$/);
});

test('figures whose generator core was over 80 % busy are flagged', () => {
  const s = summarize({
    ...base,
    samples: [
      { run: 1, tacos: m(100, { generatorCpu: 0.95 }), peer: m(50, { generatorCpu: 0.2 }) },
      { run: 2, tacos: m(100, { generatorCpu: 0.9 }), peer: m(50, { generatorCpu: 0.3 }) },
    ],
  });
  expect(s.tacos?.generatorBound).toBe(true);
  expect(s.peerFigure?.generatorBound).toBe(false);
  expect(renderRows([s])).toContain('100 *');
});

test('renderRows as Markdown', () => {
  const md = renderRows([summarize({ ...base, samples: [{ run: 1, tacos: m(10), peer: m(5) }] })], true);
  expect(md.split('\n')[1]).toBe('|---|---|---:|---:|---:|---|---:|---:|---:|');
  expect(md).toContain('| register ephemeral | 1 | 64 | 10 | 1.00 / 2.00 | ZooKeeper create-ephemeral | 5 |');
});

test('renderMemory', () => {
  const text = renderMemory(50 * 1024 * 1024, [
    { target: 100_000, registered: 100_000, rssBytes: 200 * 1024 * 1024, atSeconds: 4.2 },
  ]);
  expect(text).toContain('100,000');
  expect(text).toContain('200.0 MiB');
  expect(text).toContain('50.0 MiB');
});
