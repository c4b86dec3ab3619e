import { NACOS_ERROR_CODES, NacosError } from '@tacos/api-pojo';
import type { AuthStateHandler } from '@tacos/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  type AuthCommand,
  type AuthCommandResult,
  type AuthState,
  Authenticator,
  addRoleCommand,
  applyAuthCommand,
  checkParam,
  checkParams,
  commandError,
  createUserCommand,
  DEFAULT_BCRYPT_COST,
  deleteRoleCommand,
  deleteUserCommand,
  emptyAuthState,
  hasGlobalAdmin,
  initAdminCommand,
  LoginRateLimiter,
  listPermissions,
  listRoles,
  listUsers,
  makeDummyHash,
  NO_ADMIN_MESSAGE,
  parseUntrustedJson,
  permissionCommand,
  planAdminBootstrap,
  restResult,
  routeRequirement,
  type SearchMode,
  searchRoles,
  searchUsernames,
  securityHeaders,
  updatePasswordCommand,
} from './auth';
import { type ErrorLogger, errorToResult } from './error-mapper';
import { type HandlerRequest, type HandlerResult, json, resultHeaders, text } from './handler';
import { QueryParams } from './query-string';

/**
 * The host side of issue 7: one {@link AuthLayer} per server wires the building blocks of `./auth`
 * into the express app (hostile-input checks, authentication and authorization per route, the
 * no-admin write gate, Nacos' `/nacos/v1/auth/*` endpoints) and into core's Raft state machine
 * (auth commands and snapshots).
 */

/** Parameters whose values are JSON; parsed with depth and `__proto__` guards before any handler sees them. */
const JSON_PARAMS = ['metadata', 'beat', 'healthChecker', 'selector'] as const;

const AUTH_PREFIX = '/nacos/v1/auth/';

/** The core handler that applies auth commands to the replicated state (pure, deterministic). */
export const AUTH_STATE_HANDLER: AuthStateHandler = {
  empty: () => emptyAuthState(),
  apply: (state, command) => {
    const result = applyAuthCommand(state as AuthState, command as AuthCommand);
    // The proposer only needs the outcome; the state stays in the state machine.
    return { state: result.state, result: { ok: result.ok, message: result.message, code: result.ok ? undefined : result.code } };
  },
};

/** What the proposer gets back for an auth command (see {@link AUTH_STATE_HANDLER}). */
export type AuthProposalResult = { ok: true; message: string } | { ok: false; message: string; code: Extract<AuthCommandResult, { ok: false }>['code'] };

/** Options of {@link AuthLayer}. */
export interface AuthLayerOptions {
  /** HMAC key of login tokens (`parseTokenSecret(...).key`). */
  tokenKey: Uint8Array;
  /** The replicated auth state (core's state machine). */
  state: () => AuthState;
  /** Proposes an auth command through Raft and resolves with the applied outcome. */
  propose: (command: AuthCommand) => Promise<AuthProposalResult>;
  /** bcrypt cost of new hashes (default 10). */
  bcryptCost?: number;
  /** Login token lifetime in seconds (default 18000, Nacos'). */
  tokenTtlSeconds?: number;
  logger?: ErrorLogger & { warn(obj: unknown, msg?: string): void };
}

/** True for the console's pages and assets (they get the Content-Security-Policy). */
export function isConsolePath(path: string): boolean {
  return (path === '/nacos' || path.startsWith('/nacos/')) && !path.startsWith('/nacos/v1/') && !path.startsWith('/nacos/actuator/');
}

/** Express middleware setting the security headers on every answer (CSP on console paths). */
export function securityHeadersMiddleware(): RequestHandler {
  const api = securityHeaders({ console: false });
  const page = securityHeaders({ console: true });
  return (req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of isConsolePath(req.path) ? page : api) res.setHeader(name, value);
    next();
  };
}

function first(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** Every raw `[name, value]` pair of the query string and the urlencoded body. */
function* allParams(req: Request): Generator<[string, string]> {
  const url = req.originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0) {
    for (const pair of new URLSearchParams(url.slice(q + 1))) yield pair;
  }
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object') {
    for (const name of Object.keys(body)) {
      const value = body[name];
      for (const v of Array.isArray(value) ? value : [value]) yield [name, typeof v === 'string' ? v : String(v)];
    }
  }
}

