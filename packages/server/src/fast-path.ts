import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { API_SECURITY_HEADERS, hostileInputProblem } from './auth-layer';
import type { ServerDeps } from './deps';
import { type HandlerRequest, type HandlerResult, resultHeaders } from './handler';
import { QueryParams } from './query-string';
import { buildRouteTable, dispatchNow } from './route-table';
import { NS } from './routes/route';

/**
 * The hot client calls the fast path serves, by `METHOD path`: beats (every instance every 5 s), list
 * polls, registrations and deregistrations (`POST`/`DELETE /instance`, query string only, as the Nacos
 * clients send them). Cluster mode relays the same calls (`clusterFastPath`).
 */
export const FAST_ROUTES: ReadonlySet<string> = new Set([
  `PUT ${NS}/instance/beat`,
  `GET ${NS}/instance/list`,
  `POST ${NS}/instance`,
  `DELETE ${NS}/instance`,
]);

/** What the fast path reads of a request: node's `IncomingMessage`, or the hot front's (hot-front.ts). */
export interface HotRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string };
  resume(): unknown;
}

/** What the fast path writes of an answer: node's `ServerResponse`, or the hot front's. */
export interface HotResponse {
  readonly headersSent: boolean;
  setHeader(name: string, value: string | number): unknown;
  writeHead(status: number, headers?: OutgoingHttpHeaders | string[]): unknown;
  end(body?: string | Uint8Array): unknown;
}

/** A raw request handler that answers (true) or leaves the request untouched for express (false). */
export type FastPath = (req: HotRequest, res: HotResponse) => boolean;

/** Security headers of every API answer, flattened once for `writeHead`. */
const SECURITY_HEADERS: readonly string[] = API_SECURITY_HEADERS.flat();

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A request handler for the hottest client calls that skips express: `PUT /instance/beat`,
 * `GET /instance/list`, `POST /instance` and `DELETE /instance` whose parameters are all in the query
 * string (no body), which is how every Nacos client sends them. It runs the very same hostile-input
 * checks, route-table handler, status gate and error mapping as the express app and sets the same
 * headers, so answers are identical; it saves express' middleware stack, `URLSearchParams` (see
 * {@link QueryParams}) and, for handlers that answer synchronously (beats, lists), the Promise hop: the
 * answer is written in the turn the request arrived. 100,000 instances beating every 5 s is 20,000
 * requests/s.
 *
 * Requests are counted in `deps.metrics` (exactly; latency sampled, see ServerMetrics.recordHot). Returns false, touching nothing, for any other request (the
 * caller then hands it to the express app). Only for servers whose express app has no per-request
 * middleware these calls need (an auth check, cluster forwarding): such a host must not use it, or must
 * run that check here too.
 */
export function createFastPath(deps: ServerDeps): FastPath {
  const table = buildRouteTable(deps);
  const logger = deps.logger;
  const metrics = deps.metrics;
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? '';
    if (!FAST_ROUTES.has(`${method} ${path}`)) return false;
    const start = metrics ? performance.now() : 0;
    const length = req.headers['content-length'];
    if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) return false;
    const query = QueryParams.parse(q < 0 ? '' : url.slice(q + 1));
    const param = (name: string) => query.get(name);
    const send = (result: HandlerResult) => {
      const { headers, payload } = resultHeaders(result, SECURITY_HEADERS);
      res.writeHead(result.status, headers);
      res.end(payload);
      metrics?.recordHot(method, path, result.status, (performance.now() - start) / 1000);
    };
    // An empty body still has to be consumed for keep-alive to go on.
    req.resume();
    const parsed = new Map<string, unknown>();
    const refused = hostileInputProblem(query, param, logger, parsed);
    if (refused) {
      send(refused);
      return true;
    }
    const handlerReq: HandlerRequest = {
      method,
      path,
      param,
      header: (name) => firstHeader(req.headers[name]),
      remoteAddress: req.socket.remoteAddress,
      parsedJson: (name) => parsed.get(name),
    };
    const result = dispatchNow(table, deps.registry, handlerReq, logger);
    if (result instanceof Promise) void result.then(send);
    else send(result);
    return true;
  };
}
