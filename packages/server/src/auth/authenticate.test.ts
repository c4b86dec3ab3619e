import { type AuthCommand, type AuthState, applyAuthCommand, emptyAuthState } from './auth-state';
import { type AuthRequest, Authenticator, type AuthenticatorOptions, bearerToken } from './authenticate';
import { signJwt, verifyJwt } from './jwt';
import { LoginRateLimiter } from './login-rate-limiter';
import * as passwordHash from './password-hash';
import { namingResource } from './permissions';

const KEY = Buffer.from('an-HS256-test-key-of-more-than-32-bytes!', 'utf8');
const COST = 4;

interface Harness {
  auth: Authenticator;
  apply(command: AuthCommand): void;
  advance(ms: number): void;
  nowSeconds(): number;
}

let aliceHash: string;
let adminHash: string;
let dummyHash: string;

beforeAll(async () => {
  [aliceHash, adminHash, dummyHash] = await Promise.all([
    passwordHash.hashPassword('alice-pw', COST),
    passwordHash.hashPassword('admin-pw', COST),
    passwordHash.makeDummyHash(COST),
  ]);
});

afterEach(() => jest.restoreAllMocks());

function harness(options: Partial<AuthenticatorOptions> = {}): Harness {
  let now = 1_700_000_000_000;
  let state: AuthState = emptyAuthState();
  const apply = (command: AuthCommand) => {
    const result = applyAuthCommand(state, command);
    if (!result.ok) throw new Error(result.message);
    state = result.state;
  };
  apply({ type: 'initAdmin', passwordHash: adminHash });
  apply({ type: 'createUser', username: 'alice', passwordHash: aliceHash });
  apply({ type: 'addRole', role: 'dev', username: 'alice' });
  apply({ type: 'addPermission', role: 'dev', resource: 'dev:*:*', action: 'r' });
  const clock = () => now;
  const auth = new Authenticator({
    tokenKey: KEY,
    now: clock,
    state: () => state,
    limiter: new LoginRateLimiter({ now: clock }),
    dummyHash,
    ...options,
  });
  return { auth, apply, advance: (ms) => (now += ms), nowSeconds: () => Math.floor(now / 1000) };
}

/** A request from plain maps; header names are matched lower-case, as node gives them. */
function request(params: Record<string, string> = {}, headers: Record<string, string> = {}, remoteAddress = '203.0.113.5'): AuthRequest {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    param: (name) => (Object.hasOwn(params, name) ? params[name] : undefined),
    header: (name) => lower.get(name),
    remoteAddress,
  };
}

function tokenFor(h: Harness, sub: string, ttl = 100): string {
  return signJwt({ sub, iat: h.nowSeconds(), exp: h.nowSeconds() + ttl }, KEY);
}

