import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * JSON Web Tokens, HS256 only, with node:crypto. Nacos' login answers such a token
 * (`{"alg":"HS256"}` header, `sub` = username, `exp` in seconds); Tacos adds `iat`. Nothing else is
 * supported on purpose: the verifier ignores the token's own `alg` choice except to refuse anything
 * that is not exactly `HS256` (no `none`, no RS/HS confusion, no HS512 downgrade games).
 */

/** The longest token accepted (bytes of the compact form); a bound on parsing work per request. */
export const MAX_TOKEN_LENGTH = 4096;

/** Seconds of clock skew tolerated on `iat` (a peer's clock slightly ahead). */
export const IAT_LEEWAY_SECONDS = 60;

/** The claims Tacos signs and reads. `exp` and `iat` are Unix seconds. */
export interface JwtClaims {
  /** The username. */
  sub: string;
  /** Expiry (exclusive): the token is expired once `now >= exp`. */
  exp: number;
  /** Issue time; absent in tokens minted by Nacos itself. */
  iat?: number;
}

/**
 * Why a token was refused. `malformed`, `bad-signature`, `unsupported-alg` and `not-yet-valid` all
 * map to Nacos' 403 `token invalid!`; `expired` maps to `token expired!` (see {@link nacosTokenError}).
 */
export type JwtFailure = 'malformed' | 'unsupported-alg' | 'bad-signature' | 'expired' | 'not-yet-valid';

/** The result of {@link verifyJwt}: never throws for bad input, so callers cannot forget a catch. */
export type JwtVerifyResult = { ok: true; claims: JwtClaims } | { ok: false; reason: JwtFailure };

const HEADER_B64 = base64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' }), 'utf8'));
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Signs `claims` with HMAC-SHA256 under `key` and returns the compact token. `key` should be the
 * decoded secret from {@link parseTokenSecret} (≥ 32 bytes); this function does not re-check it.
 * Throws TypeError when `sub` is empty or `exp`/`iat` are not safe integers, because a token with a
 * broken claim would be refused by every verifier anyway and the caller has a bug.
 */
export function signJwt(claims: JwtClaims, key: Uint8Array): string {
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new TypeError('jwt: sub must be a non-empty string');
  if (!Number.isSafeInteger(claims.exp)) throw new TypeError('jwt: exp must be an integer (seconds)');
  if (claims.iat !== undefined && !Number.isSafeInteger(claims.iat)) throw new TypeError('jwt: iat must be an integer');
  // Fixed key order keeps tokens byte-identical for equal claims (tests, logs).
  const payload: JwtClaims = { sub: claims.sub, ...(claims.iat === undefined ? {} : { iat: claims.iat }), exp: claims.exp };
  const signingInput = `${HEADER_B64}.${base64url(Buffer.from(JSON.stringify(payload), 'utf8'))}`;
  return `${signingInput}.${base64url(hmac(key, signingInput))}`;
}

/**
 * Verifies a compact token: exactly three base64url parts, a JSON object header whose `alg` is
 * `HS256` (and no `crit`), a constant-time HMAC check, then the claims: `sub` a non-empty string, `exp`
 * an integer (a string `exp`, as some public forged Nacos tokens carry, is malformed), `iat` when present
 * not more than {@link IAT_LEEWAY_SECONDS} in the future. `nowSeconds` comes from the caller's clock.
 * The signature is checked before the claims are trusted, so an attacker learns nothing about
 * expiry from a forged token: forged → `bad-signature`, genuine but old → `expired`.
 */
export function verifyJwt(token: string, key: Uint8Array, nowSeconds: number): JwtVerifyResult {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return fail('malformed');
  const parts = token.split('.');
  if (parts.length !== 3) return fail('malformed');
  const [headerB64, payloadB64, signatureB64] = parts as [string, string, string];
  if (!BASE64URL.test(headerB64) || !BASE64URL.test(payloadB64) || !BASE64URL.test(signatureB64)) {
    return fail('malformed');
  }
  const header = parseJsonObject(headerB64);
  if (header === undefined) return fail('malformed');
  // Only the exact string HS256 passes: `none`, `hs256`, `HS512`, `RS256`, arrays… are all refused.
  if (header.alg !== 'HS256') return fail('unsupported-alg');
  // RFC 7515 §4.1.11: a recipient that does not understand a `crit` extension must reject the token.
  if (Object.hasOwn(header, 'crit')) return fail('unsupported-alg');
  if (signatureB64.length === 0) return fail('bad-signature');
  const expected = hmac(key, `${headerB64}.${payloadB64}`);
  const given = Buffer.from(signatureB64, 'base64url');
  // timingSafeEqual needs equal lengths; the length of an HMAC-SHA256 is public, so checking it first
  // leaks nothing about the key.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('bad-signature');
  const payload = parseJsonObject(payloadB64);
  if (payload === undefined) return fail('malformed');
  const { sub, exp, iat } = payload;
  if (typeof sub !== 'string' || sub === '') return fail('malformed');
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp)) return fail('malformed');
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isSafeInteger(iat))) return fail('malformed');
  if (nowSeconds >= exp) return fail('expired');
  if (iat !== undefined && iat > nowSeconds + IAT_LEEWAY_SECONDS) return fail('not-yet-valid');
  return { ok: true, claims: iat === undefined ? { sub, exp } : { sub, exp, iat } };
}

/** Nacos' 403 body for a refused token: `token expired!` for expiry, `token invalid!` for the rest. */
export function nacosTokenError(reason: JwtFailure): 'token expired!' | 'token invalid!' {
  return reason === 'expired' ? 'token expired!' : 'token invalid!';
}

/** Nacos' default token lifetime (`nacos.core.auth.default.token.expire.seconds`). */
export const DEFAULT_TOKEN_TTL_SECONDS = 18000;

/** The JSON body of a successful login, Nacos' shape. */
export interface LoginBody {
  accessToken: string;
  tokenTtl: number;
  globalAdmin: boolean;
}

/**
 * Issues a login token for `username` valid `ttlSeconds` from `nowMs`, and the login body Nacos
 * answers. The host also sets `Authorization: Bearer <accessToken>` on the response. There is no
 * refresh endpoint in Nacos 1.x: clients log in again before `tokenTtl` runs out, and so do Tacos'.
 */
export function issueLoginToken(
  username: string,
  key: Uint8Array,
  nowMs: number,
  globalAdmin: boolean,
  ttlSeconds: number = DEFAULT_TOKEN_TTL_SECONDS,
): LoginBody {
  const iat = Math.floor(nowMs / 1000);
  return { accessToken: signJwt({ sub: username, iat, exp: iat + ttlSeconds }, key), tokenTtl: ttlSeconds, globalAdmin };
}

function fail(reason: JwtFailure): JwtVerifyResult {
  return { ok: false, reason };
}

function hmac(key: Uint8Array, input: string): Buffer {
  return createHmac('sha256', key).update(input, 'utf8').digest();
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Parses a base64url JSON object; undefined for anything else (arrays, numbers, bad JSON). */
function parseJsonObject(b64: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}
