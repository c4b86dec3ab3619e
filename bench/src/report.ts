import type { LoopResult } from './loop';
import type { System, Topology } from './scenarios';
import { median, ratio } from './stats';
import {
  type Align,
  formatLatency,
  formatMarkdownTable,
  formatMiB,
  formatRate,
  formatRatio,
  formatTable,
} from './table';

/** One measured closed-loop run of one system, as kept in the JSON report. */
export interface Measurement {
  opsPerSec: number;
  ops: number;
  errors: number;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  stoppedBy: LoopResult['stoppedBy'];
  firstError?: string;
  /** Load generator CPU use during the run (fraction of one core); near 1 means generator-bound. */
  generatorCpu?: number;
}

/** Converts a loop result into the report's shape. */
export function toMeasurement(result: LoopResult): Measurement {
  return {
    opsPerSec: result.opsPerSec,
    ops: result.ops,
    errors: result.errors,
    elapsedMs: result.elapsedMs,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    stoppedBy: result.stoppedBy,
    firstError: result.firstError,
    generatorCpu: result.generatorCpu,
  };
}

/** Whether a measurement is good enough to report a figure (it did not fail out). */
export function isUsable(m: Measurement | undefined): m is Measurement {
  return m !== undefined && m.ops > 0 && m.stoppedBy !== 'errors' && m.stoppedBy !== 'stuck';
}

/** Tacos and one peer measured back to back within one run. */
export interface PairSample {
  run: number;
  tacos?: Measurement;
  peer?: Measurement;
}

/** One table row: a Tacos operation against one peer's equivalent, at one connection count. */
export interface Row {
  scenario: string;
  topology: Topology;
  connections: number;
  tacosLabel: string;
  peer: System;
  peerLabel: string;
  samples: PairSample[];
  /** Why Tacos was not measured (e.g. cluster mode missing), shown instead of a figure. */
  tacosNote?: string;
  /** Why the peer was not measured. */
  peerNote?: string;
}

/** Median figures of one side of a row over its runs. */
export interface Figure {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** ops/s of each usable run, in run order. */
  runs: number[];
  /** The load generator's core was over 80 % busy (median): the figure may understate the server. */
  generatorBound: boolean;
}

/** Generator CPU share above which a figure is flagged. */
const GENERATOR_BOUND = 0.8;

/** Footnote printed under the table when a figure is flagged with `*`. */
export const GENERATOR_BOUND_NOTE =
  '* the load generator\'s core was over 80 % busy: that figure may be the generator\'s limit, not the server\'s.';

/** A row reduced to medians, with the Tacos/peer ratio. */
export interface RowSummary extends Omit<Row, 'samples'> {
  tacos?: Figure;
  peerFigure?: Figure;
  /** Median over runs of the ratio computed within each run (not the ratio of the medians). */
  ratio: number;
  ratioRuns: number[];
}

function figure(ms: (Measurement | undefined)[]): Figure | undefined {
  const usable = ms.filter(isUsable);
  if (usable.length === 0) return undefined;
  return {
    opsPerSec: median(usable.map((m) => m.opsPerSec)),
    p50Ms: median(usable.map((m) => m.p50Ms)),
    p99Ms: median(usable.map((m) => m.p99Ms)),
    runs: usable.map((m) => m.opsPerSec),
    generatorBound: median(usable.map((m) => m.generatorCpu ?? 0)) > GENERATOR_BOUND,
  };
}

function failure(ms: (Measurement | undefined)[]): string | undefined {
  const failed = ms.find((m): m is Measurement => m !== undefined && !isUsable(m));
  if (!failed) return undefined;
  return `failed (${failed.stoppedBy}${failed.firstError ? `: ${failed.firstError}` : ''})`;
}

/** Reduces a row's runs to medians; the ratio pairs Tacos and the peer run by run. */
export function summarize(row: Row): RowSummary {
  const { samples, ...rest } = row;
  const ratioRuns = samples
    .filter((s) => isUsable(s.tacos) && isUsable(s.peer))
    .map((s) => ratio(s.tacos!.opsPerSec, s.peer!.opsPerSec));
  const tacosMs = samples.map((s) => s.tacos);
  const peerMs = samples.map((s) => s.peer);
  const tacos = figure(tacosMs);
  const peerFigure = figure(peerMs);
  return {
    ...rest,
    tacosNote: rest.tacosNote ?? (tacos ? undefined : failure(tacosMs)),
    peerNote: rest.peerNote ?? (peerFigure ? undefined : failure(peerMs)),
    tacos,
    peerFigure,
    ratio: median(ratioRuns),
    ratioRuns,
  };
}

const HEADERS = [
  'Scenario',
  'Nodes',
  'Conns',
  'Tacos ops/s',
  'Tacos p50/p99 ms',
  'Peer',
  'Peer ops/s',
  'Peer p50/p99 ms',
  'Tacos/peer',
];
const ALIGN: Align[] = ['left', 'left', 'right', 'right', 'right', 'left', 'right', 'right', 'right'];

function flagged(f: Figure): string {
  return `${formatRate(f.opsPerSec)}${f.generatorBound ? ' *' : ''}`;
}

function cells(s: RowSummary): string[] {
  return [
    s.scenario,
    s.topology === 'standalone' ? '1' : '3',
    String(s.connections),
    s.tacos ? flagged(s.tacos) : (s.tacosNote ?? '-'),
    formatLatency(s.tacos?.p50Ms, s.tacos?.p99Ms),
    `${s.peer} ${s.peerLabel}`,
    s.peerFigure ? flagged(s.peerFigure) : (s.peerNote ?? '-'),
    formatLatency(s.peerFigure?.p50Ms, s.peerFigure?.p99Ms),
    formatRatio(s.ratio),
  ];
}

/** The throughput table, as aligned text or as Markdown (for the README). */
export function renderRows(summaries: RowSummary[], markdown = false): string {
  const rows = summaries.map(cells);
  return markdown ? formatMarkdownTable(HEADERS, rows, ALIGN) : formatTable(HEADERS, rows, ALIGN);
}

/** RSS of one Tacos node at a number of live ephemeral instances. */
export interface MemoryPoint {
  /** Instances the benchmark wanted to have registered. */
  target: number;
  /** Instances actually registered when RSS was read (less than target if the time bound hit). */
  registered: number;
  rssBytes?: number;
  /** Seconds since the memory phase started. */
  atSeconds: number;
}

/** The memory table. */
export function renderMemory(baselineRss: number | undefined, points: MemoryPoint[], markdown = false): string {
  const headers = ['Ephemeral instances', 'Registered', 'Tacos RSS', 'After (s)'];
  const rows = [
    ['0 (idle)', '0', formatMiB(baselineRss), '0'],
    ...points.map((p) => [
      p.target.toLocaleString('en-US'),
      p.registered.toLocaleString('en-US'),
      formatMiB(p.rssBytes),
      p.atSeconds.toFixed(0),
    ]),
  ];
  const align: Align[] = ['right', 'right', 'right', 'right'];
  return markdown ? formatMarkdownTable(headers, rows, align) : formatTable(headers, rows, align);
}
