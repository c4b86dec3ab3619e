import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type AuthState, findUser, isGlobalAdmin, NAME_PATTERN, rolesOf } from './auth-state';
import { issueLoginToken, type LoginBody, nacosTokenError, verifyJwt } from './jwt';
import type { LoginRateLimiter } from './login-rate-limiter';
import { verifyPassword } from './password-hash';
import { type Action, can } from './permissions';

/**
 * Who is calling: Nacos' token resolution (NacosAuthManager.resolveToken), without the framework.
 * The FIRST credential present decides, in this order:
 *   1. `Authorization: Bearer <jwt>` header,
 *   2. `accessToken` parameter (query or form),
 *   3. `accessToken` header (the console sends the token as both a parameter and this header),
 *   4. `username` + `password` parameters (nacos-naming sends them on every request).
 * A bad token never falls back to username/password. Nothing else identifies a caller: no
 * `User-Agent: Nacos-Server…` (CVE-2021-29441), no `serverIdentity`-style header, no source address.
 * Peer requests are authenticated separately, by the cluster HMAC (cluster/peer-auth.ts).
 */

/** What {@link Authenticator.authenticate} reads of a request; `HandlerRequest` fits as is. */
export interface AuthRequest {
  /** Query or form parameter (first value), or undefined. */
  param(name: string): string | undefined;
  /** Header by lower-case name, or undefined. */
  header(name: string): string | undefined;
  /** TCP peer address, used for the failed-login limit only; never for trust. */
  remoteAddress?: string;
}

/** An authenticated caller. `via` says which credential was used (for logs; never log the credential). */
export interface AuthenticatedUser {
  username: string;
  globalAdmin: boolean;
  via: 'bearer' | 'accessToken' | 'password';
}

/**
 * Nacos' 403 bodies, plus Tacos' rate-limit answer:
 * - `user not found!`: no credential at all (Nacos' text for a missing token);
 * - `unknown user!`: wrong username or password (one text for both, so it does not reveal which);
 * - `token invalid!` / `token expired!`: a bad or old token, or a token of a user since deleted;
 * - rate-limited: `status` 429 and a `too many failed logins …` message, plus `retryAfterSeconds`.
 */
export type AuthFailure =
  | { ok: false; status: 403; error: 'user not found!' | 'unknown user!' | 'token invalid!' | 'token expired!' }
  | { ok: false; status: 429; error: string; retryAfterSeconds: number };

/** The result of authentication. */
export type AuthResult = { ok: true; user: AuthenticatedUser } | AuthFailure;

/** The host-provided parts of an {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** HMAC key from `parseTokenSecret(...).key`. */
  tokenKey: Uint8Array;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** The current auth state (read on every call: the Raft state machine may have applied new commands). */
  state: () => AuthState;
  /** Shared failed-login limiter (also used by the login endpoint through {@link Authenticator.login}). */
  limiter: LoginRateLimiter;
  /** A hash from `makeDummyHash(cost)` at the production cost, verified for unknown users. */
  dummyHash: string;
  /** Token lifetime in seconds (default 18000, Nacos'). */
  tokenTtlSeconds?: number;
  /** How long a verified username+password stays cached (default 5 min; 0 disables the cache). */
  credentialCacheTtlMs?: number;
  /** Cached credentials kept at most (default 1000, LRU). */
  credentialCacheSize?: number;
}

/** Default lifetime of a cached username+password verification. */
export const DEFAULT_CREDENTIAL_CACHE_TTL_MS = 5 * 60_000;

/** The per-request Nacos message when the user lacks the permission (403). */
export const AUTHORIZATION_FAILED = 'authorization failed!';

interface CachedCredential {
  /** The stored bcrypt hash the password was verified against: a password change invalidates the entry. */
  storedHash: string;
  /** HMAC-SHA256 of the password under a per-process random key. */
  digest: Buffer;
  expiresAt: number;
}

/**
 * Authenticates requests and logins. One instance per server process.
 *
 * The username+password path caches successful verifications for `credentialCacheTtlMs`, because
 * nacos-naming sends the password with every beat and poll and a bcrypt verify costs ~50-100 ms of
 * CPU. Security trade-off, stated: while an entry lives, the password is protected in this process's
 * memory by a fast HMAC (under a random per-process key) instead of bcrypt, so someone able to read the
 * process memory could test guesses fast; a password change takes effect at once (the entry is bound
 * to the stored hash), but a deleted user is also dropped at once because the user is looked up first.
 * Failures are never cached, and the failed-login limit is checked before the cache, so the cache is
 * no guessing oracle.
 */
export class Authenticator {
  private readonly options: AuthenticatorOptions;
  private readonly cache = new Map<string, CachedCredential>();
  private readonly cacheKey = randomBytes(32);
  /** Verifications running now, by username + password digest: a burst of identical beats shares one bcrypt. */
  private readonly inflight = new Map<string, Promise<boolean>>();

  constructor(options: AuthenticatorOptions) {
    this.options = options;
  }

