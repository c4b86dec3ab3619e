// Issue 7's security suite against real server processes with --auth: refused starts, login and
// tokens, the Nacos bypasses (CVE-2021-29441 User-Agent, serverIdentity, forged default-secret and
// alg:none tokens), permissions per namespace/group/service, the no-admin gate, rate limiting, size and
// shape limits, leaks in error bodies, console headers, and the peer port's HMAC. Every attack is
// recorded in a table printed after the tests.
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { freePort, removeDir, serverBinPath, startTacos, type TacosProcess, tempDir, waitFor } from '@tacos/testkit';
import {
  ADMIN_PASSWORD,
  AttackTable,
  brief,
  LEAK_PATTERN,
  login,
  mintToken,
  type RawAnswer,
  raw,
  refusedStart,
  TEST_SECRET,
} from './security-support';
import { recordingLogger } from './support';

// nacos-naming is plain JS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NacosNamingClient } = require('nacos-naming') as {
  NacosNamingClient: new (options: Record<string, unknown>) => {
    ready(): Promise<void>;
    close(): Promise<void>;
    registerInstance(service: string, instance: Record<string, unknown>, group?: string): Promise<void>;
    getAllInstances(service: string, group?: string, clusters?: string, subscribe?: boolean): Promise<Array<{ ip: string; port: number }>>;
  };
};
for (const key of Object.keys(process.env)) if (key.startsWith('ALIBABA_CLOUD_')) delete process.env[key];

const NS = '/nacos/v1/ns';
const AUTH = '/nacos/v1/auth';
const table = new AttackTable();
/** Every error body seen, checked for leaks at the end. */
const errorBodies: Array<{ what: string; body: string }> = [];

function seen(what: string, res: RawAnswer): RawAnswer {
  if (res.status >= 400) errorBodies.push({ what, body: res.text });
  return res;
}

let server: TacosProcess;
let base: string;
let adminToken: string;

beforeAll(async () => {
  server = await startTacos({
    args: ['--auth', '--token-secret', TEST_SECRET],
    env: { TACOS_ADMIN_PASSWORD: ADMIN_PASSWORD, TACOS_BCRYPT_COST: '4' },
  });
  base = server.url;
  adminToken = await login(base, 'nacos', ADMIN_PASSWORD);
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
  process.stdout.write(`\n${table.markdown('Security suite: attack / expected / observed')}\n\n`);
});

const register = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  raw(base, 'POST', `${NS}/instance`, { params: { ip: '127.0.0.1', port: '80', ...params }, headers });

describe('start-up refuses weak token secrets', () => {
  const cases: Array<[string, string[]]> = [
    ['auth on, secret missing', ['--auth']],
    ['auth on, secret shorter than 32 bytes', ['--auth', '--token-secret', 'short-secret-1234']],
    ['auth on, Nacos default secret (SecretKey0123…)', ['--auth', '--token-secret', 'SecretKey012345678901234567890123456789012345678901234567890123456789']],
    ['auth on, Nacos 2.2.0.1 doc example secret (Base64)', ['--auth', '--token-secret', 'VGhpc0lzTXlDdXN0b21TZWNyZXRLZXkwMTIzNDU2Nzg=']],
  ];
  it.each(cases)('%s: exits 1 with one readable line', async (attack, args) => {
    const { code, output } = await refusedStart(args);
    const line = output.trim().split('\n').find((l) => l.startsWith('tacos-server:')) ?? output.trim();
    table.record(`start: ${attack}`, 'exit 1, one-line reason', `exit ${code}, "${line.slice(0, 70)}…"`);
    expect(code).toBe(1);
    expect(line).toMatch(/^tacos-server: .*secret/i);
    expect(output).not.toMatch(LEAK_PATTERN);
  });
});

