import type { MemoryPoint, RowSummary } from './report';
import type { System, Topology } from './scenarios';
import { type Align, formatMarkdownTable, formatMiB, formatRate, formatRatio, formatTable } from './table';

/** One target of issue 8 and how this run did against it. */
export interface TargetResult {
  target: string;
  /** What was measured, formatted; "-" when the row was not measured. */
  measured: string;
  /** 'pass' | 'fail' | 'n/a' (not measured in this run). */
  verdict: 'pass' | 'fail' | 'n/a';
}

type RatioTarget = {
  kind: 'ratio';
  target: string;
  scenario: string;
  topology: Topology;
  peer: System;
  min: number;
};
type RateTarget = { kind: 'rate'; target: string; scenario: string; topology: Topology; min: number };

/** The performance targets of issue 8, all at 64 connections. */
const TARGETS: readonly (RatioTarget | RateTarget)[] = [
  {
    kind: 'ratio',
    target: 'register ephemeral, 1 node: ≥ 1.0× ZooKeeper create-ephemeral',
    scenario: 'register ephemeral',
    topology: 'standalone',
    peer: 'ZooKeeper',
    min: 1,
  },
  {
    kind: 'ratio',
    target: 'register ephemeral, 1 node: ≥ 10× etcd lease-grant+put',
    scenario: 'register ephemeral',
    topology: 'standalone',
    peer: 'etcd',
    min: 10,
  },
  {
    kind: 'ratio',
    target: 'register persistent, 3 nodes: ≥ 1.5× etcd 3-node put',
    scenario: 'register persistent',
    topology: '3 nodes',
    peer: 'etcd',
    min: 1.5,
  },
  {
    kind: 'ratio',
    target: 'list 100 instances, 1 node: ≥ 1.0× ZooKeeper getChildren',
    scenario: 'list 100 instances',
    topology: 'standalone',
    peer: 'ZooKeeper',
    min: 1,
  },
  { kind: 'rate', target: 'beats, 1 node: ≥ 50,000/s', scenario: 'beat', topology: 'standalone', min: 50_000 },
];

const CONNECTIONS = 64;
const MEMORY_INSTANCES = 1_000_000;
const MEMORY_LIMIT = 2 ** 30;

/** Checks this run's figures against issue 8's targets. Rows or memory points not measured come out 'n/a'. */
export function evaluateTargets(rows: RowSummary[], memory: MemoryPoint[] | undefined): TargetResult[] {
  const results: TargetResult[] = TARGETS.map((t) => {
    const candidates = rows.filter(
      (r) => r.scenario === t.scenario && r.topology === t.topology && r.connections === CONNECTIONS,
    );
    if (t.kind === 'ratio') {
      const row = candidates.find((r) => r.peer === t.peer);
      if (!row || !Number.isFinite(row.ratio)) return { target: t.target, measured: '-', verdict: 'n/a' };
      return { target: t.target, measured: formatRatio(row.ratio), verdict: row.ratio >= t.min ? 'pass' : 'fail' };
    }
    const ops = candidates.find((r) => r.tacos)?.tacos?.opsPerSec;
    if (ops === undefined) return { target: t.target, measured: '-', verdict: 'n/a' };
    return { target: t.target, measured: `${formatRate(ops)}/s`, verdict: ops >= t.min ? 'pass' : 'fail' };
  });
  const point = memory?.find((p) => p.target === MEMORY_INSTANCES && p.registered >= MEMORY_INSTANCES);
  const memoryTarget = '1,000,000 ephemeral instances, 1 node: RSS < 1 GiB';
  if (point?.rssBytes === undefined) results.push({ target: memoryTarget, measured: '-', verdict: 'n/a' });
  else {
    results.push({
      target: memoryTarget,
      measured: formatMiB(point.rssBytes),
      verdict: point.rssBytes < MEMORY_LIMIT ? 'pass' : 'fail',
    });
  }
  return results;
}

/** The targets table, as aligned text or Markdown. */
export function renderTargets(results: TargetResult[], markdown = false): string {
  const headers = ['Target (64 connections)', 'Measured', 'Verdict'];
  const rows = results.map((r) => [r.target, r.measured, r.verdict]);
  const align: Align[] = ['left', 'right', 'left'];
  return markdown ? formatMarkdownTable(headers, rows, align) : formatTable(headers, rows, align);
}
