import express, { type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { hostileInputMiddleware, securityHeadersMiddleware } from './auth-layer';
import { saveRawBody } from './cluster/forwarder';
import type { ServerDeps } from './deps';
import { errorToResult } from './error-mapper';
import type { HandlerRequest, HandlerResult } from './handler';
import { consoleRouter } from './console-static';
import { resultHeaders, text } from './handler';
import { InstanceWatchHub, type WatchRequest } from './instance-watch';
import { Params } from './params';
import { buildRouteTable, dispatch, statusGate } from './route-table';
import { NS } from './routes/route';

/** Default largest request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

function first(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** Path of the SSE watch (a Tacos addition; parameters as instance/list). */
export const WATCH_PATH = `${NS}/instance/watch`;

function parseWatchRequest(p: Params): WatchRequest {
  return {
    namespaceId: p.namespaceId(),
    serviceName: p.groupedServiceName(),
    clusters: p.optional('clusters', ''),
    healthyOnly: p.bool('healthyOnly', false),
    userAgent: p.userAgent(),
    env: p.optional('env', ''),
  };
}

function sendResult(res: Response, result: HandlerResult): void {
  const { headers, payload } = resultHeaders(result);
  res.writeHead(result.status, headers);
  res.end(payload);
}

/** Adapts an express request to the framework-agnostic {@link HandlerRequest}. */
function toHandlerRequest(req: Request): HandlerRequest {
  // Express 5 re-parses req.query on every access; read it once.
  const query = req.query as Record<string, unknown>;
  const body = (req.body ?? undefined) as Record<string, unknown> | undefined;
  return {
    method: req.method,
    path: req.path,
    param: (name) => {
      const fromQuery = first(query[name]);
      if (fromQuery !== undefined) return fromQuery;
      return body ? first(body[name]) : undefined;
    },
    header: (name) => first(req.headers[name]),
    remoteAddress: req.socket.remoteAddress,
    // Set by the cluster's peer classifier after the HMAC verified; never from a header alone.
    forwardedBy: (req as { forwardedBy?: string }).forwardedBy,
  };
}

/**
 * The Tacos HTTP app: every Nacos 1.x naming endpoint plus the console's namespaces and health
 * probes. Never listens (the caller does), so supertest can drive it. Parameters are read from the
 * query string or a urlencoded body; bodies above `deps.bodyLimit` get 413; errors are answered by
 * one error mapper (Nacos statuses, plain-text bodies, no stacks).
 */
export function createApp(deps: ServerDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const limit = typeof deps.bodyLimit === 'number' ? deps.bodyLimit : DEFAULT_BODY_LIMIT;
  const table = buildRouteTable(deps);
  const logger = deps.logger;

  // Per-request logs cost a child logger and an id per request: only when someone reads them.
  // Unexpected errors are logged by the error mapper either way.
  if (logger?.isLevelEnabled('debug')) {
    app.use(
      pinoHttp({
        logger,
        customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
      }),
    );
  }
  if (deps.metrics) {
    app.use(deps.metrics.middleware((method, path) => (table.resolve(method, path) ? path.replace(/\/$/, '') : 'unmatched')));
  }
  app.use(securityHeadersMiddleware());
  // Refuse oversized bodies of any content type up front, not only the ones a parser reads.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > limit) {
      res.status(413).type('text/plain').send('request entity too large');
      req.resume();
      return;
    }
    next();
  });
  if (deps.consoleDir) app.use(consoleRouter(deps.consoleDir));
  // Hostile input, then (auth on) credentials, run before cluster forwarding and every handler; the
  // route is looked up by the same table the dispatcher uses (Nacos #4701).
  const guards = [hostileInputMiddleware(logger)];
  if (deps.authLayer) guards.push(deps.authLayer.middleware((method, path) => path === WATCH_PATH || Boolean(table.resolve(method, path))));
  if (deps.clusterMiddleware) {
    app.use(express.urlencoded({ extended: false, limit, parameterLimit: 1000, verify: saveRawBody }));
    app.use(guards);
    for (const middleware of deps.clusterMiddleware) app.use(middleware);
  } else {
    app.use(express.urlencoded({ extended: false, limit, parameterLimit: 1000 }));
    app.use(guards);
  }
  // Auth endpoints after the cluster gate, so a follower sends auth writes to the Raft leader.
  if (deps.authLayer) app.use(deps.authLayer.endpoints());
  // The SSE watch streams, so it cannot use the {status, body} handler shape; it keeps the same
  // status gate and error answers as every other /v1/ns route.
  const watchHub = deps.watchHub ?? new InstanceWatchHub(deps.registry, deps.watch);
  app.get(WATCH_PATH, (req: Request, res: Response) => {
    const handlerReq = toHandlerRequest(req);
    const refused = statusGate(deps.registry, handlerReq);
    if (refused) return sendResult(res, refused);
    if (watchHub.isFull()) {
      return sendResult(res, text(`too many watch streams open on this server (${watchHub.size}); use instance/list or try again later`, 503));
    }
    let watchReq: WatchRequest;
    let body: string;
    try {
      watchReq = parseWatchRequest(new Params(handlerReq));
      body = watchHub.render(watchReq);
    } catch (err) {
      return sendResult(res, errorToResult(err, logger));
    }
    watchHub.open(watchReq, res, body);
  });
  app.use(async (req: Request, res: Response) => {
    const result = await dispatch(table, deps.registry, toHandlerRequest(req), logger);
    // Plain node write: express' res.send adds charset/etag/freshness work we do not need.
    const { headers, payload } = resultHeaders(result);
    res.writeHead(result.status, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const result = errorToResult(err, logger);
    res.status(result.status).set('content-type', result.contentType).send(result.body);
  });
  return app;
}