function handlerRequestOf(req: Request): HandlerRequest {
  const query = req.query as Record<string, unknown>;
  const body = (req.body ?? undefined) as Record<string, unknown> | undefined;
  return {
    method: req.method,
    path: req.path,
    param: (name) => first(query[name]) ?? (body ? first(body[name]) : undefined),
    header: (name) => first(req.headers[name]),
    // A request a member forwarded (its signature verified) counts against the client's address, not
    // the member's: otherwise per-address login limits would lump every client of a member together.
    remoteAddress: (req as { forwardedFor?: string }).forwardedFor ?? req.socket.remoteAddress,
  };
}

function send(res: Response, result: HandlerResult, extra: Record<string, string> = {}): void {
  const { headers, payload } = resultHeaders(result, Object.entries(extra).flat());
  res.writeHead(result.status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

/**
 * The hostile-input checks of {@link hostileInputMiddleware} on one request's parameters: `pairs` are
 * every raw `[name, value]` (query string and body), `param` reads one as the handlers do. Returns the
 * 400 (or the error mapper's) answer of the first problem, or undefined when the request may go on.
 * When `parsed` is given, each JSON-valued parameter that passed is put there under its name (as
 * `JSON.parse` made it), so a handler need not parse it again. Shared with the standalone fast path so
 * both answer hostile input the same way.
 */
export function hostileInputProblem(
  pairs: Iterable<readonly [string, string]>,
  param: (name: string) => string | undefined,
  logger?: ErrorLogger,
  parsed?: Map<string, unknown>,
): HandlerResult | undefined {
  // The fast path's parsed query is checked over its arrays, without an iterator and a pair per
  // parameter.
  const problem = pairs instanceof QueryParams ? pairs.firstResult(checkParam) : checkParams(pairs);
  if (problem !== undefined) return text(problem, 400);
  for (const field of JSON_PARAMS) {
    const value = param(field);
    // Only JSON-looking values: `metadata` may also be Nacos' `k=v,k2=v2`, and the handlers keep
    // their own Nacos messages for text that is not JSON.
    const head = value?.trimStart()[0];
    if (value === undefined || (head !== '{' && head !== '[')) continue;
    try {
      const json = parseUntrustedJson(field, value);
      parsed?.set(field, json);
    } catch (err) {
      if (err instanceof NacosError && err.message.endsWith('not valid JSON')) continue;
      return errorToResult(err, logger);
    }
  }
  return undefined;
}

/**
 * Hostile-input checks for every request (auth on or off): parameter names and lengths, and the
 * JSON-valued parameters' depth, validity and forbidden keys. Answers 400 itself; else `next()`.
 */
export function hostileInputMiddleware(logger?: ErrorLogger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const hreq = handlerRequestOf(req);
    const refused = hostileInputProblem(allParams(req), (name) => hreq.param(name), logger);
    if (refused) return send(res, refused);
    next();
  };
}

/** The security headers of an API (non-console) answer, as {@link securityHeadersMiddleware} sets them. */
export const API_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = securityHeaders({ console: false });

function int(value: string | undefined, fallback: number, field: string): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param '${field}' is illegal`);
  return n;
}

function searchMode(value: string | undefined): SearchMode {
  return value === 'blur' ? 'blur' : 'accurate';
}

/** Authentication, authorization and the auth endpoints of one server. */
export class AuthLayer {
  readonly authenticator: Authenticator;
  private readonly options: AuthLayerOptions;
  private readonly cost: number;

  private constructor(options: AuthLayerOptions, authenticator: Authenticator) {
    this.options = options;
    this.authenticator = authenticator;
    this.cost = options.bcryptCost ?? DEFAULT_BCRYPT_COST;
  }

  /** Builds the layer (hashes the dummy password once, at the configured cost, for unknown users). */
  static async create(options: AuthLayerOptions): Promise<AuthLayer> {
    const authenticator = new Authenticator({
      tokenKey: options.tokenKey,
      now: Date.now,
      state: options.state,
      limiter: new LoginRateLimiter({ now: Date.now }),
      dummyHash: await makeDummyHash(options.bcryptCost ?? DEFAULT_BCRYPT_COST),
      tokenTtlSeconds: options.tokenTtlSeconds,
    });
    return new AuthLayer(options, authenticator);
  }

  /**
   * The per-request middleware (after the body parser): decides by {@link routeRequirement} for the
   * normalised path the router dispatches on, and refuses writes while no admin exists; the auth
   * endpoints themselves are served by {@link endpoints}. `known(method, path)`
   * says whether the app routes this request; unknown ones go on to the app's 404/501 answers.
   */
  middleware(known: (method: string, path: string) => boolean): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      this.handle(req, res, next, known).catch((err) => send(res, errorToResult(err, this.options.logger)));
    };
  }

  private async handle(req: Request, res: Response, next: NextFunction, known: (method: string, path: string) => boolean): Promise<void> {
    const path = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
    const isAuthPath = path.startsWith(AUTH_PREFIX);
    if (!isAuthPath && !known(req.method, req.path)) return next();
    const hreq = handlerRequestOf(req);
    const requirement = routeRequirement(req.method, path, hreq.param);
    const state = this.options.state();
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    const noAdmin = !hasGlobalAdmin(state);
    if (requirement.kind === 'peer') return send(res, text('peer routes need a signed member request', 403));
    if (noAdmin && write && requirement.kind !== 'open' && requirement.kind !== 'bootstrap') {
      return send(res, text(NO_ADMIN_MESSAGE, 503));
    }
    if (requirement.kind === 'permission' || requirement.kind === 'authenticated' || (requirement.kind === 'bootstrap' && !noAdmin)) {
      const who = await this.authenticator.authenticate(hreq);
      if (!who.ok) {
        return send(res, text(who.error, who.status), who.status === 429 ? { 'retry-after': String(who.retryAfterSeconds) } : {});
      }
      if (requirement.kind === 'permission' && !this.authenticator.authorize(who.user, requirement.resource, requirement.action)) {
        return send(res, text('authorization failed!', 403));
      }
      if (requirement.kind === 'bootstrap') {
        // Once an admin exists only the admin may even learn that: others get the usual 403.
        if (!who.user.globalAdmin) return send(res, text('authorization failed!', 403));
        return send(res, text('have admin user cannot use it', 409));
      }
    }
    next();
  }

  /**
   * Serves `/nacos/v1/auth/*` (after {@link middleware} and, in cluster mode, after the cluster gate,
   * which sends auth writes to the Raft leader). Other paths go on.
   */
  endpoints(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const path = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
      if (!path.startsWith(AUTH_PREFIX)) return next();
      this.serveAuth(req.method, path, handlerRequestOf(req)).then(
        (answer) => send(res, answer.result, answer.headers),
        (err) => send(res, errorToResult(err, this.options.logger)),
      );
    };
  }

  private async run(command: AuthCommand): Promise<HandlerResult> {
    const outcome = await this.options.propose(command);
    if (!outcome.ok) throw commandError({ ok: false, state: emptyAuthState(), code: outcome.code, message: outcome.message });
    return json(restResult(outcome.message));
  }

  private async serveAuth(method: string, path: string, req: HandlerRequest): Promise<{ result: HandlerResult; headers?: Record<string, string> }> {
    const p = req.param;
    const state = this.options.state();
    const route = `${method === 'HEAD' ? 'GET' : method} ${path.slice(AUTH_PREFIX.length - 1)}`;
    switch (route) {
      case 'POST /users/login':
      case 'POST /login': {
        const login = await this.authenticator.login(p('username'), p('password'), req.remoteAddress);
        if (!login.ok) {
          return {
            result: text(login.error, login.status),
            headers: login.status === 429 ? { 'retry-after': String(login.retryAfterSeconds) } : undefined,
          };
        }
        return { result: json(login.body), headers: { authorization: `Bearer ${login.body.accessToken}` } };
      }
      case 'POST /users/admin': {
        const outcome = await this.options.propose(await initAdminCommand(state, p('password'), this.cost));
        if (!outcome.ok) throw commandError({ ok: false, state, code: outcome.code, message: outcome.message });
        return { result: json(restResult('create admin user ok!', { username: 'nacos' })) };
      }
      case 'GET /users':
        return { result: json(listUsers(state, int(p('pageNo'), 1, 'pageNo'), int(p('pageSize'), 100, 'pageSize'), p('username'), searchMode(p('search')))) };
      case 'GET /users/search':
        return { result: json(searchUsernames(state, p('username') ?? '')) };
      case 'POST /users':
        return { result: await this.run(await createUserCommand(p, this.cost)) };
      case 'PUT /users': {
        // The route needs a signed-in user; only the user or the admin may change a password.
        const who = await this.authenticator.authenticate(req);
        const target = p('username')?.trim();
        if (!who.ok || (who.user.username !== target && !who.user.globalAdmin)) return { result: text('authorization failed!', 403) };
        return { result: await this.run(await updatePasswordCommand(p, this.cost)) };
      }
      case 'DELETE /users':
        return { result: await this.run(deleteUserCommand(p)) };
      case 'GET /roles':
        return {
          result: json(
            listRoles(state, int(p('pageNo'), 1, 'pageNo'), int(p('pageSize'), 100, 'pageSize'), {
              username: p('username'),
              role: p('role'),
              search: searchMode(p('search')),
            }),
          ),
        };
      case 'GET /roles/search':
        return { result: json(searchRoles(state, p('role') ?? '')) };
      case 'POST /roles':
        return { result: await this.run(addRoleCommand(p)) };
      case 'DELETE /roles':
        return { result: await this.run(deleteRoleCommand(p)) };
      case 'GET /permissions':
        return { result: json(listPermissions(state, int(p('pageNo'), 1, 'pageNo'), int(p('pageSize'), 100, 'pageSize'), p('role'), searchMode(p('search')))) };
      case 'POST /permissions':
        return { result: await this.run(permissionCommand(p, 'addPermission')) };
      case 'DELETE /permissions':
        return { result: await this.run(permissionCommand(p, 'deletePermission')) };
      default:
        return { result: text(`no such api:${method}:${path}`, 404) };
    }
  }
}

