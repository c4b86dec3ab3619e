/**
 * Limits failed logins per username and per source address, so password guessing costs an attacker
 * time even against a weak password. Policy, per key (a username, or an address):
 * - the first `freeFailures` failures cost nothing;
 * - each further failure locks the key for `baseLockoutMs × 2^(n-1)` (n = failures past the free ones),
 *   capped at `maxLockoutMs`;
 * - a key with no failure for `forgetAfterMs` starts over; a successful login clears the username key
 *   (not the address key: one good account must not launder an address that is guessing others).
 * Memory is bounded: each table keeps at most `maxEntries` keys and evicts the least recently touched.
 * Time comes from the injected clock only. Not replicated: each member limits what it sees, which is
 * fine because the lockout is a cost, not a secret.
 *
 * Trade-off: a per-username lock lets anyone lock a known user out for up to `maxLockoutMs` by failing
 * on purpose. That is why the cap is minutes, not hours, and why the per-address limit (which only
 * hurts the guesser) has a lower threshold.
 */

/** Tunables; every field has a default in {@link DEFAULT_RATE_LIMITS}. */
export interface LoginRateLimiterOptions {
  /** Milliseconds since the epoch; inject a fake in tests. */
  now: () => number;
  /** Failures allowed per username before lockouts start. */
  freeFailuresPerUser: number;
  /** Failures allowed per source address before lockouts start (many users share NATs, so higher). */
  freeFailuresPerAddress: number;
  /** The first lockout. */
  baseLockoutMs: number;
  /** The longest lockout. */
  maxLockoutMs: number;
  /** Quiet time after which a key's failures are forgotten. */
  forgetAfterMs: number;
  /** Keys kept per table (usernames, addresses); least recently used go first. */
  maxEntries: number;
}

/** Defaults: 5 free failures per user, 20 per address, lockout from 1 s doubling to 5 min, forget after 15 min. */
export const DEFAULT_RATE_LIMITS: Omit<LoginRateLimiterOptions, 'now'> = Object.freeze({
  freeFailuresPerUser: 5,
  freeFailuresPerAddress: 20,
  baseLockoutMs: 1000,
  maxLockoutMs: 5 * 60_000,
  forgetAfterMs: 15 * 60_000,
  maxEntries: 10_000,
});

/** The answer of {@link LoginRateLimiter.check}. `message` is ready to send (the host answers 429). */
export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; message: string };

interface Entry {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

/** See the file comment. One instance per server process; not thread-shared state, no timers. */
export class LoginRateLimiter {
  private readonly options: LoginRateLimiterOptions;
  private readonly users = new Map<string, Entry>();
  private readonly addresses = new Map<string, Entry>();

  constructor(options: Partial<LoginRateLimiterOptions> & Pick<LoginRateLimiterOptions, 'now'>) {
    this.options = { ...DEFAULT_RATE_LIMITS, ...options };
  }

  /**
   * Whether a login attempt for `username` from `address` may be checked now. Call it BEFORE verifying
   * the password, and refuse while locked even if the password would be right: otherwise the lockout
   * would still answer "right or wrong" to every guess. The address lock is reported first.
   */
  check(username: string, address: string | undefined): RateLimitDecision {
    const now = this.options.now();
    if (address !== undefined) {
      const wait = this.lockRemaining(this.addresses, address, now);
      if (wait > 0) return refuse(`too many failed logins from ${address}; try again in ${seconds(wait)} s`, wait);
    }
    const wait = this.lockRemaining(this.users, username, now);
    if (wait > 0) return refuse(`too many failed logins for user ${username}; try again in ${seconds(wait)} s`, wait);
    return { allowed: true };
  }

  /**
   * Records a failed login (wrong password or unknown user) for both keys. `username` undefined (a
   * name that cannot exist) counts against the address only.
   */
  recordFailure(username: string | undefined, address: string | undefined): void {
    const now = this.options.now();
    if (username !== undefined) this.fail(this.users, username, now, this.options.freeFailuresPerUser);
    if (address !== undefined) this.fail(this.addresses, address, now, this.options.freeFailuresPerAddress);
  }

  /** Records a successful login: the username starts over; the address keeps its record. */
  recordSuccess(username: string): void {
    this.users.delete(username);
  }

  /** Keys currently tracked (for tests and metrics). */
  size(): { users: number; addresses: number } {
    return { users: this.users.size, addresses: this.addresses.size };
  }

  private lockRemaining(table: Map<string, Entry>, key: string, now: number): number {
    const entry = table.get(key);
    if (entry === undefined) return 0;
    if (now - entry.lastFailureAt >= this.options.forgetAfterMs) {
      table.delete(key);
      return 0;
    }
    return Math.max(0, entry.lockedUntil - now);
  }

  private fail(table: Map<string, Entry>, key: string, now: number, free: number): void {
    let entry = table.get(key);
    if (entry !== undefined && now - entry.lastFailureAt >= this.options.forgetAfterMs) entry = undefined;
    const failures = (entry?.failures ?? 0) + 1;
    const over = failures - free;
    // 2^(over-1) is capped before it can overflow: beyond 2^30 × base every sane cap is reached anyway.
    const lockout = over <= 0 ? 0 : Math.min(this.options.maxLockoutMs, this.options.baseLockoutMs * 2 ** Math.min(over - 1, 30));
    const next: Entry = { failures, lastFailureAt: now, lockedUntil: lockout === 0 ? 0 : now + lockout };
    // Delete then set moves the key to the end of the Map's insertion order: the LRU position.
    table.delete(key);
    table.set(key, next);
    while (table.size > this.options.maxEntries) {
      const oldest = table.keys().next().value as string;
      table.delete(oldest);
    }
  }
}

function refuse(message: string, waitMs: number): RateLimitDecision {
  return { allowed: false, retryAfterSeconds: seconds(waitMs), message };
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