describe('login and tokens', () => {
  it('logs in with Nacos shapes and the Authorization header', async () => {
    const res = await raw(base, 'POST', `${AUTH}/users/login`, { form: { username: 'nacos', password: ADMIN_PASSWORD } });
    const body = JSON.parse(res.text) as { accessToken: string; tokenTtl: number; globalAdmin: boolean };
    table.record('login with the right password', '200 {accessToken,tokenTtl,globalAdmin} + Bearer', `${res.status} tokenTtl=${body.tokenTtl} globalAdmin=${body.globalAdmin} bearer=${String(res.headers.authorization).startsWith('Bearer ')}`);
    expect(res.status).toBe(200);
    expect(body.tokenTtl).toBe(18000);
    expect(body.globalAdmin).toBe(true);
    expect(res.headers.authorization).toBe(`Bearer ${body.accessToken}`);
    const legacy = await raw(base, 'POST', `${AUTH}/login`, { form: { username: 'nacos', password: ADMIN_PASSWORD } });
    expect(legacy.status).toBe(200);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const wrong = seen('bad login', await raw(base, 'POST', `${AUTH}/users/login`, { form: { username: 'nacos', password: 'not-the-password' } }));
    const unknown = seen('unknown login', await raw(base, 'POST', `${AUTH}/users/login`, { form: { username: 'nobody', password: 'whatever-1' } }));
    table.record('login with a wrong password / unknown user', '403 unknown user! (same for both)', `${brief(wrong)} / ${brief(unknown)}`);
    expect(wrong.status).toBe(403);
    expect(wrong.text).toBe('unknown user!');
    expect(unknown.text).toBe(wrong.text);
  });

  it('accepts the token as a Bearer header and as accessToken', async () => {
    const bearer = await register({ serviceName: 'tok-bearer' }, { authorization: `Bearer ${adminToken}` });
    const param = await register({ serviceName: 'tok-param', accessToken: adminToken });
    table.record('write with Bearer token / accessToken param', '200 ok / 200 ok', `${brief(bearer)} / ${brief(param)}`);
    expect(bearer.status).toBe(200);
    expect(param.status).toBe(200);
  });

  it('refuses a request without credentials, also on the beat and list hot paths', async () => {
    const write = seen('no creds', await register({ serviceName: 'anon' }));
    const beat = seen('beat', await raw(base, 'PUT', `${NS}/instance/beat`, { params: { serviceName: 'tok-param', ip: '127.0.0.1', port: '80' } }));
    const list = seen('list', await raw(base, 'GET', `${NS}/instance/list`, { params: { serviceName: 'tok-param' } }));
    table.record('register / beat / list without credentials', '403 user not found!', `${brief(write)} / ${brief(beat)} / ${brief(list)}`);
    for (const res of [write, beat, list]) expect(res.status).toBe(403);
  });

  it('refuses expired, alg:none, default-secret, HS512 and tampered tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const tokens: Array<[string, string]> = [
      ['expired token (right secret)', mintToken({ sub: 'nacos', iat: now - 7200, exp: now - 3600 }, TEST_SECRET)],
      ['alg:none token for nacos', mintToken({ sub: 'nacos', exp: now + 3600 }, '', 'none')],
      ['token signed with Nacos default secret', mintToken({ sub: 'nacos', exp: now + 3600 }, 'SecretKey012345678901234567890123456789012345678901234567890123456789')],
      ['HS512-labelled token', mintToken({ sub: 'nacos', exp: now + 3600 }, TEST_SECRET, 'HS512')],
      ['tampered payload (sub changed)', `${adminToken.split('.')[0]}.${Buffer.from(JSON.stringify({ sub: 'other', exp: now + 3600 })).toString('base64url')}.${adminToken.split('.')[2]}`],
    ];
    for (const [attack, token] of tokens) {
      const res = seen(attack, await register({ serviceName: 'forged', accessToken: token }));
      const expected = attack.startsWith('expired') ? 'token expired!' : 'token invalid!';
      table.record(attack, `403 ${expected}`, brief(res));
      expect(res.status).toBe(403);
      expect(res.text).toBe(expected);
    }
    const list = await raw(base, 'GET', `${NS}/catalog/services`, { params: { accessToken: adminToken, pageNo: '1', pageSize: '100' } });
    expect(list.text).not.toContain('forged');
  });

  it('a short token TTL expires on a real server', async () => {
    const short = await startTacos({
      args: ['--auth', '--token-secret', TEST_SECRET],
      env: { TACOS_ADMIN_PASSWORD: ADMIN_PASSWORD, TACOS_BCRYPT_COST: '4', TACOS_TOKEN_TTL_SECONDS: '1' },
    });
    try {
      const token = await login(short.url, 'nacos', ADMIN_PASSWORD);
      const before = await raw(short.url, 'GET', `${NS}/instance/list`, { params: { serviceName: 'x', accessToken: token } });
      await new Promise((r) => setTimeout(r, 2200));
      const after = await raw(short.url, 'GET', `${NS}/instance/list`, { params: { serviceName: 'x', accessToken: token } });
      table.record('token used after its TTL (1 s)', '200 then 403 token expired!', `${before.status} then ${brief(after)}`);
      expect(before.status).toBe(200);
      expect(after.status).toBe(403);
      expect(after.text).toBe('token expired!');
    } finally {
      await short.stop();
      removeDir(short.dataDir);
    }
  });
});

