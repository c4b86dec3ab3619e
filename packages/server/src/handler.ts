/**
 * The framework-agnostic shape of every endpoint: parameters come from a `(name) => string | undefined`
 * source (query string first, then the urlencoded body, as servlet parameters do), the handler calls
 * core and returns `{status, body, contentType}`. Express calls it through `createApp`; a raw
 * `node:http` fast path can call the very same handlers later.
 */

/** HTTP methods the API serves. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** What a handler sees of a request. */
export interface HandlerRequest {
  method: string;
  /** Path without query string (e.g. `/nacos/v1/ns/instance`). */
  path: string;
  /** Raw parameter value (first one when repeated), or undefined when absent. Not yet trimmed. */
  param(name: string): string | undefined;
  /** Header value (lower-case name), or undefined. */
  header(name: string): string | undefined;
  /** The TCP peer address, if known. */
  remoteAddress?: string;
  /** The member that forwarded this request; set only when its peer signature verified. */
  forwardedBy?: string;
  /**
   * A JSON-valued parameter (`beat`, `metadata`, ...) as the hostile-input check already parsed it from
   * exactly `param(name)`, or undefined when it was not parsed (then parse `param(name)` yourself).
   */
  parsedJson?(name: string): unknown;
}

/** What a handler answers. `body` is sent as is. */
export interface HandlerResult {
  status: number;
  body: string;
  contentType: string;
  /**
   * The same body gzip-compressed, set only when the request accepted gzip ({@link acceptsGzip}).
   * A sender that sees it sends these bytes with `Content-Encoding: gzip` instead of `body`.
   */
  gzip?: Uint8Array;
}

/** A handler. May throw (or reject with) a NacosError; the error mapper turns it into Nacos' answer. */
export type Handler = (req: HandlerRequest) => HandlerResult | Promise<HandlerResult>;

/** Content types. */
export const TEXT = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

/** A 200 plain-text answer. */
export function text(body: string, status = 200): HandlerResult {
  return { status, body, contentType: TEXT };
}

/** The `ok` answer of every successful write. */
export const OK: HandlerResult = Object.freeze(text('ok')) as HandlerResult;

/** A JSON answer of a value (nulls and undefined fields omitted, as Nacos' "omit nulls"). */
export function json(value: unknown, status = 200): HandlerResult {
  return { status, body: JSON.stringify(value, omitNulls), contentType: JSON_TYPE };
}

/**
 * True when an `Accept-Encoding` header value accepts gzip: it lists `gzip` (or `x-gzip`, or `*`)
 * without `q=0`. The Nacos clients send `gzip,deflate,sdch`.
 */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined || acceptEncoding === '') return false;
  for (const item of acceptEncoding.split(',')) {
    const semi = item.indexOf(';');
    const coding = (semi < 0 ? item : item.slice(0, semi)).trim().toLowerCase();
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    if (semi < 0) return true;
    const q = /(?:^|;)\s*q\s*=\s*([0-9.]+)/i.exec(item.slice(semi));
    return q === null || Number(q[1]) > 0;
  }
  return false;
}

/**
 * The response headers of a result (content type and length, and the encoding when gzip is sent),
 * after `extra` (e.g. security headers), as a flat `[name, value, ...]` list for `writeHead`.
 */
export function resultHeaders(result: HandlerResult, extra: readonly string[] = []): { headers: string[]; payload: string | Uint8Array } {
  if (result.gzip !== undefined) {
    return {
      headers: [...extra, 'content-type', result.contentType, 'content-encoding', 'gzip', 'vary', 'Accept-Encoding', 'content-length', String(result.gzip.byteLength)],
      payload: result.gzip,
    };
  }
  return { headers: [...extra, 'content-type', result.contentType, 'content-length', String(Buffer.byteLength(result.body))], payload: result.body };
}

/** A JSON answer of an already serialized body. */
export function rawJson(body: string, status = 200): HandlerResult {
  return { status, body, contentType: JSON_TYPE };
}

function omitNulls(_key: string, value: unknown): unknown {
  return value === null ? undefined : value;
}
