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
}

/** What a handler answers. `body` is sent as is. */
export interface HandlerResult {
  status: number;
  body: string;
  contentType: string;
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

/** A JSON answer of an already serialized body. */
export function rawJson(body: string, status = 200): HandlerResult {
  return { status, body, contentType: JSON_TYPE };
}

function omitNulls(_key: string, value: unknown): unknown {
  return value === null ? undefined : value;
}
