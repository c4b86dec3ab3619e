import { type Action, CONSOLE_RESOURCE_PREFIX, CONSOLE_RESOURCES, namingResource, UPDATE_PASSWORD_RESOURCE } from './permissions';

/**
 * Which credential each route needs, in one table, so the auth middleware has no per-route logic of
 * its own (Nacos' `@Secured` annotations). Fail-closed: a path this table does not know needs the
 * global admin. Call it with the method and the SAME normalised path the router dispatches on (no
 * trailing slash), never a re-decoded variant (Nacos #4701 was a second URL lookup that disagreed).
 */

/**
 * - `open`: no credential (login, health probes, server state, console assets);
 * - `peer`: the cluster HMAC (cluster/peer-auth.ts) and nothing else, user tokens are not accepted;
 * - `bootstrap`: open while no admin exists, afterwards needs the global admin (`POST /v1/auth/users/admin`);
 * - `authenticated`: any signed-in user;
 * - `permission`: a signed-in user for whom `authorize(user, resource, action)` holds.
 */
export type RouteRequirement =
  | { kind: 'open' }
  | { kind: 'peer' }
  | { kind: 'bootstrap' }
  | { kind: 'authenticated' }
  | { kind: 'permission'; resource: string; action: Action };

const OPEN = new Set([
  'POST /nacos/v1/auth/users/login',
  'POST /nacos/v1/auth/login',
  'GET /nacos/v1/console/health/liveness',
  'GET /nacos/v1/console/health/readiness',
  'GET /nacos/v1/console/server/state',
]);

const CONSOLE_AUTH_PATHS: Record<string, string> = {
  '/nacos/v1/auth/users': CONSOLE_RESOURCES.users,
  '/nacos/v1/auth/users/search': CONSOLE_RESOURCES.users,
  '/nacos/v1/auth/roles': CONSOLE_RESOURCES.roles,
  '/nacos/v1/auth/roles/search': CONSOLE_RESOURCES.roles,
  '/nacos/v1/auth/permissions': CONSOLE_RESOURCES.permissions,
};

const NS = '/nacos/v1/ns';

/**
 * The requirement of `method path`. `param` reads the request's raw parameters (query, then form), the
 * same ones the handler will read, to build naming resources. HEAD counts as GET.
 */
export function routeRequirement(method: string, path: string, param: (name: string) => string | undefined): RouteRequirement {
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const action: Action = verb === 'GET' ? 'r' : 'w';
  if (OPEN.has(`${verb} ${path}`)) return { kind: 'open' };
  if (isConsoleAssetPath(path) && verb === 'GET') return { kind: 'open' };
  if (path.startsWith(`${NS}/peer/`)) return { kind: 'peer' };
  if (verb === 'POST' && path === '/nacos/v1/auth/users/admin') return { kind: 'bootstrap' };
  if (path === '/nacos/v1/auth/users' && verb === 'PUT') return { kind: 'permission', resource: UPDATE_PASSWORD_RESOURCE, action: 'w' };
  const consoleResource = CONSOLE_AUTH_PATHS[path];
  if (consoleResource !== undefined && Object.hasOwn(CONSOLE_AUTH_PATHS, path)) return { kind: 'permission', resource: consoleResource, action };
  if (path === '/nacos/v1/console/namespaces') {
    return verb === 'GET' ? { kind: 'authenticated' } : { kind: 'permission', resource: CONSOLE_RESOURCES.namespaces, action: 'w' };
  }
  if (path.startsWith('/nacos/v1/core/cluster/')) return verb === 'GET' ? { kind: 'authenticated' } : adminOnly('cluster');
  if (path.startsWith(`${NS}/operator/`) || path.startsWith(`${NS}/ops/`)) {
    const leaf = path.slice(path.indexOf('/', `${NS}/`.length) + 1);
    // nacos-naming's getServerStatus reads metrics with only namespaceId: a read of that namespace.
    if (leaf === 'metrics' && verb === 'GET') return { kind: 'permission', resource: namingResource(param('namespaceId'), undefined, undefined), action: 'r' };
    return verb === 'GET' ? { kind: 'authenticated' } : adminOnly('operator');
  }
  if (path === `${NS}/raft/state` || path === `${NS}/health/checkers` || path === `${NS}/health/server`) return { kind: 'authenticated' };
  if (path.startsWith(`${NS}/`)) {
    return { kind: 'permission', resource: namingResource(param('namespaceId'), param('groupName'), param('serviceName')), action };
  }
  return adminOnly('unknown');
}

/**
 * True for the console's static files: `/nacos`, `/nacos/`, `/nacos/index.html`, `/nacos/assets/<file>`,
 * `/nacos/favicon.*`. Refuses anything with `..`, a backslash or a percent escape, so an encoded path
 * cannot pass as an asset and then resolve elsewhere.
 */
export function isConsoleAssetPath(path: string): boolean {
  if (path.includes('..') || path.includes('\\') || path.includes('%')) return false;
  if (path === '/nacos' || path === '/nacos/' || path === '/nacos/index.html') return true;
  return /^\/nacos\/assets\/[A-Za-z0-9._-]+$/.test(path) || /^\/nacos\/favicon\.(ico|svg|png)$/.test(path);
}

function adminOnly(what: string): RouteRequirement {
  return { kind: 'permission', resource: `${CONSOLE_RESOURCE_PREFIX}${what}`, action: 'w' };
}