describe('Nacos bypass tricks do nothing', () => {
  it.each([
    ['User-Agent: Nacos-Server (CVE-2021-29441)', { 'user-agent': 'Nacos-Server' }],
    ['serverIdentity: security header', { serverIdentity: 'security' }],
    ['User-Agent Nacos-Server + serverIdentity', { 'user-agent': 'Nacos-Server 1.4.1', serverIdentity: 'security' }],
    ['X-Forwarded-For: 127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }],
    ['forged peer header without signature', { 'x-tacos-peer': '127.0.0.1:1' }],
  ])('%s', async (attack, headers) => {
    const write = seen(attack, await register({ serviceName: 'bypass' }, headers as Record<string, string>));
    const user = seen(attack, await raw(base, 'POST', `${AUTH}/users`, { form: { username: 'intruder', password: 'intruder-pw1' }, headers: headers as Record<string, string> }));
    table.record(`${attack}: register + create user`, '403 / 403', `${brief(write)} / ${brief(user)}`);
    expect(write.status).toBe(403);
    expect(user.status).toBe(403);
  });

  it('leaves no trace of the tricks', async () => {
    const users = await raw(base, 'GET', `${AUTH}/users`, { params: { accessToken: adminToken, pageNo: '1', pageSize: '100' } });
    expect(users.text).not.toContain('intruder');
    const list = await raw(base, 'GET', `${NS}/instance/list`, { params: { serviceName: 'bypass', accessToken: adminToken } });
    expect(JSON.parse(list.text).hosts).toEqual([]);
  });
});

describe('users, roles and permissions', () => {
  let alice: string;
  const as = (token: string) => ({ accessToken: token });
  beforeAll(async () => {
    const admin = as(adminToken);
    for (const [path, form] of [
      [`${AUTH}/users`, { username: 'alice', password: 'alice-pass-1' }],
      [`${AUTH}/users`, { username: 'bob', password: 'bob-pass-12' }],
      [`${AUTH}/roles`, { role: 'dev', username: 'alice' }],
      [`${AUTH}/permissions`, { role: 'dev', resource: 'public:GROUP_A:naming/*', action: 'rw' }],
      [`${AUTH}/permissions`, { role: 'dev', resource: 'public:GROUP_B:naming/ro', action: 'r' }],
    ] as const) {
      const res = await raw(base, 'POST', path, { params: admin, form });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
    }
    alice = await login(base, 'alice', 'alice-pass-1');
  });

  it('lists users, roles and permissions in Nacos shapes without hashes', async () => {
    const users = await raw(base, 'GET', `${AUTH}/users`, { params: { accessToken: adminToken, pageNo: '1', pageSize: '10' } });
    const page = JSON.parse(users.text) as { totalCount: number; pageItems: Array<Record<string, unknown>> };
    expect(page.pageItems.map((u) => u.username)).toEqual(expect.arrayContaining(['alice', 'bob', 'nacos']));
    expect(users.text).not.toMatch(/\$2[aby]\$/);
    const search = await raw(base, 'GET', `${AUTH}/users/search`, { params: { accessToken: adminToken, username: 'ali' } });
    expect(JSON.parse(search.text)).toEqual(['alice']);
    const roles = await raw(base, 'GET', `${AUTH}/roles`, { params: { accessToken: adminToken, pageNo: '1', pageSize: '10', username: 'alice' } });
    expect(JSON.parse(roles.text).pageItems).toEqual([{ role: 'dev', username: 'alice' }]);
    const perms = await raw(base, 'GET', `${AUTH}/permissions`, { params: { accessToken: adminToken, pageNo: '1', pageSize: '10', role: 'dev' } });
    expect(JSON.parse(perms.text).totalCount).toBe(2);
  });

  it('enforces r/w per namespace, group and service', async () => {
    const cases: Array<[string, () => Promise<RawAnswer>, number]> = [
      ['alice writes GROUP_A (rw)', () => register({ serviceName: 'svc', groupName: 'GROUP_A', accessToken: alice }), 200],
      ['alice reads GROUP_A', () => raw(base, 'GET', `${NS}/instance/list`, { params: { serviceName: 'GROUP_A@@svc', accessToken: alice } }), 200],
      ['alice reads GROUP_B/ro (r)', () => raw(base, 'GET', `${NS}/instance/list`, { params: { serviceName: 'ro', groupName: 'GROUP_B', accessToken: alice } }), 200],
      ['alice writes GROUP_B/ro (r only)', () => register({ serviceName: 'ro', groupName: 'GROUP_B', accessToken: alice }), 403],
      ['alice reads GROUP_C (nothing)', () => raw(base, 'GET', `${NS}/instance/list`, { params: { serviceName: 'x', groupName: 'GROUP_C', accessToken: alice } }), 403],
      ['alice writes GROUP_A in namespace ns2', () => register({ serviceName: 'svc', groupName: 'GROUP_A', namespaceId: 'ns2', accessToken: alice }), 403],
      ['alice: serviceName=GROUP_C@@x&groupName=GROUP_A', () => register({ serviceName: 'GROUP_C@@x', groupName: 'GROUP_A', accessToken: alice }), 403],
      ['alice creates a user (console/users)', () => raw(base, 'POST', `${AUTH}/users`, { params: { accessToken: alice }, form: { username: 'mallory', password: 'mallory-pw1' } }), 403],
      ['alice grants herself ROLE_ADMIN', () => raw(base, 'POST', `${AUTH}/roles`, { params: { accessToken: alice }, form: { role: 'ROLE_ADMIN', username: 'alice' } }), 403],
      ['alice changes bob\'s password', () => raw(base, 'PUT', `${AUTH}/users`, { params: { accessToken: alice }, form: { username: 'bob', newPassword: 'owned-bob-1' } }), 403],
      ['alice changes her own password', () => raw(base, 'PUT', `${AUTH}/users`, { params: { accessToken: alice }, form: { username: 'alice', newPassword: 'alice-pass-2' } }), 200],
      ['alice sets switches (operator)', () => raw(base, 'PUT', `${NS}/operator/switches`, { params: { accessToken: alice, entry: 'distroEnabled', value: 'false' } }), 403],
      ['admin grants ROLE_ADMIN to bob', () => raw(base, 'POST', `${AUTH}/roles`, { params: { accessToken: adminToken }, form: { role: 'ROLE_ADMIN', username: 'bob' } }), 400],
    ];
    for (const [attack, send, expected] of cases) {
      const res = seen(attack, await send());
      table.record(attack, String(expected), brief(res));
      expect([attack, res.status]).toEqual([attack, expected]);
    }
  });

  it('a deleted user\'s token stops working at once', async () => {
    const bob = await login(base, 'bob', 'bob-pass-12');
    const before = await raw(base, 'GET', `${NS}/operator/servers`, { params: { accessToken: bob } });
    await raw(base, 'DELETE', `${AUTH}/users`, { params: { accessToken: adminToken, username: 'bob' } });
    const after = seen('deleted user', await raw(base, 'GET', `${NS}/operator/servers`, { params: { accessToken: bob } }));
    table.record('token of a user deleted since', '403 token invalid!', `${before.status} before, ${brief(after)} after`);
    expect(before.status).toBe(200);
    expect(after.status).toBe(403);
  });
});

describe('nacos-naming with username and password', () => {
  it('works with the right password and fails with a wrong one', async () => {
    const good = new NacosNamingClient({ logger: recordingLogger(), serverList: `127.0.0.1:${server.port}`, username: 'nacos', password: ADMIN_PASSWORD });
    const bad = new NacosNamingClient({ logger: recordingLogger(), serverList: `127.0.0.1:${server.port}`, username: 'nacos', password: 'wrong-password' });
    try {
      await good.ready();
      await good.registerInstance('sdk-auth', { ip: '127.1.1.1', port: 8080 });
      const hosts = await good.getAllInstances('sdk-auth', 'DEFAULT_GROUP', '', false);
      let badError = '';
      await bad.ready();
      await bad.registerInstance('sdk-auth-bad', { ip: '127.1.1.2', port: 8080 }).catch((err: Error) => {
        badError = err.message;
      });
      table.record('nacos-naming username+password (right / wrong)', 'register ok / rejected (403)', `${hosts.length} host(s) / ${badError ? `rejected: ${badError.slice(0, 50)}` : 'accepted'}`);
      expect(hosts.map((h) => h.ip)).toEqual(['127.1.1.1']);
      expect(badError).not.toBe('');
    } finally {
      await good.close();
      await bad.close();
    }
  });
});

describe('hostile input', () => {
  const token = () => ({ accessToken: adminToken });
  it('refuses an oversized body (413) and oversized headers (431)', async () => {
    // The server answers 413 without reading the body, so the upload may break off (EPIPE) before
    // the answer is read: try a few times.
    let body: RawAnswer | undefined;
    for (let i = 0; i < 5 && !body; i++) {
      body = await raw(base, 'POST', `${NS}/instance`, { params: token(), rawBody: `serviceName=big&ip=1.1.1.1&port=1&metadata=${'a'.repeat(1_100_000)}` }).catch(() => undefined);
    }
    if (!body) throw new Error('no answer to the oversized body');
    seen('413', body);
    const header = await raw(base, 'GET', `${NS}/instance/list`, { params: { ...token(), serviceName: 'x' }, headers: { 'x-big': 'a'.repeat(20_000) } });
    table.record('1.1 MB body / 20 KB header', '413 / 431', `${body.status} / ${header.status}`);
    expect(body.status).toBe(413);
    expect(header.status).toBe(431);
    expect(header.text).toMatch(/^request headers too large: more than 16384 bytes/);
  });

  it('refuses deep JSON, long parameters and prototype keys', async () => {
    const deep = `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`;
    const cases: Array<[string, Record<string, string>]> = [
      ['metadata JSON nested 200 deep', { serviceName: 'deep', metadata: deep }],
      ['serviceName of 600 characters', { serviceName: 's'.repeat(600) }],
      ['metadata {"__proto__":{"admin":true}}', { serviceName: 'proto', metadata: '{"__proto__":{"admin":true}}' }],
      ['metadata {"constructor":{"prototype":{}}}', { serviceName: 'proto2', metadata: '{"constructor":{"prototype":{"x":1}}}' }],
    ];
    for (const [attack, params] of cases) {
      const res = seen(attack, await register({ ...params, ...token() }));
      table.record(attack, '400', brief(res));
      expect(res.status).toBe(400);
    }
    const protoParam = seen('__proto__ param', await raw(base, 'POST', `${NS}/instance`, { rawQuery: `serviceName=pp&ip=1.1.1.1&port=1&__proto__=x&accessToken=${adminToken}` }));
    table.record('parameter named __proto__', '400', brief(protoParam));
    expect(protoParam.status).toBe(400);
    const catalog = await raw(base, 'GET', `${NS}/catalog/services`, { params: { ...token(), pageNo: '1', pageSize: '100' } });
    expect(catalog.text).not.toMatch(/deep|proto|s{600}/);
  });

  it('never answers with a stack trace or an internal path', async () => {
    const odd = [
      seen('bad percent', await raw(base, 'POST', `${NS}/instance`, { params: token(), rawBody: 'serviceName=%E0%A4%A&ip=%zz' })),
      seen('bad port', await register({ serviceName: 'p', port: '99999999999999999999', ...token() })),
      seen('bad json beat', await raw(base, 'PUT', `${NS}/instance/beat`, { params: { ...token(), serviceName: 'b', beat: '{"ip":' } })),
      seen('unknown route', await raw(base, 'GET', `${NS}/../../etc/passwd`, { params: token() })),
    ];
    // 501 is Nacos' answer for an unknown /v1/ns API (no such api), not a fault.
    for (const res of odd) expect(res.status === 501 || res.status < 500).toBe(true);
    expect(odd[3]?.text).toMatch(/^no such api/);
    const leaks = errorBodies.filter((e) => LEAK_PATTERN.test(e.body));
    table.record(`${errorBodies.length} error bodies of this suite`, 'no stack frames, no paths', leaks.length === 0 ? 'none leaked' : `${leaks.length} leaked`);
    expect(leaks).toEqual([]);
  });

  it('sends security headers, with a CSP on the console', async () => {
    const page = await raw(base, 'GET', '/nacos/');
    const api = await raw(base, 'GET', '/nacos/v1/console/server/state');
    const csp = String(page.headers['content-security-policy'] ?? '');
    table.record('console page headers', "CSP default-src 'self', frame-ancestors 'none', nosniff", `${csp.slice(0, 40)}…; nosniff=${page.headers['x-content-type-options'] === 'nosniff'}`);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(api.text).auth_enabled).toBe(true);
  });
});

