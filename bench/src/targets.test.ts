import type { Figure, RowSummary } from './report';
import { evaluateTargets, renderTargets } from './targets';

const fig = (opsPerSec: number): Figure => ({ opsPerSec, p50Ms: 1, p99Ms: 2, runs: [opsPerSec], generatorBound: false });

const row = (scenario: string, peer: RowSummary['peer'], ratio: number, tacos?: number): RowSummary => ({
  scenario,
  topology: 'standalone',
  connections: 64,
  tacosLabel: scenario,
  peer,
  peerLabel: '',
  tacos: tacos === undefined ? undefined : fig(tacos),
  ratio,
  ratioRuns: [ratio],
});

test('verdicts from ratios, rates and memory; unmeasured targets are n/a', () => {
  const results = evaluateTargets(
    [
      row('register ephemeral', 'ZooKeeper', 1.2, 30_000),
      row('register ephemeral', 'etcd', 8, 30_000),
      { ...row('register ephemeral', 'etcd', 100, 30_000), connections: 16 }, // wrong connection count
      row('beat', 'etcd', 2, 60_000),
    ],
    [{ target: 1_000_000, registered: 1_000_000, rssBytes: 900 * 2 ** 20, atSeconds: 60 }],
  );
  expect(results.map((r) => [r.measured, r.verdict])).toEqual([
    ['1.20×', 'pass'],
    ['8.00×', 'fail'],
    ['-', 'n/a'],
    ['-', 'n/a'],
    ['60,000/s', 'pass'],
    ['900.0 MiB', 'pass'],
  ]);
});

test('memory not reached is n/a, not a pass', () => {
  const results = evaluateTargets([], [{ target: 1_000_000, registered: 400_000, rssBytes: 1, atSeconds: 300 }]);
  expect(results.at(-1)?.verdict).toBe('n/a');
  expect(renderTargets(results)).toContain('Target (64 connections)');
});