/** Something that proposes Raft entries and resolves with the applied result (`RaftNode` fits). */
export interface EntryProposer {
  propose(command: Uint8Array): Promise<unknown>;
}

const UNAVAILABLE = new Set(['NOT_LEADER', 'PROPOSAL_DROPPED', 'STOPPED', 'TIMEOUT', 'STORAGE_FAILED']);

/** Proposes auth commands through `raft`; Raft unavailability becomes a 503 (never an acknowledged write). */
export function authProposer(raft: EntryProposer, encode: (command: unknown) => Uint8Array): (command: AuthCommand) => Promise<AuthProposalResult> {
  return async (command) => {
    try {
      return (await raft.propose(encode(command))) as AuthProposalResult;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && UNAVAILABLE.has(code)) {
        throw new NacosError(NACOS_ERROR_CODES.UNAVAILABLE, `server is not ready to write now (${code}), please try again later`);
      }
      throw err;
    }
  };
}

/** Auth settings read at startup (flags/env). */
export interface AuthStartOptions {
  /** `TACOS_ADMIN_PASSWORD`: creates user `nacos` with ROLE_ADMIN on first start. */
  adminPassword?: string;
  /** bcrypt cost (default 10). */
  bcryptCost?: number;
  /** Login token lifetime in seconds (default 18000). */
  tokenTtlSeconds?: number;
}