describe('no admin yet', () => {
  let bare: TacosProcess;
  beforeAll(async () => {
    bare = await startTacos({ args: ['--auth', '--token-secret', TEST_SECRET], env: { TACOS_BCRYPT_COST: '4' } });
  });
  afterAll(async () => {
    await bare?.stop();
    if (bare) removeDir(bare.dataDir);
  });

  it('refuses writes with 503 and the explanation until an admin is initialised', async () => {
    const write = seen('no admin', await raw(bare.url, 'POST', `${NS}/instance`, { params: { serviceName: 'x', ip: '1.1.1.1', port: '1' } }));
    const loginNoAdmin = seen('login no admin', await raw(bare.url, 'POST', `${AUTH}/users/login`, { form: { username: 'nacos', password: 'nacos' } }));
    table.record('write / login nacos:nacos on a fresh server', '503 init-admin hint / 403', `${brief(write)} / ${brief(loginNoAdmin)}`);
    expect(write.status).toBe(503);
    expect(write.text).toContain('init-admin');
    expect(loginNoAdmin.status).toBe(403);
    const init = await raw(bare.url, 'POST', `${AUTH}/users/admin`, { form: { password: 'first-admin-pw' } });
    expect(init.status).toBe(200);
    const again = seen('second init', await raw(bare.url, 'POST', `${AUTH}/users/admin`, { form: { password: 'takeover-pw-1' } }));
    table.record('POST users/admin again once an admin exists', '403 (needs the admin)', brief(again));
    expect(again.status).toBe(403);
    const token = await login(bare.url, 'nacos', 'first-admin-pw');
    const ok = await raw(bare.url, 'POST', `${NS}/instance`, { params: { serviceName: 'x', ip: '1.1.1.1', port: '1', accessToken: token } });
    expect(ok.status).toBe(200);
  });
});

