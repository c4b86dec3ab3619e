import { LoginRateLimiter } from './login-rate-limiter';

function setup(overrides: Partial<ConstructorParameters<typeof LoginRateLimiter>[0]> = {}) {
  let now = 1_000_000;
  const limiter = new LoginRateLimiter({ now: () => now, ...overrides });
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe('LoginRateLimiter', () => {
  it('allows the free failures, then locks the user for 1 s, 2 s, 4 s …', () => {
    const { limiter, advance } = setup();
    for (let i = 0; i < 5; i++) {
      expect(limiter.check('alice', '10.0.0.1')).toEqual({ allowed: true });
      limiter.recordFailure('alice', `10.0.0.${i}`);
    }
    expect(limiter.check('alice', '10.0.0.9')).toEqual({ allowed: true });
    limiter.recordFailure('alice', '10.0.0.9');
    expect(limiter.check('alice', '10.0.1.1')).toEqual({ allowed: false, retryAfterSeconds: 1, message: 'too many failed logins for user alice; try again in 1 s' });
    advance(1000);
    expect(limiter.check('alice', '10.0.1.1').allowed).toBe(true);
    limiter.recordFailure('alice', '10.0.1.1');
    expect(limiter.check('alice', '10.0.1.1')).toMatchObject({ allowed: false, retryAfterSeconds: 2 });
    advance(2000);
    limiter.recordFailure('alice', '10.0.1.1');
    expect(limiter.check('alice', '10.0.1.1')).toMatchObject({ allowed: false, retryAfterSeconds: 4 });
  });

  it('caps the lockout', () => {
    const { limiter, advance } = setup({ maxLockoutMs: 60_000 });
    for (let i = 0; i < 40; i++) {
      limiter.recordFailure('alice', undefined);
      advance(1);
    }
    const decision = limiter.check('alice', undefined);
    expect(decision).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
  });

  it('limits an address guessing many users', () => {
    const { limiter } = setup({ freeFailuresPerAddress: 3 });
    for (let i = 0; i < 4; i++) limiter.recordFailure(`user${i}`, '192.0.2.7');
    expect(limiter.check('someone-else', '192.0.2.7')).toMatchObject({ allowed: false, message: 'too many failed logins from 192.0.2.7; try again in 1 s' });
    expect(limiter.check('someone-else', '192.0.2.8').allowed).toBe(true);
  });

  it('a success clears the user but not the address', () => {
    const { limiter } = setup({ freeFailuresPerUser: 1, freeFailuresPerAddress: 1 });
    limiter.recordFailure('alice', '192.0.2.1');
    limiter.recordFailure('alice', '192.0.2.1');
    limiter.recordSuccess('alice');
    expect(limiter.check('alice', '192.0.2.2').allowed).toBe(true);
    expect(limiter.check('alice', '192.0.2.1').allowed).toBe(false);
  });

  it('forgets failures after a quiet period', () => {
    const { limiter, advance } = setup({ freeFailuresPerUser: 2, forgetAfterMs: 60_000 });
    limiter.recordFailure('alice', undefined);
    limiter.recordFailure('alice', undefined);
    advance(60_000);
    limiter.recordFailure('alice', undefined);
    expect(limiter.check('alice', undefined).allowed).toBe(true);
  });

  it('keeps memory bounded, evicting the least recently touched key', () => {
    const { limiter } = setup({ maxEntries: 100, freeFailuresPerUser: 0 });
    limiter.recordFailure('first', undefined);
    for (let i = 0; i < 1000; i++) limiter.recordFailure(`user${i}`, `198.51.100.${i % 256}`);
    expect(limiter.size().users).toBe(100);
    expect(limiter.size().addresses).toBeLessThanOrEqual(100);
    expect(limiter.check('first', undefined).allowed).toBe(true);
    expect(limiter.check('user999', undefined).allowed).toBe(false);
  });
});

describe('LoginRateLimiter with impossible usernames', () => {
  it('counts them against the address only', () => {
    const { limiter } = setup({ freeFailuresPerAddress: 2 });
    for (let i = 0; i < 3; i++) limiter.recordFailure(undefined, '192.0.2.50');
    expect(limiter.size()).toEqual({ users: 0, addresses: 1 });
    expect(limiter.check('alice', '192.0.2.50').allowed).toBe(false);
  });
});
