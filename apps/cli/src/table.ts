/** A column of {@link renderTable}: header text and how to read the cell from a row. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Colour the cell text (called only when colour is on). */
  style?: (text: string, row: T) => string;
  /** Never shorten this column (identifiers such as addresses). */
  keep?: boolean;
}

/** Options of {@link renderTable}. */
export interface TableOptions {
  /**
   * Maximum line width; cells of the widest columns are shortened with `…` to fit, but never below
   * their header's width (or 4) and never for `keep` columns, so a very narrow terminal may still
   * wrap. Unlimited if absent.
   */
  width?: number;
  /** Style for the header row (e.g. bold), applied when given. */
  headerStyle?: (text: string) => string;
}

/**
 * Renders rows as a plain-text table: one header line, one line per row, columns separated by two
 * spaces, no trailing spaces, ending with a newline. `null`/`undefined` cells print `-`, objects print
 * as compact JSON. When `width` is given, the widest shortenable columns are shortened until the table
 * fits or none can be shortened further. Styling is applied after padding, so colours never break alignment.
 */
export function renderTable<T>(columns: Column<T>[], rows: T[], options: TableOptions = {}): string {
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i]!.length)));
  if (options.width !== undefined) {
    const floors = columns.map((column) => (column.keep ? Number.POSITIVE_INFINITY : Math.max(4, column.header.length)));
    shrink(widths, floors, options.width);
  }
  const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text);
  const line = (texts: string[], style: (text: string, index: number) => string) =>
    texts
      .map((text, i) => {
        const cut = clip(text, widths[i]!);
        const padded = i === texts.length - 1 ? cut : cut.padEnd(widths[i]!);
        return style(padded, i);
      })
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.header), (text) => (options.headerStyle ? options.headerStyle(text) : text))];
  cells.forEach((texts, r) => {
    out.push(line(texts, (text, i) => (columns[i]!.style ? columns[i]!.style!(text, rows[r]!) : text)));
  });
  return `${out.join('\n')}\n`;
}

function shrink(widths: number[], floors: number[], max: number): void {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  // Bounded: each pass removes one character from the widest column that may still shrink.
  for (let guard = 0; guard < 100_000 && total() > max; guard++) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (widths[i]! > floors[i]! && (widest === -1 || widths[i]! > widths[widest]!)) widest = i;
    }
    if (widest === -1) break;
    widths[widest]! -= 1;
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/[\r\n\t]+/g, ' ');
}