describe('failed logins are rate-limited', () => {
  it('locks a user after repeated failures, even for the right password', async () => {
    await raw(base, 'POST', `${AUTH}/users`, { params: { accessToken: adminToken }, form: { username: 'victim', password: 'victim-pass-1' } });
    const statuses: number[] = [];
    let last: RawAnswer | undefined;
    for (let i = 0; i < 8; i++) {
      last = seen('rate', await raw(base, 'POST', `${AUTH}/users/login`, { form: { username: 'victim', password: `guess-${i}` } }));
      statuses.push(last.status);
    }
    const right = await raw(base, 'POST', `${AUTH}/users/login`, { form: { username: 'victim', password: 'victim-pass-1' } });
    table.record('8 wrong passwords for one user, then the right one', '403 up to the limit, then 429 + Retry-After (also for the right one)', `${statuses.join(',')}; right one: ${right.status} retry-after=${right.headers['retry-after']}`);
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses).toContain(429);
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    const perRequest = await register({ serviceName: 'rl', username: 'victim', password: 'victim-pass-1' });
    expect(perRequest.status).toBe(429);
  });
});

describe('peer routes need the cluster HMAC', () => {
  // One member of a two-member cluster whose other member never starts: its peer routes are live
  // from the first moment (no leader needed), which is all these cases use.
  const secret = 'cluster-secret-for-e2e-0123456789';
  let child: ReturnType<typeof spawn> | undefined;
  let url = '';
  let other = '';
  let dataDir = '';
  beforeAll(async () => {
    const port = await freePort();
    const otherPort = await freePort();
    other = `127.0.0.1:${otherPort}`;
    dataDir = tempDir('tacos-peer-');
    url = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('TACOS_')) env[k] = v;
    child = spawn(
      process.execPath,
      [serverBinPath(), '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--members', `127.0.0.1:${port},${other}`, '--cluster-secret', secret],
      { env, stdio: 'ignore' },
    );
    await waitFor(async () => (await raw(url, 'GET', '/nacos/v1/console/health/liveness').catch(() => ({ status: 0 }))).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'cluster member liveness',
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    if (dataDir) removeDir(dataDir);
  });

  it('refuses unsigned, trick-header, forged, stale and replayed peer requests', async () => {
    const serverRequire = createRequire(require.resolve('@tacos/server'));
    const { PeerSigner } = serverRequire('./cluster/peer-auth') as {
      PeerSigner: new (o: { secret: string; self: string; now?: () => number }) => { sign(r: { method: string; url: string; body?: string }): Record<string, string> };
    };
    const path = '/nacos/v1/ns/peer/raft';
    const body = '{}';
    const send = (headers: Record<string, string>) => raw(url, 'POST', path, { rawBody: body, headers: { 'content-type': 'application/json', ...headers } });
    const good = new PeerSigner({ secret, self: other });
    const forged = new PeerSigner({ secret: 'some-other-secret-0123456789abc', self: other });
    const stale = new PeerSigner({ secret, self: other, now: () => Date.now() - 10 * 60_000 });
    const cases: Array<[string, Record<string, string>]> = [
      ['peer: unsigned', {}],
      ['peer: User-Agent Nacos-Server', { 'user-agent': 'Nacos-Server' }],
      ['peer: serverIdentity header', { serverIdentity: 'security', 'user-agent': 'Nacos-Server' }],
      ['peer: signed with another secret', forged.sign({ method: 'POST', url: path, body })],
      ['peer: timestamp 10 min old', stale.sign({ method: 'POST', url: path, body })],
      ['peer: body changed after signing', good.sign({ method: 'POST', url: path, body: '{"x":1}' })],
    ];
    for (const [attack, headers] of cases) {
      const res = seen(attack, await send(headers));
      table.record(attack, '401 peer authentication failed', brief(res));
      expect(res.status).toBe(401);
    }
    const signed = good.sign({ method: 'POST', url: path, body });
    const first = await send(signed);
    const replay = seen('replay', await send(signed));
    table.record('peer: valid signed request sent twice', 'first passes auth (not 401), replay 401', `${first.status} / ${brief(replay)}`);
    expect(first.status).not.toBe(401);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('replayed');
  });
});
