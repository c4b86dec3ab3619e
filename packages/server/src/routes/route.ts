import type { Handler, HttpMethod } from '../handler';

/** One endpoint: method (or every method for Nacos' `ANY` mappings), full path and handler. */
export interface RouteDef {
  method: HttpMethod | 'ANY';
  path: string;
  handler: Handler;
}

/** Nacos naming API prefix. */
export const NS = '/nacos/v1/ns';
