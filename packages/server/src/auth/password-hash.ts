import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as bcrypt from 'bcryptjs';

/**
 * Password hashing with bcrypt (bcryptjs 3, pure JavaScript, so no native build on any machine). Nacos
 * stores BCrypt hashes too (`$2a$10$…` in its `users` table), so hashes exported from a Nacos database
 * verify here unchanged. The async API runs the rounds in slices on the event loop, so a hash never
 * blocks other requests for its whole duration.
 */

/** Nacos' (Spring's) BCrypt cost, and Tacos' default: about 50-100 ms per hash on a server core. */
export const DEFAULT_BCRYPT_COST = 10;

/** The lowest cost {@link hashPassword} accepts; only tests should go below the default. */
export const MIN_BCRYPT_COST = 4;

/** The highest cost accepted (bcrypt's own limit is 31; beyond 15 one login takes seconds). */
export const MAX_BCRYPT_COST = 15;

/**
 * bcrypt only reads the first 72 bytes of a password; longer ones are refused rather than silently
 * truncated (otherwise two passwords sharing a 72-byte prefix would be equal).
 */
export const MAX_PASSWORD_BYTES = 72;

/** What a stored hash must look like: bcrypt modular crypt format, cost two digits, 53 chars of salt+hash. */
export const BCRYPT_HASH_PATTERN = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/** Thrown by {@link hashPassword} for a password or cost it will not hash. `message` names the field. */
export class PasswordPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordPolicyError';
  }
}

/**
 * Checks a new password against the policy: non-empty, at most {@link MAX_PASSWORD_BYTES} UTF-8 bytes,
 * no control characters (they cannot be typed in the console and usually mean a mangled value).
 * Returns an error message naming the `password` field, or undefined when acceptable.
 */
export function checkPasswordPolicy(password: string, field = 'password'): string | undefined {
  if (typeof password !== 'string' || password.length === 0) return `${field} must not be empty`;
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    return `${field} must be at most ${MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest)`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(password)) return `${field} must not contain control characters`;
  return undefined;
}

/**
 * Hashes `password` with a fresh random salt at `cost` (default {@link DEFAULT_BCRYPT_COST}). Rejects
 * with {@link PasswordPolicyError} when the password breaks {@link checkPasswordPolicy} or the cost is
 * out of range. The result matches {@link BCRYPT_HASH_PATTERN} and is what Raft commands carry: the
 * plain password never enters the replicated log.
 */
export async function hashPassword(password: string, cost: number = DEFAULT_BCRYPT_COST): Promise<string> {
  const problem = checkPasswordPolicy(password);
  if (problem !== undefined) throw new PasswordPolicyError(problem);
  if (!Number.isInteger(cost) || cost < MIN_BCRYPT_COST || cost > MAX_BCRYPT_COST) {
    throw new PasswordPolicyError(`cost must be an integer from ${MIN_BCRYPT_COST} to ${MAX_BCRYPT_COST}`);
  }
  return bcrypt.hash(password, await bcrypt.genSalt(cost));
}

/**
 * True when `password` hashes to `storedHash`. Never throws: a malformed stored hash, a non-string or an
 * over-long password is simply false. The final comparison is constant-time (node's timingSafeEqual),
 * so the time taken does not depend on how many leading characters matched. The cost of the bcrypt
 * work itself is what makes guessing slow; callers also rate-limit failures (login-rate-limiter.ts).
 */
export async function verifyPassword(password: string, storedHash: string): Promise<boolean> {
  if (typeof password !== 'string' || typeof storedHash !== 'string') return false;
  if (!BCRYPT_HASH_PATTERN.test(storedHash)) return false;
  // Do the bcrypt work even for an over-long password so the answer takes the same time as a wrong one.
  const tooLong = Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;
  // Passing the stored hash as the salt re-hashes with its salt and cost (bcrypt reads the first 29 chars).
  let computed: string;
  try {
    computed = await bcrypt.hash(password, storedHash.slice(0, 29));
  } catch {
    // The pattern above should make this unreachable; the contract is "false, never a throw".
    return false;
  }
  const a = Buffer.from(computed, 'utf8');
  const b = Buffer.from(storedHash, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b) && !tooLong;
}

/**
 * A fresh hash of 32 random bytes at `cost`: no password a client can send matches it. Verify against
 * it when the username is unknown, so a probe cannot tell "no such user" from "wrong password" by
 * response time. Make one at startup with the production cost and keep it.
 */
export async function makeDummyHash(cost: number = DEFAULT_BCRYPT_COST): Promise<string> {
  return bcrypt.hash(randomBytes(32).toString('base64'), await bcrypt.genSalt(cost));
}
