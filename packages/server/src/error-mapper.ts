import { isNacosError } from '@tacos/api-pojo';
import { type HandlerResult, TEXT } from './handler';

/** Something that can log an unexpected error (a pino logger fits). */
export interface ErrorLogger {
  error(obj: unknown, msg?: string): void;
}

/**
 * Turns anything a handler threw into Nacos' answer: a NacosError → its status with the message as
 * the plain-text body; a body-parser error → its status (413 for an oversized body); anything else →
 * 500 with a generic body (the detail goes to the log only, never the stack to the client).
 */
export function errorToResult(err: unknown, logger?: ErrorLogger): HandlerResult {
  if (isNacosError(err)) return { status: err.status, body: err.message, contentType: TEXT };
  const e = err as { type?: unknown; status?: unknown; statusCode?: unknown };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 0;
  if (e?.type === 'entity.too.large' || status === 413) {
    return { status: 413, body: 'request entity too large', contentType: TEXT };
  }
  if (status >= 400 && status < 500) {
    return { status, body: `invalid request: ${String((err as Error).message ?? 'bad request')}`, contentType: TEXT };
  }
  logger?.error({ err }, 'unexpected error while handling a request');
  return { status: 500, body: 'caused: internal server error, see the server log;', contentType: TEXT };
}
