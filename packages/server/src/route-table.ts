import type { NamingRegistry } from '@tacos/core';
import type { ServerDeps } from './deps';
import { type ErrorLogger, errorToResult } from './error-mapper';
import { type Handler, type HandlerRequest, type HandlerResult, text } from './handler';
import { catalogRoutes } from './routes/catalog-routes';
import { consoleRoutes } from './routes/console-routes';
import { instanceRoutes } from './routes/instance-routes';
import { operatorRoutes } from './routes/operator-routes';
import type { RouteDef } from './routes/route';
import { NS } from './routes/route';
import { serviceRoutes } from './routes/service-routes';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

/**
 * Every endpoint by exact path and method: one O(1) lookup per request, shared by the express app and
 * any faster front end. Paths are matched without a trailing slash.
 */
export class RouteTable {
  private readonly byPath = new Map<string, Map<string, Handler>>();

  constructor(routes: RouteDef[]) {
    for (const route of routes) {
      let methods = this.byPath.get(route.path);
      if (!methods) {
        methods = new Map();
        this.byPath.set(route.path, methods);
      }
      for (const method of route.method === 'ANY' ? METHODS : [route.method]) methods.set(method, route.handler);
    }
  }

  /** The handler, `null` when the path exists but not for this method, undefined when the path is unknown. */
  resolve(method: string, path: string): Handler | null | undefined {
    const normalized = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const methods = this.byPath.get(normalized);
    if (!methods) return undefined;
    return methods.get(method) ?? null;
  }

  /** All registered paths (for diagnostics and tests). */
  paths(): string[] {
    return [...this.byPath.keys()];
  }
}

/** Builds the route table of every endpoint over `deps`. */
export function buildRouteTable(deps: ServerDeps): RouteTable {
  return new RouteTable([
    ...instanceRoutes(deps),
    ...serviceRoutes(deps),
    ...catalogRoutes(deps),
    ...operatorRoutes(deps),
    ...consoleRoutes(deps),
    ...(deps.extraRoutes ?? []),
    ...(deps.metrics ? [deps.metrics.route()] : []),
  ]);
}

const DOWN = 'server is DOWN now, please try again later!';

/**
 * Nacos' server-status gate for `/v1/ns/*` (NACOS-FACTS §2.1): DOWN (or not ready) → 503; READ_ONLY
 * refuses writes, WRITE_ONLY refuses reads. Requests forwarded by a member always pass, as in Nacos;
 * unlike Nacos, a member is recognised by its verified peer signature, never by a `Nacos-Server`
 * User-Agent (anyone can send that header: CVE-2021-29441).
 */
export function statusGate(registry: NamingRegistry, req: HandlerRequest): HandlerResult | undefined {
  const override = registry.switches.overriddenServerStatus;
  const status = override ?? (registry.isReady() ? 'UP' : 'DOWN');
  if (status === 'UP') return undefined;
  if (req.forwardedBy !== undefined) return undefined;
  if (status === 'READ_ONLY' && req.method === 'GET') return undefined;
  if (status === 'WRITE_ONLY' && req.method !== 'GET') return undefined;
  return text(DOWN, 503);
}

/**
 * Runs one request through the table: unknown `/v1/ns` routes → 501 `no such api:METHOD:URI` (Nacos'
 * filter), other unknown paths → 404, a known path with another method → 405; then the status gate;
 * then the handler. Never rejects: errors become their Nacos answers via {@link errorToResult}.
 */
export async function dispatch(
  table: RouteTable,
  registry: NamingRegistry,
  req: HandlerRequest,
  logger?: ErrorLogger,
): Promise<HandlerResult> {
  return dispatchNow(table, registry, req, logger);
}

/**
 * {@link dispatch} without the Promise when the handler answers synchronously (beats, lists): the
 * result comes back in the same turn, so a hot path can write it without a microtask hop. A handler
 * that returns a Promise gives a Promise that never rejects.
 */
export function dispatchNow(
  table: RouteTable,
  registry: NamingRegistry,
  req: HandlerRequest,
  logger?: ErrorLogger,
): HandlerResult | Promise<HandlerResult> {
  const handler = table.resolve(req.method, req.path);
  const isNaming = req.path.startsWith(`${NS}/`);
  if (handler === null) {
    // The path exists, the method does not: 405 (Nacos' filter says 501, which reads as a server fault).
    return text(`no such api:${req.method}:${req.path}`, 405);
  }
  if (handler === undefined) return text(`no such api:${req.method}:${req.path}`, isNaming ? 501 : 404);
  if (isNaming) {
    const refused = statusGate(registry, req);
    if (refused) return refused;
  }
  try {
    const result = handler(req);
    return result instanceof Promise ? result.catch((err: unknown) => errorToResult(err, logger)) : result;
  } catch (err) {
    return errorToResult(err, logger);
  }
}
