import { createHash, createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { CLUSTER_ERROR_CODES, ClusterError } from './errors';

/**
 * Headers of a signed peer request (lower-case, as node reports them). Every one of them except
 * the signature is covered by the signature, so none can be swapped or replayed on its own.
 */
export const PEER_HEADERS = {
  /** The sending member's address (`ip:port`). */
  PEER: 'x-tacos-peer',
  /** Milliseconds since the epoch when the request was signed (decimal). */
  TIMESTAMP: 'x-tacos-timestamp',
  /** 32 random hex characters, so two identical requests in one millisecond sign differently. */
  NONCE: 'x-tacos-nonce',
  /** Optional: the client address a forwarded request came from. */
  ORIGIN: 'x-tacos-origin',
  /** Hex HMAC-SHA256 of the canonical string (see {@link canonicalPeerString}). */
  SIGNATURE: 'x-tacos-signature',
} as const;

/** Default replay window: a signed request is accepted within ±30 s of its timestamp. */
export const DEFAULT_REPLAY_WINDOW_MS = 30_000;
/** Default number of signatures remembered to refuse exact replays inside the window. */
export const DEFAULT_MAX_CACHED_SIGNATURES = 100_000;
/** Shortest accepted cluster secret, in UTF-8 bytes. */
export const MIN_SECRET_BYTES = 16;

// Secrets that ship in docs, samples and Nacos' own defaults (NACOS-FACTS §8). Compared
// case-insensitively; a secret anyone can look up protects nothing.
const WELL_KNOWN_SECRETS = new Set(
  [
    'SecretKey012345678901234567890123456789012345678901234567890123456789',
    'nacos',
    'nacos-server',
    'serverIdentity',
    'security',
    'tacos',
    'tacos-cluster-secret',
    'cluster-secret',
    'changeme',
    'change-me',
    'changeit',
    'secret',
    'password',
    'default',
    '0123456789abcdef',
    '0123456789abcdef0123456789abcdef',
    '1234567890123456',
    'abcdefghijklmnop',
    'please-change-me',
  ].map((s) => s.toLowerCase()),
);

/**
 * Checks a cluster secret and returns it. Throws ClusterError BAD_SECRET (with a message meant for
 * the operator, without echoing the secret) when it is missing, shorter than {@link MIN_SECRET_BYTES}
 * UTF-8 bytes, one repeated character, or a well-known default (Nacos' shipped JWT key, `nacos`,
 * `serverIdentity`/`security`, `changeme`, ...). Call it at start-up, before anything listens.
 */
export function validateClusterSecret(secret: string | undefined): string {
  if (secret === undefined || secret.trim() === '') {
    throw new ClusterError(CLUSTER_ERROR_CODES.BAD_SECRET, 'cluster mode needs a cluster secret: pass --cluster-secret or set TACOS_CLUSTER_SECRET (the same value on every member)');
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new ClusterError(CLUSTER_ERROR_CODES.BAD_SECRET, `the cluster secret is too short: use at least ${MIN_SECRET_BYTES} bytes (e.g. \`openssl rand -hex 32\`)`);
  }
  if (WELL_KNOWN_SECRETS.has(secret.toLowerCase()) || /^(.)\1*$/s.test(secret)) {
    throw new ClusterError(CLUSTER_ERROR_CODES.BAD_SECRET, 'the cluster secret is a well-known default or trivially guessable; generate a random one (e.g. `openssl rand -hex 32`)');
  }
  return secret;
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');

const sha256Hex = (body: Uint8Array | string): string => (body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(body).digest('hex'));

/** HMAC keys by secret, prepared once (createHmac with a string key re-derives the key every call). */
const hmacKeys = new Map<string, KeyObject>();

function hmacKeyOf(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    hmacKeys.set(secret, key);
  }
  return key;
}

/** Random bytes are drawn this many at a time for nonces (one `randomBytes` call per 256 nonces). */
const NONCE_POOL_BYTES = 16 * 256;
let noncePool = Buffer.alloc(0);
let noncePos = 0;

/** 16 random bytes in hex, from a pool refilled with `randomBytes` (same randomness, fewer calls). */
function randomNonce(): string {
  if (noncePos + 16 > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePos = 0;
  }
  const nonce = noncePool.toString('hex', noncePos, noncePos + 16);
  noncePos += 16;
  return nonce;
}

/** What is signed. `url` is the path with its query string, exactly as sent on the request line. */
export interface PeerSignedParts {
  method: string;
  url: string;
  timestamp: string;
  nonce: string;
  peer: string;
  origin: string;
  body: Uint8Array | string;
}

/**
 * The string that is HMAC'd, one field a line: a version tag, the upper-case method, the path with
 * query, the timestamp, the nonce, the sender, the origin (empty when absent) and the hex SHA-256
 * of the body. Newlines cannot occur inside the fields that come from headers (node refuses them)
 * nor in a request line, so the encoding is unambiguous.
 */
export function canonicalPeerString(p: PeerSignedParts): string {
  return ['TACOS-PEER-V1', p.method.toUpperCase(), p.url, p.timestamp, p.nonce, p.peer, p.origin, sha256Hex(p.body)].join('\n');
}

function hmacHex(secret: string, p: PeerSignedParts): string {
  return createHmac('sha256', hmacKeyOf(secret)).update(canonicalPeerString(p)).digest('hex');
}

/**
 * The key of a peer stream (peer-stream.ts): HMAC of the stream's handshake signature under the
 * cluster secret. The signature is new for every handshake and never accepted twice, so every
 * stream gets its own key, which only members holding the secret can derive.
 */
function streamKeyOf(secret: string, handshakeSignature: string): Buffer {
  return createHmac('sha256', hmacKeyOf(secret)).update(`TACOS-PEER-STREAM-V1\n${handshakeSignature}`).digest();
}

/** Options of {@link PeerSigner}. */
export interface PeerSignerOptions {
  /** The cluster secret (validate it with {@link validateClusterSecret} first). */
  secret: string;
  /** This member's address, sent as {@link PEER_HEADERS.PEER}. */
  self: string;
  /** Wall clock in ms; default `Date.now`. */
  now?: () => number;
  /** Nonce source; default 16 random bytes in hex. */
  nonce?: () => string;
}

/** What to sign. `url` is the path with query (`/nacos/v1/ns/peer/raft?x=1`), not a full URL. */
export interface PeerRequestToSign {
  method: string;
  url: string;
  body?: Uint8Array | string;
  /** Client address of a forwarded request (signed, so a receiver may trust it). */
  origin?: string;
}

/**
 * Signs outgoing peer requests. Stateless apart from the clock; safe to share between transports.
 */
export class PeerSigner {
  private readonly secret: string;
  /** This member's address. */
  readonly self: string;
  private readonly now: () => number;
  private readonly nonce: () => string;

  constructor(options: PeerSignerOptions) {
    this.secret = options.secret;
    this.self = options.self;
    this.now = options.now ?? Date.now;
    this.nonce = options.nonce ?? randomNonce;
  }

  /** Returns the headers to add to the request (a new object each call). */
  sign(req: PeerRequestToSign): Record<string, string> {
    const parts: PeerSignedParts = {
      method: req.method,
      url: req.url,
      timestamp: String(this.now()),
      nonce: this.nonce(),
      peer: this.self,
      origin: req.origin ?? '',
      body: req.body ?? '',
    };
    const headers: Record<string, string> = {
      [PEER_HEADERS.PEER]: parts.peer,
      [PEER_HEADERS.TIMESTAMP]: parts.timestamp,
      [PEER_HEADERS.NONCE]: parts.nonce,
      [PEER_HEADERS.SIGNATURE]: hmacHex(this.secret, parts),
    };
    if (req.origin !== undefined) headers[PEER_HEADERS.ORIGIN] = req.origin;
    return headers;
  }

  /** The key of a stream this member opened with a handshake signed `handshakeSignature`. */
  streamKey(handshakeSignature: string): Buffer {
    return streamKeyOf(this.secret, handshakeSignature);
  }
}

/** Why a request was not accepted as coming from a peer. */
export const PEER_AUTH_FAILURES = {
  /** One of the required headers is absent. */
  MISSING: 'missing',
  /** A header is present but not in the expected format. */
  MALFORMED: 'malformed',
  /** The timestamp is outside the replay window (or older than what the replay cache can still prove). */
  EXPIRED: 'expired',
  /** The signature does not match (tampered request, or another secret). */
  BAD_SIGNATURE: 'bad-signature',
  /** The very same signed request was seen before. */
  REPLAYED: 'replayed',
  /** Correctly signed, but the sender is not (or no longer) a configured member. */
  UNKNOWN_PEER: 'unknown-peer',
} as const;

/** One of the {@link PEER_AUTH_FAILURES} values. */
export type PeerAuthFailure = (typeof PEER_AUTH_FAILURES)[keyof typeof PEER_AUTH_FAILURES];

/** The outcome of {@link PeerVerifier.verify}. `detail` is for logs; it never contains the secret. */
export type PeerVerification = { ok: true; peer: string; origin?: string } | { ok: false; reason: PeerAuthFailure; detail: string };

/** Headers as node gives them, or a lookup by lower-case name (the server's `HandlerRequest.header`). */
export type HeaderSource = Record<string, string | string[] | undefined> | ((name: string) => string | undefined);

/** The parts of an incoming request the verifier reads. */
export interface PeerRequestLike {
  method: string;
  /** Path with query string, exactly as on the request line (`req.originalUrl` in express, `req.url` in node). */
  url: string;
  headers: HeaderSource;
  /** The raw body bytes as received (empty or undefined when there is none). */
  body?: Uint8Array | string;
}

function headerOf(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers === 'function') return headers(name);
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** True when a request carries any Tacos peer header (so it claims to come from a member). */
export function hasPeerHeaders(headers: HeaderSource): boolean {
  return headerOf(headers, PEER_HEADERS.SIGNATURE) !== undefined || headerOf(headers, PEER_HEADERS.PEER) !== undefined;
}

/** Options of {@link PeerVerifier}. */
export interface PeerVerifierOptions {
  /** The cluster secret. */
  secret: string;
  /** Accepted clock difference either way, ms. Default {@link DEFAULT_REPLAY_WINDOW_MS}. */
  windowMs?: number;
  /** Bound of the replay cache. Default {@link DEFAULT_MAX_CACHED_SIGNATURES}. */
  maxCachedSignatures?: number;
  /** Wall clock in ms; default `Date.now`. */
  now?: () => number;
  /**
   * Optional: is this sender a configured member? A member removed from the list still knows the
   * secret; this refuses it (`unknown-peer`). Checked after the signature. Default: anyone signing.
   */
  isKnownPeer?: (peer: string) => boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;
const DIGITS = /^\d{1,16}$/;
const NONCE = /^[0-9a-zA-Z_-]{8,128}$/;

/**
 * Verifies incoming peer requests: all headers present, timestamp within the window, HMAC equal
 * (constant-time), and this exact signature not seen before. Keeps a bounded cache of accepted
 * signatures; when the cache is full it forgets the oldest and from then on refuses any request
 * signed at or before the forgotten one's timestamp, so a replay can never slip through a gap in
 * the cache (legitimate requests carry fresh timestamps and are unaffected).
 *
 * Never trusts `User-Agent` or any identity header other than a valid signature (Nacos'
 * CVE-2021-29441 was a `User-Agent: Nacos-Server` bypass). One verifier per process; not shared
 * across processes (each member remembers what it accepted).
 */
export class PeerVerifier {
  private readonly secret: string;
  private readonly windowMs: number;
  private readonly maxCached: number;
  private readonly now: () => number;
  private readonly isKnownPeer: ((peer: string) => boolean) | undefined;
  /** signature → timestamp, in acceptance order. */
  private readonly seen = new Map<string, number>();
  /** Requests signed at or before this were possibly forgotten by the cache: refused. */
  private floorTs = Number.NEGATIVE_INFINITY;

  constructor(options: PeerVerifierOptions) {
    this.secret = options.secret;
    this.windowMs = options.windowMs ?? DEFAULT_REPLAY_WINDOW_MS;
    this.maxCached = Math.max(1, options.maxCachedSignatures ?? DEFAULT_MAX_CACHED_SIGNATURES);
    this.now = options.now ?? Date.now;
    this.isKnownPeer = options.isKnownPeer;
  }

  /** Checks one request; on success remembers its signature (so a second identical call is `replayed`). */
  verify(req: PeerRequestLike): PeerVerification {
    const peer = headerOf(req.headers, PEER_HEADERS.PEER);
    const timestamp = headerOf(req.headers, PEER_HEADERS.TIMESTAMP);
    const nonce = headerOf(req.headers, PEER_HEADERS.NONCE);
    const signature = headerOf(req.headers, PEER_HEADERS.SIGNATURE);
    const origin = headerOf(req.headers, PEER_HEADERS.ORIGIN);
    if (peer === undefined || timestamp === undefined || nonce === undefined || signature === undefined) {
      const missing = [
        [PEER_HEADERS.PEER, peer],
        [PEER_HEADERS.TIMESTAMP, timestamp],
        [PEER_HEADERS.NONCE, nonce],
        [PEER_HEADERS.SIGNATURE, signature],
      ]
        .filter(([, v]) => v === undefined)
        .map(([k]) => k);
      return { ok: false, reason: PEER_AUTH_FAILURES.MISSING, detail: `missing header(s) ${missing.join(', ')}` };
    }
    if (!DIGITS.test(timestamp)) return { ok: false, reason: PEER_AUTH_FAILURES.MALFORMED, detail: 'timestamp is not a decimal number of milliseconds' };
    if (!HEX64.test(signature)) return { ok: false, reason: PEER_AUTH_FAILURES.MALFORMED, detail: 'signature is not 64 lower-case hex characters' };
    if (!NONCE.test(nonce)) return { ok: false, reason: PEER_AUTH_FAILURES.MALFORMED, detail: 'nonce is not 8-128 URL-safe characters' };
    if (peer === '' || peer.length > 300) return { ok: false, reason: PEER_AUTH_FAILURES.MALFORMED, detail: 'peer address is empty or too long' };
    const ts = Number(timestamp);
    const now = this.now();
    if (Math.abs(now - ts) > this.windowMs) {
      return { ok: false, reason: PEER_AUTH_FAILURES.EXPIRED, detail: `timestamp is ${Math.round((now - ts) / 1000)} s off this member's clock (window ±${this.windowMs / 1000} s); check NTP on ${peer} and here` };
    }
    const expected = hmacHex(this.secret, { method: req.method, url: req.url, timestamp, nonce, peer, origin: origin ?? '', body: req.body ?? '' });
    // Both are 64 hex characters here, so timingSafeEqual's equal-length precondition holds.
    if (!timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(signature, 'latin1'))) {
      return { ok: false, reason: PEER_AUTH_FAILURES.BAD_SIGNATURE, detail: `signature from ${peer} does not match (tampered request, or a different cluster secret)` };
    }
    if (this.isKnownPeer && !this.isKnownPeer(peer)) return { ok: false, reason: PEER_AUTH_FAILURES.UNKNOWN_PEER, detail: `${peer} signed correctly but is not a configured member` };
    // Checked only after the signature, so nobody can probe the cache with unsigned junk.
    if (this.seen.has(signature)) return { ok: false, reason: PEER_AUTH_FAILURES.REPLAYED, detail: `request from ${peer} was already accepted once` };
    if (ts <= this.floorTs) return { ok: false, reason: PEER_AUTH_FAILURES.EXPIRED, detail: 'timestamp is older than what the replay cache still remembers' };
    this.remember(signature, ts, now);
    return origin === undefined ? { ok: true, peer } : { ok: true, peer, origin };
  }

  /** The key of a stream whose handshake (signed `handshakeSignature`) {@link verify} accepted. */
  streamKey(handshakeSignature: string): Buffer {
    return streamKeyOf(this.secret, handshakeSignature);
  }

  /** Number of signatures currently remembered (for tests and metrics). */
  get cachedSignatures(): number {
    return this.seen.size;
  }

  private remember(signature: string, ts: number, now: number): void {
    // Entries whose timestamp left the window are refused by the window check anyway: forget them.
    // Acceptance order is roughly timestamp order, so scanning from the oldest end is enough.
    for (const [sig, t] of this.seen) {
      if (t + this.windowMs >= now) break;
      this.seen.delete(sig);
    }
    while (this.seen.size >= this.maxCached) {
      const oldest = this.seen.entries().next().value as [string, number];
      this.seen.delete(oldest[0]);
      if (oldest[1] > this.floorTs) this.floorTs = oldest[1];
    }
    this.seen.set(signature, ts);
  }
}

/**
 * Verifies one request with `verifier`: the express-free entry point. Equivalent to
 * `verifier.verify(req)`; exists so call sites read as the operation they perform.
 */
export function verifyPeerRequest(verifier: PeerVerifier, req: PeerRequestLike): PeerVerification {
  return verifier.verify(req);
}

/**
 * Reads a request body into one Buffer, refusing more than `maxBytes` (rejects ClusterError
 * TOO_LARGE and stops reading). Resolves an empty Buffer for a body that was already consumed.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (req.readableEnded || !req.readable) {
      resolve(Buffer.alloc(0));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      req.resume();
      reject(new ClusterError(CLUSTER_ERROR_CODES.TOO_LARGE, `body of ${declared} bytes exceeds ${maxBytes}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        req.resume();
        reject(new ClusterError(CLUSTER_ERROR_CODES.TOO_LARGE, `body exceeds ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}

/** What {@link requirePeerSignature} leaves on an accepted request. */
export interface PeerAuthenticatedRequest extends Request {
  /** The raw body that was verified. */
  rawBody?: Buffer;
}

/**
 * An express middleware that admits only validly signed peer requests. It uses `req.rawBody` when
 * an earlier body parser stashed it (express' `verify` option), otherwise reads the body itself
 * (so mount it before any body parser for these paths). On success it sets `req.rawBody` and
 * `res.locals.peer` (the sender's address) and calls `next()`; on failure it answers 401 with
 * `peer authentication failed: <reason>` and reports the details through `onReject` (for logs).
 */
export function requirePeerSignature(
  verifier: PeerVerifier,
  options: { maxBodyBytes?: number; onReject?: (failure: Extract<PeerVerification, { ok: false }>, req: Request) => void } = {},
): (req: Request, res: Response, next: NextFunction) => void {
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  return (req, res, next) => {
    const authReq = req as PeerAuthenticatedRequest;
    const bodyPromise = Buffer.isBuffer(authReq.rawBody) ? Promise.resolve(authReq.rawBody) : readBody(req, maxBodyBytes);
    bodyPromise.then(
      (body) => {
        authReq.rawBody = body;
        const result = verifier.verify({ method: req.method, url: req.originalUrl, headers: req.headers, body });
        if (!result.ok) {
          options.onReject?.(result, req);
          res.status(401).type('text/plain').send(`peer authentication failed: ${result.reason}`);
          return;
        }
        res.locals.peer = result.peer;
        next();
      },
      (err: unknown) => {
        const tooLarge = err instanceof ClusterError && err.code === CLUSTER_ERROR_CODES.TOO_LARGE;
        res.status(tooLarge ? 413 : 400).type('text/plain').send(tooLarge ? (err as Error).message : 'bad peer request body');
      },
    );
  };
}