describe('token sources, in Nacos order', () => {
  it('accepts Authorization: Bearer', async () => {
    const h = harness();
    await expect(h.auth.authenticate(request({}, { Authorization: `Bearer ${tokenFor(h, 'alice')}` }))).resolves.toEqual({
      ok: true,
      user: { username: 'alice', globalAdmin: false, via: 'bearer' },
    });
  });

  it('accepts the accessToken parameter and the accessToken header', async () => {
    const h = harness();
    const token = tokenFor(h, 'nacos');
    await expect(h.auth.authenticate(request({ accessToken: token }))).resolves.toMatchObject({ ok: true, user: { username: 'nacos', globalAdmin: true, via: 'accessToken' } });
    await expect(h.auth.authenticate(request({}, { accessToken: token }))).resolves.toMatchObject({ ok: true, user: { username: 'nacos' } });
  });

  it('lets the first credential decide: a bad Bearer is not rescued by a good accessToken or password', async () => {
    const h = harness();
    const good = tokenFor(h, 'alice');
    const req = request({ accessToken: good, username: 'alice', password: 'alice-pw' }, { Authorization: 'Bearer not.a.token' });
    await expect(h.auth.authenticate(req)).resolves.toEqual({ ok: false, status: 403, error: 'token invalid!' });
  });

  it('ignores a non-Bearer Authorization header and moves on', async () => {
    const h = harness();
    const req = request({ accessToken: tokenFor(h, 'alice') }, { Authorization: 'Basic YWxpY2U6YWxpY2UtcHc=' });
    await expect(h.auth.authenticate(req)).resolves.toMatchObject({ ok: true, user: { username: 'alice' } });
  });

  it('answers token expired! after the TTL and token invalid! for a forged one', async () => {
    const h = harness();
    const token = tokenFor(h, 'alice', 10);
    h.advance(10_000);
    await expect(h.auth.authenticate(request({ accessToken: token }))).resolves.toEqual({ ok: false, status: 403, error: 'token expired!' });
    const forged = signJwt({ sub: 'nacos', exp: h.nowSeconds() + 100 }, Buffer.from('SecretKey012345678901234567890123456789012345678901234567890123456789'));
    await expect(h.auth.authenticate(request({ accessToken: forged }))).resolves.toEqual({ ok: false, status: 403, error: 'token invalid!' });
  });

  it('stops accepting the token of a deleted user', async () => {
    const h = harness();
    const token = tokenFor(h, 'alice');
    h.apply({ type: 'deleteUser', username: 'alice' });
    await expect(h.auth.authenticate(request({ accessToken: token }))).resolves.toEqual({ ok: false, status: 403, error: 'token invalid!' });
  });

  it('answers user not found! without any credential', async () => {
    const h = harness();
    await expect(h.auth.authenticate(request())).resolves.toEqual({ ok: false, status: 403, error: 'user not found!' });
    await expect(h.auth.authenticate(request({ username: 'alice' }))).resolves.toMatchObject({ error: 'user not found!' });
    await expect(h.auth.authenticate(request({ accessToken: '  ' }))).resolves.toMatchObject({ error: 'user not found!' });
  });
});

