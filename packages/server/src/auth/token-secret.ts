/**
 * Checks the configured token secret (`--token-secret` / `TACOS_TOKEN_SECRET`) before the server
 * starts. Nacos shipped public defaults that let anyone forge admin tokens (NACOS-FACTS §8), so a
 * Tacos server with auth on refuses to start unless the secret is present, long enough, not a
 * published default and not trivially repetitive.
 *
 * How the value is read (decided here, documented in README.md):
 * - `base64:<text>` → strict Base64, decoded.
 * - otherwise, a value that is canonical Base64 (alphabet `A-Za-z0-9+/`, `=` padding, length a multiple
 *   of 4, re-encodes to itself) AND decodes to ≥ 32 bytes is decoded, exactly as Nacos reads
 *   `nacos.core.auth.plugin.nacos.token.secret.key`; so a secret moved over from Nacos keeps its meaning.
 * - anything else is taken as raw UTF-8 bytes.
 * Either way the key must be ≥ 32 bytes (HS256's block of security; Nacos has the same floor).
 */

/** Minimum key length in bytes. */
export const MIN_TOKEN_SECRET_BYTES = 32;

/** Fewer distinct byte values than this is refused as a placeholder (`aaaa…`, `0000…`, `abab…`). */
export const MIN_DISTINCT_SECRET_BYTES = 8;

/**
 * Secrets published by Nacos or in its official docs/images, as configured strings. Every one is
 * refused, whatever way it is written (raw, Base64, `base64:` prefix, with surrounding blanks).
 * - `SecretKey0123…789`: the default of `nacos.core.auth.default.token.secret.key` in
 *   application.properties up to 2.2.0 and the nacos-docker `NACOS_AUTH_TOKEN` default (QVD-2023-6271).
 * - its Base64 form, circulated as the "fixed" default.
 * - `VGhpc0lzTXlDdXN0b21TZWNyZXRLZXkwMTIzNDU2Nzg=` (`ThisIsMyCustomSecretKey012345678`): the example in
 *   application.properties from 2.2.0.1 on and in the auth docs; the official docs call both public.
 * - `N2xkQXA2TkZVaGdyVU9QRllONDVJOHhVYUdtQWtjOEY=` and `qwe1rty2ui3opl4kjh5gf6dsazx7cvbnm`: keys that
 *   public Nacos exploitation scripts try, i.e. known to attackers.
 */
export const KNOWN_NACOS_DEFAULT_SECRETS: readonly string[] = Object.freeze([
  'SecretKey012345678901234567890123456789012345678901234567890123456789',
  'U2VjcmV0S2V5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5',
  'VGhpc0lzTXlDdXN0b21TZWNyZXRLZXkwMTIzNDU2Nzg=',
  'ThisIsMyCustomSecretKey012345678',
  'N2xkQXA2TkZVaGdyVU9QRllONDVJOHhVYUdtQWtjOEY=',
  'qwe1rty2ui3opl4kjh5gf6dsazx7cvbnm',
]);

/** A usable secret: the HMAC key bytes and how the configured text was read (for the startup log). */
export interface TokenSecret {
  key: Buffer;
  encoding: 'base64' | 'raw';
}

/** Why a secret was refused; `message` is a complete startup error telling the operator what to do. */
export class TokenSecretError extends Error {
  readonly reason: 'missing' | 'too-short' | 'known-default' | 'low-entropy' | 'bad-base64';

  constructor(reason: TokenSecretError['reason'], message: string) {
    super(message);
    this.name = 'TokenSecretError';
    this.reason = reason;
  }
}

const HOW_TO =
  'Generate one with `openssl rand -base64 48` (or `node -e "console.log(require(\'crypto\').randomBytes(48).toString(\'base64\'))"`) ' +
  'and pass it as --token-secret or TACOS_TOKEN_SECRET; use the same value on every member.';

const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Validates the configured secret and returns the HMAC key. Call it at startup only when auth is on
 * (`authEnabled`); with auth off it returns undefined without looking at the value, since no token is
 * issued or checked. Throws {@link TokenSecretError} naming the problem and the fix; the host prints
 * the message and exits non-zero, it does not start serving.
 */
export function parseTokenSecret(configured: string | undefined, authEnabled: boolean): TokenSecret | undefined {
  if (!authEnabled) return undefined;
  const value = configured?.trim() ?? '';
  if (value === '') {
    throw new TokenSecretError(
      'missing',
      `auth is on (--auth / TACOS_AUTH=true) but no token secret is configured. ${HOW_TO}`,
    );
  }
  if (isKnownDefault(value)) {
    throw new TokenSecretError(
      'known-default',
      'the configured token secret is a published Nacos default; anyone could forge admin tokens with it ' +
        `(QVD-2023-6271). ${HOW_TO}`,
    );
  }
  const secret = readSecret(value);
  if (secret.key.length < MIN_TOKEN_SECRET_BYTES) {
    throw new TokenSecretError(
      'too-short',
      `the token secret is ${secret.key.length} bytes (read as ${secret.encoding}); at least ${MIN_TOKEN_SECRET_BYTES} ` +
        `bytes are required. ${HOW_TO}`,
    );
  }
  if (new Set(secret.key).size < MIN_DISTINCT_SECRET_BYTES) {
    throw new TokenSecretError(
      'low-entropy',
      `the token secret uses fewer than ${MIN_DISTINCT_SECRET_BYTES} distinct byte values; it looks like a placeholder. ${HOW_TO}`,
    );
  }
  return secret;
}

function readSecret(value: string): TokenSecret {
  if (value.startsWith('base64:')) {
    const text = value.slice('base64:'.length);
    if (!CANONICAL_BASE64.test(text) || text === '') {
      throw new TokenSecretError('bad-base64', `the token secret starts with "base64:" but the rest is not valid Base64. ${HOW_TO}`);
    }
    return { key: Buffer.from(text, 'base64'), encoding: 'base64' };
  }
  const decoded = decodeCanonicalBase64(value);
  if (decoded !== undefined && decoded.length >= MIN_TOKEN_SECRET_BYTES) return { key: decoded, encoding: 'base64' };
  return { key: Buffer.from(value, 'utf8'), encoding: 'raw' };
}

function decodeCanonicalBase64(text: string): Buffer | undefined {
  if (!CANONICAL_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Round-trip: Node's decoder ignores stray bits in the last character; a non-canonical string
  // would give two spellings of one key, so it is read as raw text instead.
  return bytes.toString('base64') === text ? bytes : undefined;
}

/**
 * True when `value` is, or decodes to the same key bytes as, one of {@link KNOWN_NACOS_DEFAULT_SECRETS}.
 * Both readings of each are compared (raw bytes and Base64-decoded; Nacos decodes leniently), so
 * writing a default in another form does not get it past the check.
 */
export function isKnownDefault(configured: string): boolean {
  const value = configured.trim();
  const candidates = keyReadings(value.startsWith('base64:') ? value.slice('base64:'.length) : value);
  for (const known of KNOWN_NACOS_DEFAULT_SECRETS) {
    if (known.toLowerCase() === value.toLowerCase()) return true;
    for (const knownKey of keyReadings(known)) {
      for (const candidate of candidates) if (candidate.equals(knownKey)) return true;
    }
  }
  return false;
}

function keyReadings(text: string): Buffer[] {
  const readings = [Buffer.from(text, 'utf8')];
  // Lenient decode like commons-codec, so `SecretKey0123…` (valid Base64 letters) is compared as
  // Nacos itself would have used it.
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) readings.push(Buffer.from(text, 'base64'));
  return readings;
}
