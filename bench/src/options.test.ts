import { parseOptions } from './options';

test('full defaults: 3 runs, 5 s, 1/16/64 connections, both memory points', () => {
  const o = parseOptions([]);
  expect(o).toMatchObject({
    quick: false,
    runs: 3,
    durationMs: 5_000,
    connections: [1, 16, 64],
    clusterConnections: [1, 16, 64],
    memoryTargets: [100_000, 1_000_000],
    clusters: true,
    peers: true,
  });
});

test('quick mode shortens everything but keeps the scenarios', () => {
  const o = parseOptions(['--quick']);
  expect(o).toMatchObject({ quick: true, runs: 1, durationMs: 1_500, clusterConnections: [64] });
  expect(o.memoryTargets).toEqual([100_000]);
  // Every bound is finite in quick mode.
  expect(o.maxOps).toBeLessThan(1_000_000);
  expect(o.memoryTimeMs).toBeLessThanOrEqual(60_000);
});

test('flags override defaults', () => {
  const o = parseOptions([
    '--runs',
    '5',
    '--connections',
    '2,4',
    '--duration',
    '0.5',
    '--only',
    'beat,list-100',
    '--memory',
    '0',
    '--no-peers',
    '--no-clusters',
  ]);
  expect(o).toMatchObject({ runs: 5, connections: [2, 4], durationMs: 500, only: ['beat', 'list-100'] });
  expect(o.memoryTargets).toEqual([]);
  expect(o.peers).toBe(false);
  expect(o.clusters).toBe(false);
});

test('bad input names the flag', () => {
  expect(() => parseOptions(['--runs', 'x'])).toThrow('--runs');
  expect(() => parseOptions(['--only', 'nope'])).toThrow('nope');
  expect(() => parseOptions(['--bogus'])).toThrow('unknown option --bogus');
  expect(() => parseOptions(['--duration'])).toThrow('needs a value');
});