describe('bypass attempts that must do nothing', () => {
  const tricks: Array<[string, Record<string, string>, string]> = [
    ['CVE-2021-29441 User-Agent: Nacos-Server', { 'User-Agent': 'Nacos-Server' }, '203.0.113.5'],
    ['User-Agent: Nacos-Server:v1.4.1', { 'User-Agent': 'Nacos-Server:v1.4.1' }, '203.0.113.5'],
    ['serverIdentity: security (2.1.0-2.2.0 default pair)', { serverIdentity: 'security' }, '203.0.113.5'],
    ['serverIdentity and Nacos-Server together', { serverIdentity: 'security', 'User-Agent': 'Nacos-Server' }, '203.0.113.5'],
    ['other published identity pairs', { test: 'test', authKey: 'nacosSecurty', example: 'example' }, '203.0.113.5'],
    ['X-Forwarded-For: 127.0.0.1', { 'X-Forwarded-For': '127.0.0.1', 'X-Real-IP': '127.0.0.1' }, '203.0.113.5'],
    ['from loopback', {}, '127.0.0.1'],
    ['Authorization: Bearer with alg none', { Authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"nacos","exp":9999999999}').toString('base64url')}.` }, '203.0.113.5'],
  ];
  it.each(tricks)('%s', async (_name, headers, address) => {
    const h = harness();
    const result = await h.auth.authenticate(request({}, headers, address));
    expect(result).toEqual({ ok: false, status: 403, error: headers.Authorization ? 'token invalid!' : 'user not found!' });
  });

  it('does not let a published default-secret token in (the scanner tokens)', async () => {
    const h = harness();
    const published =
      'eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJuYWNvcyIsImV4cCI6OTk5OTk5OTk5OX0._GhyhPBLXfGVgWIAGnNT7z9mPL6-SPDAKorJ8eA1E3ZjnCPVkJYHq7OWGCm9knnDloJ7_mKDmSlHtUgNXKkkKw';
    await expect(h.auth.authenticate(request({ accessToken: published }, { 'User-Agent': 'Nacos-Server' }))).resolves.toEqual({ ok: false, status: 403, error: 'token invalid!' });
  });
});

describe('username and password parameters (nacos-naming)', () => {
  it('accepts the right password and refuses a wrong one or an unknown user with the same text', async () => {
    const h = harness();
    await expect(h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }))).resolves.toEqual({
      ok: true,
      user: { username: 'alice', globalAdmin: false, via: 'password' },
    });
    await expect(h.auth.authenticate(request({ username: 'alice', password: 'nope' }))).resolves.toEqual({ ok: false, status: 403, error: 'unknown user!' });
    await expect(h.auth.authenticate(request({ username: 'mallory', password: 'alice-pw' }))).resolves.toEqual({ ok: false, status: 403, error: 'unknown user!' });
    await expect(h.auth.authenticate(request({ username: 'bad name!', password: 'x' }))).resolves.toEqual({ ok: false, status: 403, error: 'unknown user!' });
  });

  it('verifies an unknown user against the dummy hash (same work as a wrong password)', async () => {
    const h = harness();
    const spy = jest.spyOn(passwordHash, 'verifyPassword');
    await h.auth.authenticate(request({ username: 'mallory', password: 'x' }));
    expect(spy).toHaveBeenCalledWith('x', dummyHash);
  });

  it('caches a verified password so beats do not run bcrypt each time', async () => {
    const h = harness();
    const spy = jest.spyOn(passwordHash, 'verifyPassword');
    for (let i = 0; i < 5; i++) {
      await expect(h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }))).resolves.toMatchObject({ ok: true });
    }
    expect(spy).toHaveBeenCalledTimes(1);
    // A wrong password is never answered from the cache, and does not evict the good entry.
    await expect(h.auth.authenticate(request({ username: 'alice', password: 'alice-pw2' }))).resolves.toMatchObject({ ok: false });
    expect(spy).toHaveBeenCalledTimes(2);
    await expect(h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }))).resolves.toMatchObject({ ok: true });
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('shares one bcrypt among concurrent identical requests (a burst of beats at startup)', async () => {
    const h = harness();
    const spy = jest.spyOn(passwordHash, 'verifyPassword');
    const results = await Promise.all(Array.from({ length: 5 }, () => h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    const wrong = await Promise.all(Array.from({ length: 3 }, () => h.auth.authenticate(request({ username: 'alice', password: 'bad' }))));
    expect(wrong.every((r) => !r.ok)).toBe(true);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('expires cache entries after the TTL', async () => {
    const h = harness({ credentialCacheTtlMs: 1000 });
    const spy = jest.spyOn(passwordHash, 'verifyPassword');
    await h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }));
    h.advance(1000);
    await h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }));
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('a password change takes effect at once despite the cache', async () => {
    const h = harness();
    await expect(h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }))).resolves.toMatchObject({ ok: true });
    h.apply({ type: 'updatePassword', username: 'alice', passwordHash: await passwordHash.hashPassword('new-pw', COST) });
    await expect(h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }))).resolves.toMatchObject({ ok: false, error: 'unknown user!' });
    await expect(h.auth.authenticate(request({ username: 'alice', password: 'new-pw' }))).resolves.toMatchObject({ ok: true });
  });

  it('a deleted user is refused at once despite the cache', async () => {
    const h = harness();
    await h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }));
    h.apply({ type: 'deleteUser', username: 'alice' });
    await expect(h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }))).resolves.toMatchObject({ ok: false, error: 'unknown user!' });
  });

  it('locks a user out after repeated failures, even for the right password, and says for how long', async () => {
    const h = harness();
    for (let i = 0; i < 6; i++) await h.auth.authenticate(request({ username: 'alice', password: `guess${i}` }, {}, `198.51.100.${i}`));
    const result = await h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }, {}, '198.51.100.99'));
    expect(result).toEqual({ ok: false, status: 429, error: 'too many failed logins for user alice; try again in 1 s', retryAfterSeconds: 1 });
    h.advance(1000);
    await expect(h.auth.authenticate(request({ username: 'alice', password: 'alice-pw' }))).resolves.toMatchObject({ ok: true });
  });
});

