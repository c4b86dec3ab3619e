import { type Column, renderTable } from './table';
import { toYaml } from './yaml';

/** The `--output` formats. */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A writable text sink (process.stdout / process.stderr). */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of an {@link Output}. */
export interface OutputOptions {
  format: OutputFormat;
  quiet: boolean;
  /** Colour on stdout: callers decide (TTY and not --no-color / NO_COLOR). */
  color: boolean;
  stdout: Sink;
  stderr: Sink;
}

const ANSI = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;

/**
 * Everything the CLI prints goes through one Output:
 * - results (`data`, `result`) go to stdout: JSON (two-space indent, the server's field names, stable
 *   for scripts), YAML, or a table sized to the terminal when stdout is one;
 * - notes and progress (`info`, `progress`) go to stderr and are silenced by `--quiet`;
 * - warnings and errors (`warn`, `error`) go to stderr always.
 * Colour codes are emitted only when `color` is on.
 */
export class Output {
  readonly format: OutputFormat;
  readonly quiet: boolean;
  readonly color: boolean;
  private readonly stdout: Sink;
  private readonly stderr: Sink;

  constructor(options: OutputOptions) {
    this.format = options.format;
    this.quiet = options.quiet;
    this.color = options.color;
    this.stdout = options.stdout;
    this.stderr = options.stderr;
  }

  /** Prints a value: JSON/YAML as is, or as a table of `rows` with `columns` in table mode. */
  data<T>(value: unknown, columns: Column<T>[], rows: T[]): void {
    if (this.format !== 'table') {
      this.raw(value);
      return;
    }
    this.stdout.write(
      renderTable(columns, rows, {
        width: this.stdout.isTTY ? (this.stdout.columns ?? 100) : undefined,
        headerStyle: (text) => this.paint('bold', text),
      }),
    );
  }

  /** Prints a single object: JSON/YAML as is, or `key: value` lines in table mode. */
  record(value: Record<string, unknown>, fields?: Array<[string, unknown]>): void {
    if (this.format !== 'table') {
      this.raw(value);
      return;
    }
    const entries = fields ?? Object.entries(value);
    const width = Math.max(0, ...entries.map(([key]) => key.length));
    const lines = entries.map(([key, v]) => {
      const text = v === undefined || v === null || v === '' ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return `${this.paint('bold', `${key}:`.padEnd(width + 1))} ${text}`;
    });
    this.stdout.write(`${lines.join('\n')}\n`);
  }

  /**
   * The outcome of a write: `value` in JSON/YAML mode (always printed, so scripts can rely on it);
   * `message` in table mode (silenced by `--quiet`).
   */
  result(value: Record<string, unknown>, message: string): void {
    if (this.format !== 'table') this.raw(value);
    else if (!this.quiet) this.stdout.write(`${message}\n`);
  }

  /** Prints a value in JSON/YAML whatever the format (table mode falls back to JSON). */
  raw(value: unknown): void {
    this.stdout.write(this.format === 'yaml' ? toYaml(value) : `${JSON.stringify(value, null, 2)}\n`);
  }

  /** One line of JSON (for streams such as `watch`), or YAML documents in YAML mode. */
  line(value: unknown): void {
    if (this.format === 'yaml') this.stdout.write(`---\n${toYaml(value)}`);
    else this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Plain text to stdout (table mode content that is not a table). */
  text(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A note on stderr, silenced by `--quiet`. */
  info(text: string): void {
    if (!this.quiet) this.stderr.write(`${text}\n`);
  }

  /** Progress on stderr (`label: done/total`), silenced by `--quiet`. */
  progress(label: string, done: number, total?: number): void {
    if (this.quiet) return;
    const counter = total === undefined ? `${done}` : `${done}/${total}`;
    this.stderr.write(`${label}: ${counter}\n`);
  }

  /** A warning on stderr, always shown. */
  warn(text: string): void {
    this.stderr.write(`${this.paintErr('yellow', 'warning:')} ${text}\n`);
  }

  /** An error (and optional hint) on stderr, always shown. */
  error(text: string, hint?: string): void {
    this.stderr.write(`${this.paintErr('red', 'error:')} ${text}\n`);
    if (hint) this.stderr.write(`${this.paintErr('dim', 'hint:')} ${hint}\n`);
  }

  /** Wraps text in an ANSI style when colour is on (for stdout). */
  paint(style: keyof typeof ANSI, text: string): string {
    if (!this.color) return text;
    const [on, off] = ANSI[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  }

  private paintErr(style: keyof typeof ANSI, text: string): string {
    if (!this.color || !this.stderr.isTTY) return text;
    const [on, off] = ANSI[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  }
}
