import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Readable } from 'node:stream';
import { type FailedAttempt, TacosClientError, TacosHttpError, TacosUnreachableError } from './errors';
import { parseServerList } from './server-list';

/** Parameter values the transport accepts; `undefined` and `null` are left out of the request. */
export type ParamValue = string | number | boolean | undefined | null;

/** Parameters of one request: query-string values and form-body values. */
export type Params = Record<string, ParamValue>;

/** Options of an {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Server addresses; see `parseServerList`. */
  servers: string | readonly string[];
  /** Per-attempt timeout in ms (default 5000). Streaming requests have no read timeout. */
  timeoutMs?: number;
  /** Access token sent as `accessToken` query parameter and `Authorization: Bearer` header. */
  token?: string;
  /** User-Agent header (default `Tacos-Client:v<version>`). Ignored in a browser, which sends its own. */
  userAgent?: string;
}

/** One request through {@link HttpTransport.request}. */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the server's base URL, starting with `/nacos/`. */
  path: string;
  /** Sent in the query string. */
  query?: Params;
  /** Sent as an `application/x-www-form-urlencoded` body. */
  form?: Params;
  /** A JSON body (for the few endpoints that take one). */
  json?: unknown;
  /**
   * Whether the call may be repeated safely. Connection failures that prove nothing was sent
   * (refused, DNS) always move on to the next server; timeouts, resets and 5xx answers move on only
   * for idempotent calls, and otherwise end the call.
   */
  idempotent: boolean;
  /** Aborts the request; the promise then rejects with the abort error. */
  signal?: AbortSignal;
}

/** A raw answer: status, body text and the base URL of the server that gave it. */
export interface TransportResponse {
  status: number;
  body: string;
  server: string;
}

/** Error codes of connection failures that prove the request never reached a server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The client's version, sent in the User-Agent. */
export const CLIENT_VERSION = '0.1.0';

/**
 * Sends requests to a list of Tacos servers with failover. Keeps the index of the last server that
 * answered and starts there; on a failure that allows it (see {@link TransportRequest.idempotent})
 * tries the following servers once each, in order. A 4xx answer, or a 5xx answer to a non-idempotent
 * call, rejects with {@link TacosHttpError}; when every server failed it rejects with
 * {@link TacosUnreachableError} (or, if the last answer was a 5xx, with that {@link TacosHttpError}).
 * The token can be changed at any time with {@link setToken}; it is never included in error URLs.
 */
export class HttpTransport {
  readonly servers: readonly string[];
  private readonly axios: AxiosInstance;
  private readonly timeoutMs: number;
  private preferred = 0;
  private token: string | undefined;

  constructor(options: HttpTransportOptions) {
    this.servers = parseServerList(options.servers);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.token = options.token;
    this.axios = axios.create({
      // A browser sets User-Agent itself and refuses (with a console error) a page that tries to.
      headers: runsInBrowser() ? {} : { 'User-Agent': options.userAgent ?? `Tacos-Client:v${CLIENT_VERSION}` },
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
    });
  }

  /** Replaces (or with `undefined` removes) the access token used by later requests. */
  setToken(token: string | undefined): void {
    this.token = token;
  }

  /** The access token currently in use, if any. */
  getToken(): string | undefined {
    return this.token;
  }

  /** Sends a request and resolves with a 2xx answer; see the class comment for failures. */
  async request(req: TransportRequest): Promise<TransportResponse> {
    return this.withFailover(req, async (server) => {
      const response = await this.axios.request<string>({
        method: req.method,
        url: server + req.path,
        params: this.queryWithToken(req.query),
        data: this.body(req),
        headers: this.headers(req),
        timeout: this.timeoutMs,
        responseType: 'text',
        transformResponse: (data: unknown) => data,
        signal: req.signal,
      });
      return { status: response.status, body: typeof response.data === 'string' ? response.data : '', server };
    });
  }

  /**
   * Opens a streaming GET (for Server-Sent Events) with the same failover rules as an idempotent
   * request, and resolves with the body stream of the first 2xx answer. Non-2xx answers reject with
   * {@link TacosHttpError} carrying the body text. The stream ends when the server closes it or
   * `signal` aborts.
   */
  async stream(req: Omit<TransportRequest, 'method' | 'idempotent'>): Promise<{ stream: Readable; server: string }> {
    let opened: Readable | undefined;
    const result = await this.withFailover({ ...req, method: 'GET', idempotent: true }, async (server) => {
      const response: AxiosResponse<Readable> = await this.axios.request<Readable>({
        method: 'GET',
        url: server + req.path,
        params: this.queryWithToken(req.query),
        headers: { ...this.headers(req), Accept: 'text/event-stream' },
        responseType: 'stream',
        signal: req.signal,
        // A connect timeout only: once the answer starts, the stream may stay quiet for long.
        timeout: this.timeoutMs,
      });
      if (response.status >= 200 && response.status < 300) {
        opened = response.data;
        return { status: response.status, body: '', server };
      }
      return { status: response.status, body: await readAll(response.data), server };
    });
    if (!opened) throw new TacosClientError('BAD_RESPONSE', 'stream was not opened');
    return { stream: opened, server: result.server };
  }