describe('login', () => {
  it("issues a Nacos login body whose token authenticates", async () => {
    const h = harness();
    const result = await h.auth.login('nacos', 'admin-pw', '203.0.113.1');
    if (!result.ok) throw new Error(result.error);
    expect(result.body).toMatchObject({ tokenTtl: 18000, globalAdmin: true });
    expect(verifyJwt(result.body.accessToken, KEY, h.nowSeconds())).toMatchObject({ ok: true, claims: { sub: 'nacos' } });
    await expect(h.auth.authenticate(request({}, { Authorization: `Bearer ${result.body.accessToken}` }))).resolves.toMatchObject({ ok: true, user: { username: 'nacos', globalAdmin: true } });
  });

  it('always runs bcrypt on login (no cache) and refuses bad credentials with unknown user!', async () => {
    const h = harness();
    const spy = jest.spyOn(passwordHash, 'verifyPassword');
    await h.auth.login('alice', 'alice-pw');
    await h.auth.login('alice', 'alice-pw');
    expect(spy).toHaveBeenCalledTimes(2);
    await expect(h.auth.login('alice', 'wrong')).resolves.toEqual({ ok: false, status: 403, error: 'unknown user!' });
    await expect(h.auth.login(undefined, undefined)).resolves.toEqual({ ok: false, status: 403, error: 'unknown user!' });
  });

  it('honours a configured TTL', async () => {
    const h = harness({ tokenTtlSeconds: 60 });
    const result = await h.auth.login('alice', 'alice-pw');
    expect(result.ok && result.body.tokenTtl).toBe(60);
  });
});

describe('authorize', () => {
  it('applies the permission model to the current state', () => {
    const h = harness();
    const alice = { username: 'alice', globalAdmin: false, via: 'bearer' as const };
    const admin = { username: 'nacos', globalAdmin: true, via: 'bearer' as const };
    expect(h.auth.authorize(alice, namingResource('dev', 'G', 'svc'), 'r')).toBe(true);
    expect(h.auth.authorize(alice, namingResource('dev', 'G', 'svc'), 'w')).toBe(false);
    expect(h.auth.authorize(alice, namingResource('prod', 'G', 'svc'), 'r')).toBe(false);
    expect(h.auth.authorize(alice, 'console/users', 'r')).toBe(false);
    expect(h.auth.authorize(admin, 'console/users', 'w')).toBe(true);
    h.apply({ type: 'addPermission', role: 'dev', resource: 'dev:*:*', action: 'w' });
    expect(h.auth.authorize(alice, namingResource('dev', 'G', 'svc'), 'w')).toBe(true);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['  Bearer   abc  ', 'abc'],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    ['Basic abc', undefined],
    [undefined, undefined],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('hostile credentials (seeded)', () => {
  it('never throws and never authenticates on random junk in every credential slot', async () => {
    const h = harness({ limiter: new LoginRateLimiter({ now: () => 0, freeFailuresPerUser: 1e9, freeFailuresPerAddress: 1e9 }) });
    let seed = 99;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['', ' ', 'Bearer ', 'nacos', 'alice', '.', '..', 'eyJhbGciOiJub25lIn0', '%00', '\u0000', '__proto__', 'constructor', 'é', 'a'.repeat(5000)];
    const junk = () => Array.from({ length: rand(4) }, () => pieces[rand(pieces.length)]).join('');
    for (let i = 0; i < 300; i++) {
      const params: Record<string, string> = {};
      const headers: Record<string, string> = {};
      for (const name of ['accessToken', 'username', 'password']) if (rand(2)) params[name] = junk();
      for (const name of ['Authorization', 'accessToken', 'User-Agent', 'serverIdentity']) if (rand(2)) headers[name] = junk();
      const result = await h.auth.authenticate(request(params, headers));
      if (result.ok) throw new Error(`seed 99, case ${i}: authenticated ${JSON.stringify({ params, headers })}`);
    }
  });
});
