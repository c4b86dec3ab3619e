export {
  TACOS_CLIENT_ERROR_CODES,
  TacosClientError,
  TacosHttpError,
  TacosUnreachableError,
} from './errors';
export type { FailedAttempt, TacosClientErrorCode } from './errors';
export { CLIENT_VERSION, errorMessage, HttpTransport } from './http-transport';
export type { HttpTransportOptions, Params, ParamValue, TransportRequest, TransportResponse } from './http-transport';
export { normalizeAddress, parseServerList } from './server-list';
export { SseParser } from './sse-parser';
export type { SseEvent } from './sse-parser';
export { TacosClient } from './tacos-client';
export type { TacosClientOptions, WatchOptions } from './tacos-client';
export { BEAT_CODES } from './types';
export type * from './types';
