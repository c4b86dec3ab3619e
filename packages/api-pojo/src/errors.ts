/**
 * Error codes shared by every Tacos package that speaks the naming API. Stable strings: the server's
 * one error middleware switches on them to pick the Nacos HTTP status (see {@link NACOS_ERROR_STATUS}).
 */
export const NACOS_ERROR_CODES = {
  /** A required parameter is absent or blank (Nacos: 400 `Param 'x' is required.`). */
  PARAM_MISSING: 'PARAM_MISSING',
  /** A parameter is present but malformed or out of range (400, message names the field). */
  INVALID_PARAM: 'INVALID_PARAM',
  /** The request is well-formed but conflicts with current state (400 in Nacos, e.g. "already exists"). */
  CONFLICT: 'CONFLICT',
  /** A looked-up resource is missing where Nacos answers 404. */
  NOT_FOUND: 'NOT_FOUND',
  /** The route exists for no method/path (Nacos: 501 `no such api:METHOD:URI`). */
  NO_SUCH_API: 'NO_SUCH_API',
  /** The request body exceeds the configured limit (413). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The server cannot serve now (no Raft leader, stopping, not loaded yet): 503. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** Authentication or authorization refused (403). */
  FORBIDDEN: 'FORBIDDEN',
  /** An internal failure the client cannot fix (500). */
  SERVER_ERROR: 'SERVER_ERROR',
} as const;

/** One of the {@link NACOS_ERROR_CODES} values. */
export type NacosErrorCode = (typeof NACOS_ERROR_CODES)[keyof typeof NACOS_ERROR_CODES];

/** The HTTP status Nacos answers for each code. Only the server should need this table. */
export const NACOS_ERROR_STATUS: Readonly<Record<NacosErrorCode, number>> = {
  PARAM_MISSING: 400,
  INVALID_PARAM: 400,
  CONFLICT: 400,
  NOT_FOUND: 404,
  NO_SUCH_API: 501,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  FORBIDDEN: 403,
  SERVER_ERROR: 500,
};

/**
 * The one error class of the naming API. `message` is exactly the plain-text body Nacos would send
 * (e.g. `Param 'ip' is required.`), so the server can write it unchanged; `code` picks the status.
 */
export class NacosError extends Error {
  readonly code: NacosErrorCode;

  constructor(code: NacosErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NacosError';
    this.code = code;
  }

  /** The HTTP status for this error's code. */
  get status(): number {
    return NACOS_ERROR_STATUS[this.code];
  }
}

/** True when `err` is a {@link NacosError}, optionally with the given code. */
export function isNacosError(err: unknown, code?: NacosErrorCode): err is NacosError {
  return err instanceof NacosError && (code === undefined || err.code === code);
}

/** `Param 'name' is required.` as a PARAM_MISSING error (the Nacos parameter helper's text). */
export function paramRequired(name: string): NacosError {
  return new NacosError(NACOS_ERROR_CODES.PARAM_MISSING, `Param '${name}' is required.`);
}

/** An INVALID_PARAM error whose message names the field: `Param 'name' is illegal, <why>`. */
export function paramIllegal(name: string, why: string): NacosError {
  return new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param '${name}' is illegal, ${why}`);
}
