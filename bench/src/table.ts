/**
 * Plain-text and Markdown tables for the benchmark report. Pure functions over strings.
 */

/** Column alignment. */
export type Align = 'left' | 'right';

/** Renders rows as an aligned text table with a header rule; cells are padded, never cut. */
export function formatTable(headers: string[], rows: string[][], align: Align[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join('\n');
}

/** Renders rows as a GitHub Markdown table (pipes in cells are escaped). */
export function formatMarkdownTable(headers: string[], rows: string[][], align: Align[] = []): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.map(esc).join(' | ')} |`;
  const rule = `|${headers.map((_, i) => (align[i] === 'right' ? '---:' : '---')).join('|')}|`;
  return [line(headers), rule, ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join('\n');
}

/** Throughput with thousands separators and no decimals ("27,431"); "-" when missing. */
export function formatRate(opsPerSec: number | undefined): string {
  if (opsPerSec === undefined || !Number.isFinite(opsPerSec)) return '-';
  return Math.round(opsPerSec).toLocaleString('en-US');
}

/** Milliseconds with 2 significant decimals below 10 ms, 1 below 100 ms, none above; "-" when missing. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toString();
}

/** "p50 / p99" latency cell. */
export function formatLatency(p50: number | undefined, p99: number | undefined): string {
  if (p50 === undefined || !Number.isFinite(p50)) return '-';
  return `${formatMs(p50)} / ${formatMs(p99)}`;
}

/** A ratio as "1.23×"; "-" when missing. */
export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '-';
  return `${ratio.toFixed(2)}×`;
}

/** Bytes as MiB with one decimal ("812.4 MiB"); "-" when missing. */
export function formatMiB(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '-';
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