  /** Builds the full URL of a request (without token), for messages. */
  describeUrl(server: string, path: string, query?: Params): string {
    const search = new URLSearchParams(compact(query)).toString();
    return `${server}${path}${search ? `?${search}` : ''}`;
  }

  private async withFailover(
    req: TransportRequest,
    send: (server: string) => Promise<TransportResponse>,
  ): Promise<TransportResponse> {
    const attempts: FailedAttempt[] = [];
    let lastHttpError: TacosHttpError | undefined;
    let lastError: unknown;
    const count = this.servers.length;
    for (let i = 0; i < count; i++) {
      const index = (this.preferred + i) % count;
      const server = this.servers[index]!;
      let response: TransportResponse;
      try {
        response = await send(server);
      } catch (error) {
        if (req.signal?.aborted) throw error;
        const code = errorCode(error);
        const reason = describeFailure(error, this.timeoutMs);
        attempts.push({ address: server, reason });
        lastError = error;
        lastHttpError = undefined;
        if (!req.idempotent && !NOT_SENT_CODES.has(code)) {
          throw new TacosUnreachableError(attempts, { cause: error });
        }
        continue;
      }
      if (response.status >= 200 && response.status < 300) {
        this.preferred = index;
        return response;
      }
      const httpError = new TacosHttpError({
        status: response.status,
        body: errorMessage(response.body),
        url: this.describeUrl(server, req.path, req.query),
        method: req.method,
      });
      if (response.status < 500 || !req.idempotent) {
        // The server understood and refused: another member would say the same.
        this.preferred = index;
        throw httpError;
      }
      attempts.push({ address: server, reason: `HTTP ${response.status}: ${httpError.body.trim().slice(0, 200)}` });
      lastHttpError = httpError;
      lastError = httpError;
    }
    if (lastHttpError && attempts.every((attempt) => attempt.reason.startsWith('HTTP '))) throw lastHttpError;
    throw new TacosUnreachableError(attempts, { cause: lastError });
  }

  private queryWithToken(query: Params | undefined): Record<string, string> {
    const result = compact(query);
    if (this.token) result.accessToken = this.token;
    return result;
  }

  private body(req: TransportRequest): string | undefined {
    if (req.json !== undefined) return JSON.stringify(req.json);
    if (req.form) return new URLSearchParams(compact(req.form)).toString();
    return undefined;
  }

  private headers(req: Pick<TransportRequest, 'json' | 'form'>): Record<string, string> {
    const headers: Record<string, string> = {};
    if (req.json !== undefined) headers['Content-Type'] = 'application/json';
    else if (req.form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return headers;
  }
}

/** Whether this runs in a browser page (a `window` with a `document`), where User-Agent is the browser's. */
export function runsInBrowser(): boolean {
  const scope = globalThis as { window?: { document?: unknown } };
  return typeof scope.window === 'object' && scope.window !== null && scope.window.document !== undefined;
}

/** Drops undefined/null values and stringifies the rest. */
function compact(params: Params | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!params) return result;
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) result[key] = String(value);
  }
  return result;
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const code = errorCode(error);
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return `timeout after ${timeoutMs} ms`;
  if (code !== '') return code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Extracts the human message from an error body: Nacos sends plain text, but filter-level errors use a
 * JSON error page (`{"status","error","message","path"}`) and RestResult bodies carry `message`. Returns
 * the body unchanged when it is not such JSON. {@link TacosHttpError.body} has already been through it.
 */
export function errorMessage(body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { message?: unknown; error?: unknown };
      if (typeof parsed.message === 'string' && parsed.message !== '') return parsed.message;
      if (typeof parsed.error === 'string' && parsed.error !== '') return parsed.error;
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  return body;
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      // Error bodies are short; do not buffer a misbehaving stream forever.
      if (text.length > 65536) stream.destroy();
    });
    stream.on('end', () => resolve(text));
    stream.on('close', () => resolve(text));
    stream.on('error', () => resolve(text));
  });
}