/**
 * Starts auth once the persistent state is loaded: builds the layer and, when no admin exists, either
 * creates it from `adminPassword` (retried in the background while this member cannot write, e.g. a
 * follower or an election in progress) or logs how to create one; writes are refused until then.
 */
export async function startAuth(
  options: AuthStartOptions & Pick<AuthLayerOptions, 'tokenKey' | 'state' | 'propose'>,
  logger: { info(msg: string): void; warn(msg: string): void },
): Promise<AuthLayer> {
  const layer = await AuthLayer.create(options);
  const plan = await planAdminBootstrap(options.state(), options.adminPassword, options.bcryptCost);
  if (plan.action === 'none') return layer;
  if (plan.action === 'refuse-writes') {
    logger.warn(plan.message);
    return layer;
  }
  const command = plan.command;
  let tries = 0;
  const attempt = async (): Promise<void> => {
    if (hasGlobalAdmin(options.state())) return;
    try {
      const outcome = await options.propose(command);
      if (outcome.ok) logger.info("admin user 'nacos' created from TACOS_ADMIN_PASSWORD");
    } catch {
      // Not the leader yet, or the leader is another member that will do the same: try again shortly.
      if (++tries < 60) setTimeout(() => void attempt(), 1000).unref();
    }
  };
  await attempt();
  return layer;
}
