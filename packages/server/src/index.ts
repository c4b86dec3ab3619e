export { createApp, DEFAULT_BODY_LIMIT, WATCH_PATH } from './app';
export { createFastPath } from './fast-path';
export { parseServerArgs, runServerCli, type ServerCliSettings } from './cli';
export { type LoopDelayStats, type MemberView, type RuntimeView, type ServerDeps, TACOS_VERSION } from './deps';
export { type ErrorLogger, errorToResult } from './error-mapper';
export {
  type Handler,
  type HandlerRequest,
  type HandlerResult,
  type HttpMethod,
  JSON_TYPE,
  json,
  OK,
  rawJson,
  TEXT,
  text,
} from './handler';
export { InstanceWatchHub, type InstanceWatchOptions, type WatchRequest } from './instance-watch';
export { Params } from './params';
export { openStandalonePersistence, type Persistence, type PersistenceOptions } from './persistence';
export { SERVER_NODE_FLAGS } from './node-flags';
export { buildRouteTable, dispatch, RouteTable, statusGate } from './route-table';
export type { RouteDef } from './routes/route';
export { type RunningServer, type ServerOptions, STANDALONE_MEMBER_ID, StartupError, startServer } from './server';

/** Package name, for diagnostics. */
export const PACKAGE_NAME = '@tacos/server';