  /** Resolves the caller of `req` (see the file comment for the order). Never throws for bad input. */
  async authenticate(req: AuthRequest): Promise<AuthResult> {
    const bearer = bearerToken(req.header('authorization'));
    if (bearer !== undefined) return this.fromToken(bearer, 'bearer');
    const paramToken = nonBlank(req.param('accessToken'));
    if (paramToken !== undefined) return this.fromToken(paramToken, 'accessToken');
    const headerToken = nonBlank(req.header('accesstoken'));
    if (headerToken !== undefined) return this.fromToken(headerToken, 'accessToken');
    const username = nonBlank(req.param('username'));
    const password = req.param('password');
    if (username !== undefined && password !== undefined && password !== '') {
      return this.fromPassword(username, password, req.remoteAddress);
    }
    return { ok: false, status: 403, error: 'user not found!' };
  }

  /**
   * The login endpoint (`POST /nacos/v1/auth/users/login`, `/v1/auth/login`): checks the limiter,
   * verifies the password, and on success issues a token. On success the host answers 200 with the
   * body as JSON and `Authorization: Bearer <accessToken>`; on failure, `status` with `error` as plain text.
   */
  async login(username: string | undefined, password: string | undefined, remoteAddress?: string): Promise<{ ok: true; body: LoginBody } | AuthFailure> {
    const result = await this.fromPassword(username?.trim() ?? '', password ?? '', remoteAddress, false);
    if (!result.ok) return result;
    const body = issueLoginToken(result.user.username, this.options.tokenKey, this.options.now(), result.user.globalAdmin, this.options.tokenTtlSeconds);
    return { ok: true, body };
  }

  /**
   * Whether `user` may do `action` on `resource` (permissions.ts' `can` over the current state). The
   * host answers 403 {@link AUTHORIZATION_FAILED} when false.
   */
  authorize(user: AuthenticatedUser, resource: string, action: Action): boolean {
    const state = this.options.state();
    return can(rolesOf(state, user.username), state.permissions, resource, action);
  }

  /** Drops every cached credential (e.g. after a snapshot install replaced the state wholesale). */
  clearCache(): void {
    this.cache.clear();
  }

  private fromToken(token: string, via: 'bearer' | 'accessToken'): AuthResult {
    const verdict = verifyJwt(token, this.options.tokenKey, Math.floor(this.options.now() / 1000));
    if (!verdict.ok) return { ok: false, status: 403, error: nacosTokenError(verdict.reason) };
    const state = this.options.state();
    // A deleted user's token stops working at once (Nacos kept accepting it until it expired).
    if (findUser(state, verdict.claims.sub) === undefined) return { ok: false, status: 403, error: 'token invalid!' };
    return { ok: true, user: { username: verdict.claims.sub, globalAdmin: isGlobalAdmin(state, verdict.claims.sub), via } };
  }

  private async fromPassword(username: string, password: string, address: string | undefined, useCache = true): Promise<AuthResult> {
    if (!NAME_PATTERN.test(username)) {
      // Not even a possible username: count it against the address only, and do not echo it back.
      this.options.limiter.recordFailure(undefined, address);
      return { ok: false, status: 403, error: 'unknown user!' };
    }
    const decision = this.options.limiter.check(username, address);
    if (!decision.allowed) return { ok: false, status: 429, error: decision.message, retryAfterSeconds: decision.retryAfterSeconds };
    const user = findUser(this.options.state(), username);
    const storedHash = user?.password ?? this.options.dummyHash;
    const digest = createHmac('sha256', this.cacheKey).update(password, 'utf8').digest();
    const ttl = this.options.credentialCacheTtlMs ?? DEFAULT_CREDENTIAL_CACHE_TTL_MS;
    const now = this.options.now();
    const cached = user === undefined || !useCache || ttl <= 0 ? undefined : this.cache.get(username);
    let verified = false;
    if (cached !== undefined && cached.expiresAt > now && cached.storedHash === storedHash && timingSafeEqual(cached.digest, digest)) {
      verified = true;
    } else {
      // Unknown users are verified against the dummy hash so both cases take one bcrypt's time.
      verified = (await this.verifyShared(password, storedHash, `${username}\u0000${digest.toString('hex')}\u0000${storedHash}`)) && user !== undefined;
    }
    // Re-read after the await: the user may have been deleted or changed while bcrypt ran.
    const current = findUser(this.options.state(), username);
    if (!verified || current === undefined || current.password !== storedHash) {
      // A wrong guess leaves a still-valid entry alone: evicting it would let anyone make every beat of
      // the real client pay for a bcrypt again. A changed or deleted user drops it.
      if (current === undefined || current.password !== storedHash) this.cache.delete(username);
      this.options.limiter.recordFailure(username, address);
      return { ok: false, status: 403, error: 'unknown user!' };
    }
    this.options.limiter.recordSuccess(username);
    if (ttl > 0) this.remember(username, { storedHash, digest, expiresAt: now + ttl });
    return { ok: true, user: { username, globalAdmin: isGlobalAdmin(this.options.state(), username), via: 'password' } };
  }

  private verifyShared(password: string, storedHash: string, key: string): Promise<boolean> {
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const verification = verifyPassword(password, storedHash).finally(() => this.inflight.delete(key));
    this.inflight.set(key, verification);
    return verification;
  }

  private remember(username: string, entry: CachedCredential): void {
    this.cache.delete(username);
    this.cache.set(username, entry);
    const limit = this.options.credentialCacheSize ?? 1000;
    while (this.cache.size > limit) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header, or undefined when the header is absent or uses
 * another scheme (then the next credential source is tried, as in Nacos).
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function nonBlank(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
