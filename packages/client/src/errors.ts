/**
 * Error codes of {@link TacosClientError}. `HTTP_ERROR`: the server answered with a non-2xx status.
 * `UNREACHABLE`: no server address could be reached. `BAD_RESPONSE`: a 2xx answer whose body could not
 * be understood (e.g. invalid JSON where JSON was expected).
 */
export const TACOS_CLIENT_ERROR_CODES = {
  HTTP_ERROR: 'HTTP_ERROR',
  UNREACHABLE: 'UNREACHABLE',
  BAD_RESPONSE: 'BAD_RESPONSE',
} as const;

/** One of {@link TACOS_CLIENT_ERROR_CODES}. */
export type TacosClientErrorCode = keyof typeof TACOS_CLIENT_ERROR_CODES;

/**
 * The one error class of `@tacos/client`: every failure a {@link TacosClient} method rejects with is an
 * instance of it (or of a subclass), with a `code` saying which kind of failure it was. The original
 * error, when there is one, is kept as `cause`.
 */
export class TacosClientError extends Error {
  readonly code: TacosClientErrorCode;

  constructor(code: TacosClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TacosClientError';
    this.code = code;
  }
}

/**
 * The server answered with a non-2xx status. `status` is the HTTP status, `body` the server's message
 * (the plain-text body as Nacos sends it, or the `message` field of a JSON error page), `url` the full
 * URL that was requested (without the access token) and `method` the HTTP method.
 */
export class TacosHttpError extends TacosClientError {
  readonly status: number;
  readonly body: string;
  readonly url: string;
  readonly method: string;

  constructor(init: { status: number; body: string; url: string; method: string }) {
    const detail = init.body.trim() === '' ? '(empty body)' : init.body.trim();
    super('HTTP_ERROR', `${init.method} ${init.url} failed with HTTP ${init.status}: ${detail}`);
    this.name = 'TacosHttpError';
    this.status = init.status;
    this.body = init.body;
    this.url = init.url;
    this.method = init.method;
  }
}

/** One failed attempt of a request, as listed by {@link TacosUnreachableError}. */
export interface FailedAttempt {
  /** The server address tried (`http://host:port`). */
  address: string;
  /** Why it failed, e.g. `ECONNREFUSED`, `timeout after 5000 ms`, `HTTP 503: server is DOWN now`. */
  reason: string;
}

/**
 * None of the configured servers gave a usable answer: each was unreachable (connection refused,
 * timeout, DNS failure) or, for idempotent calls, answered 5xx. `addresses` lists every address tried, in
 * order, and `attempts` why each failed. `cause` is the last underlying error.
 */
export class TacosUnreachableError extends TacosClientError {
  readonly addresses: string[];
  readonly attempts: FailedAttempt[];

  constructor(attempts: FailedAttempt[], options?: { cause?: unknown }) {
    const tried = attempts.map((attempt) => `${attempt.address} (${attempt.reason})`).join(', ');
    super('UNREACHABLE', `cannot reach any Tacos server; tried ${tried || 'no address'}`, options);
    this.name = 'TacosUnreachableError';
    this.attempts = attempts;
    this.addresses = attempts.map((attempt) => attempt.address);
  }
}
