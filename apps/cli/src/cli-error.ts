/**
 * The exit codes of `tacos`, documented in the README and stable for scripts:
 * 0 ok, 1 the server said no (or the operation failed), 2 usage error (bad arguments), 3 no server could
 * be reached.
 */
export const EXIT_CODES = {
  OK: 0,
  REFUSED: 1,
  USAGE: 2,
  UNREACHABLE: 3,
} as const;

/** One of {@link EXIT_CODES}' keys. */
export type CliErrorCode = Exclude<keyof typeof EXIT_CODES, 'OK'>;

/**
 * The one error class of the CLI: a failure with an exit code (`code`) and an optional hint telling the
 * user what to try. Commands throw it; `main` prints `error: <message>` and `hint: <hint>` to stderr and
 * exits with `EXIT_CODES[code]`.
 */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly hint: string | undefined;

  constructor(code: CliErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = 'CliError';
    this.code = code;
    this.hint = options?.hint;
  }
}

/** Shorthand for a usage error (exit 2). */
export function usageError(message: string, hint?: string): CliError {
  return new CliError('USAGE', message, { hint });
}
