// Turns any failure into the sentence shown in place, keeping the server's own words.
import { ApiError } from '../api/http';

/** A message for the page: a title line and the server's text. */
export interface ErrorDescription {
  title: string;
  detail: string;
}

/**
 * Describes an error for an operator. For an {@link ApiError} the detail is the server's message
 * verbatim and the title says what kind of failure it was (not reachable, bad request, not found, not
 * allowed, not supported by this server, not ready, server error). Anything else shows its message.
 */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof ApiError) {
    const detail = error.message;
    switch (true) {
      case error.status === 0:
        return { title: 'Cannot reach the Tacos server', detail: 'Check that the server is running and reachable from this browser.' };
      case error.status === 400:
        return { title: 'The server refused the request', detail };
      case error.status === 401:
        return { title: 'Please log in', detail };
      case error.status === 403:
        return { title: 'Not allowed', detail };
      case error.status === 404:
        return { title: 'Not found', detail };
      case error.status === 405 || error.status === 501:
        return { title: 'Not supported by this server', detail: `${error.method} ${error.path}: ${detail}` };
      case error.status === 503:
        return { title: 'The server is not ready', detail };
      case error.status >= 500:
        return { title: `Server error (HTTP ${error.status})`, detail };
      default:
        return { title: `HTTP ${error.status}`, detail };
    }
  }
  if (error instanceof TitledError) return { title: error.title, detail: error.message };
  if (error instanceof Error) return { title: 'Something went wrong', detail: error.message };
  return { title: 'Something went wrong', detail: String(error) };
}

/** Whether an error means the endpoint does not exist on this server (so a page can show a fallback). */
export function isMissingEndpoint(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405 || error.status === 501);
}

/** An error the console raises itself, with the title to show above the detail (e.g. a failed login). */
export class TitledError extends Error {
  readonly title: string;

  constructor(title: string, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'TitledError';
    this.title = title;
  }
}
