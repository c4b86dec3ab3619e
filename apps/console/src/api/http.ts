// The console's error type, token hand-off and URL building. Requests themselves go through
// @tacos/client (console-api.ts); the SSE watch URL is built here because EventSource takes a URL.
import { type Params, errorMessage } from '@tacos/client';
import { clearToken, readToken } from '../lib/token-store';


/**
 * A request the server refused or could not answer. `status` is the HTTP status (0 when the server could
 * not be reached at all), `message` the server's own text (plain body, or the `message` of a JSON error
 * page / RestResult), `path` the API path that was called.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly path: string;
  readonly method: string;

  constructor(init: { status: number; message: string; path: string; method: string; cause?: unknown }) {
    super(init.message, { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.path = init.path;
    this.method = init.method;
  }
}

/** Where the API lives: the console's own origin, under the context path. */
const API_ROOT = '/nacos';
let onAuthRequired: ((reason: string) => void) | undefined;

/**
 * Registers the callback that runs when the server says the token is missing, invalid or expired
 * (401/403 with a token message). The stored token is cleared before it runs.
 */
export function setAuthRequiredHandler(handler: ((reason: string) => void) | undefined): void {
  onAuthRequired = handler;
}

const TOKEN_MESSAGES = /token (invalid|expired)|unknown user|token.*(missing|required)|not logged in|unauthori[sz]ed/i;

/** Whether an error means "log in (again)": 401, or 403 with one of Nacos' token messages. */
export function isAuthError(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.status === 401) return true;
  return error.status === 403 && TOKEN_MESSAGES.test(error.message);
}

function compact(params: Params | undefined): URLSearchParams {
  const search = new URLSearchParams();
  if (!params) return search;
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) search.set(key, String(value));
  }
  return search;
}

/** Builds the full URL of an API path with its query (and the token, when one is stored). */
export function apiUrl(path: string, query?: Params, withToken = true): string {
  const search = compact(query);
  const token = withToken ? readToken()?.accessToken : undefined;
  if (token) search.set('accessToken', token);
  const text = search.toString();
  return `${API_ROOT}${path}${text ? `?${text}` : ''}`;
}

/**
 * The human message of an error body for the page: the client's {@link errorMessage} (plain text, or the
 * `message` of a JSON error page / RestResult), except that an HTML page or an empty body becomes
 * `HTTP <status>`, and a long text is cut at 500 characters.
 */
export function messageFromBody(body: string, status: number): string {
  const trimmed = errorMessage(body).trim();
  if (trimmed === '' || trimmed.startsWith('<')) return `HTTP ${status}`;
  return trimmed.slice(0, 500);
}

/** Clears the stored token and runs the login handler: the server rejected the token. */
export function notifyAuthRequired(reason: string): void {
  clearToken();
  onAuthRequired?.(reason);
}
