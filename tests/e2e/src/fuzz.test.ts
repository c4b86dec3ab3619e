// Seeded fuzz over every public endpoint of a real --auth server: thousands of random and malformed
// requests (random parameters, hostile values, bad or missing credentials, a read-only user, and the
// admin with garbage), bounded in time. Asserts: no 5xx, the process stays up, and the stored data is
// the same before and after the requests that had to be rejected.
import { removeDir, seededRandom, startTacos, type TacosProcess } from '@tacos/testkit';
import { ADMIN_PASSWORD, AttackTable, LEAK_PATTERN, login, mintToken, type RawAnswer, raw, TEST_SECRET } from './security-support';

const NS = '/nacos/v1/ns';
const CONSOLE = '/nacos/v1/console';
const AUTH = '/nacos/v1/auth';
const SEED = Number(process.env.TACOS_FUZZ_SEED ?? 20261124);
const BUDGET_MS = Number(process.env.TACOS_FUZZ_MS ?? 25_000);
const MAX_REQUESTS = 10_000;

/** Every public endpoint (the SSE watch is left out: it streams until the client leaves). */
const ENDPOINTS: Array<[string, string]> = [
  ...['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].map((m) => [m, `${NS}/instance`] as [string, string]),
  ['GET', `${NS}/instance/list`],
  ['PUT', `${NS}/instance/beat`],
  ['PUT', `${NS}/instance/statuses`],
  ['PUT', `${NS}/instance/metadata/batch`],
  ['DELETE', `${NS}/instance/metadata/batch`],
  ...['GET', 'POST', 'PUT', 'DELETE'].map((m) => [m, `${NS}/service`] as [string, string]),
  ['GET', `${NS}/service/list`],
  ['GET', `${NS}/service/names`],
  ['GET', `${NS}/service/subscribers`],
  ['PUT', `${NS}/cluster`],
  ['PUT', `${NS}/health`],
  ['PUT', `${NS}/health/instance`],
  ['GET', `${NS}/health/checkers`],
  ['GET', `${NS}/health/server`],
  ['GET', `${NS}/catalog/service`],
  ['GET', `${NS}/catalog/services`],
  ['GET', `${NS}/catalog/rt/service`],
  ['GET', `${NS}/catalog/instances`],
  ['GET', `${NS}/operator/switches`],
  ['PUT', `${NS}/operator/switches`],
  ['GET', `${NS}/operator/metrics`],
  ['GET', `${NS}/operator/push/state`],
  ['GET', `${NS}/operator/servers`],
  ['GET', `${CONSOLE}/health/liveness`],
  ['GET', `${CONSOLE}/health/readiness`],
  ['GET', `${CONSOLE}/server/state`],
  ...['GET', 'POST', 'PUT', 'DELETE'].map((m) => [m, `${CONSOLE}/namespaces`] as [string, string]),
  ['POST', `${AUTH}/users/login`],
  ['POST', `${AUTH}/login`],
  ['POST', `${AUTH}/users/admin`],
  ...['GET', 'POST', 'PUT', 'DELETE'].map((m) => [m, `${AUTH}/users`] as [string, string]),
  ['GET', `${AUTH}/users/search`],
  ...['GET', 'POST', 'DELETE'].map((m) => [m, `${AUTH}/roles`] as [string, string]),
  ['GET', `${AUTH}/roles/search`],
  ...['GET', 'POST', 'DELETE'].map((m) => [m, `${AUTH}/permissions`] as [string, string]),
  ['GET', '/nacos/'],
  ['GET', '/nacos/actuator/prometheus'],
];

const NAMES = [
  'serviceName', 'groupName', 'namespaceId', 'ip', 'port', 'clusterName', 'clusters', 'weight', 'enabled', 'healthy',
  'ephemeral', 'metadata', 'beat', 'healthChecker', 'selector', 'protectThreshold', 'healthyOnly', 'pageNo', 'pageSize',
  'username', 'password', 'newPassword', 'role', 'resource', 'action', 'entry', 'value', 'instances', 'consistencyType',
  'customNamespaceId', 'namespaceName', 'namespaceDesc', 'keyword', 'udpPort', 'app', 'search', 'accessToken', 'checksum',
];


function values(rand: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const gens: Array<() => string> = [
    () => '',
    () => ' ',
    () => 'svc',
    () => 'DEFAULT_GROUP@@svc',
    () => 'seed-svc',
    () => 'public',
    () => '1.2.3.4',
    () => '::1',
    () => String(Math.floor(rand() * 70000) - 100),
    () => '-1',
    () => '1e309',
    () => 'NaN',
    () => 'true',
    () => 'null',
    () => '{}',
    () => '[]',
    () => '{"a":',
    () => '{"__proto__":{"polluted":1}}',
    () => '{"constructor":{"prototype":{"x":1}}}',
    () => `${'['.repeat(40)}${']'.repeat(40)}`,
    () => 'a'.repeat(Math.floor(rand() * 6000)),
    () => '../../../../etc/passwd',
    () => '%00%0d%0a',
    () => '\u0000\u202e\ud800',
    () => "' OR 1=1 --",
    () => '<script>alert(1)</script>',
    () => ['$', '{jndi:ldap://x/a}'].join(''),
    () => 'k=v,k2=v2',
    () => '{"ip":"1.2.3.4","port":1,"serviceName":"seed-svc"}',
    () => 'DEFAULT:*:naming/*',
    () => 'rw',
    () => 'ROLE_ADMIN',
    () => 'nacos',
  ];
  return pick(gens)();
}

interface Snapshot {
  [what: string]: string;
}

/** The stored data as the API shows it (volatile fields such as lastRefTime removed). */
async function snapshot(base: string, token: string): Promise<Snapshot> {
  const read = async (path: string, params: Record<string, string>) => {
    const res = await raw(base, 'GET', path, { params: { ...params, accessToken: token } });
    return `${res.status} ${res.text.replace(/"lastRefTime":\d+,?/g, '').replace(/"checksum":"[^"]*",?/g, '').replace(/"lastBeat":\d+,?/g, '')}`;
  };
  return {
    namespaces: await read(`${CONSOLE}/namespaces`, {}),
    services: await read(`${NS}/catalog/services`, { pageNo: '1', pageSize: '1000' }),
    servicesFuzzNs: await read(`${NS}/catalog/services`, { pageNo: '1', pageSize: '1000', namespaceId: 'fuzz-ns' }),
    service: await read(`${NS}/service`, { serviceName: 'seed-svc' }),
    instances: await read(`${NS}/instance/list`, { serviceName: 'seed-svc' }),
    switches: await read(`${NS}/operator/switches`, {}),
    users: await read(`${AUTH}/users`, { pageNo: '1', pageSize: '1000' }),
    roles: await read(`${AUTH}/roles`, { pageNo: '1', pageSize: '1000' }),
    permissions: await read(`${AUTH}/permissions`, { pageNo: '1', pageSize: '1000' }),
  };
}

let server: TacosProcess;
let admin: string;
let reader: string;
const table = new AttackTable();

beforeAll(async () => {
  server = await startTacos({ args: ['--auth', '--token-secret', TEST_SECRET], env: { TACOS_ADMIN_PASSWORD: ADMIN_PASSWORD, TACOS_BCRYPT_COST: '4' } });
  const base = server.url;
  admin = await login(base, 'nacos', ADMIN_PASSWORD);
  const setup: Array<[string, string, Record<string, string>]> = [
    ['POST', `${CONSOLE}/namespaces`, { customNamespaceId: 'fuzz-ns', namespaceName: 'fuzz', namespaceDesc: 'fuzz' }],
    ['POST', `${NS}/service`, { serviceName: 'seed-svc', metadata: 'k=v' }],
    // Health left to `PUT /health` (checker NONE): a probe flipping it would read as a change to stored data.
    [
      'PUT',
      `${NS}/cluster`,
      { serviceName: 'seed-svc', clusterName: 'DEFAULT', checkPort: '9', useInstancePort4Check: 'true', healthChecker: '{"type":"NONE"}' },
    ],
    ['POST', `${NS}/instance`, { serviceName: 'seed-svc', ip: '127.9.9.9', port: '9', ephemeral: 'false' }],
    ['POST', `${AUTH}/users`, { username: 'reader', password: 'reader-pass-1' }],
    ['POST', `${AUTH}/roles`, { role: 'readers', username: 'reader' }],
    ['POST', `${AUTH}/permissions`, { role: 'readers', resource: '*:*:*', action: 'r' }],
  ];
  for (const [method, path, form] of setup) {
    const res = await raw(base, method, path, { params: { accessToken: admin }, form });
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  }
  reader = await login(base, 'reader', 'reader-pass-1');
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
  process.stdout.write(`\n${table.markdown('Fuzz: attack / expected / observed')}\n\n`);
});

describe('fuzz over every public endpoint', () => {
  it('answers thousands of hostile requests without a 5xx, a crash, a leak or a change to stored data', async () => {
    const base = server.url;
    const rand = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
    const before = await snapshot(base, admin);
    const now = Math.floor(Date.now() / 1000);
    const credentials: Array<() => Record<string, string>> = [
      () => ({}),
      () => ({ accessToken: reader }),
      () => ({ accessToken: 'not.a.token' }),
      () => ({ accessToken: mintToken({ sub: 'nacos', exp: now + 3600 }, '', 'none') }),
      () => ({ accessToken: mintToken({ sub: 'nacos', exp: now + 3600 }, 'SecretKey012345678901234567890123456789012345678901234567890123456789') }),
      () => ({ username: 'nacos', password: values(rand) }),
      () => ({ username: values(rand), password: values(rand) }),
    ];
    const trickHeaders: Array<Record<string, string>> = [
      {},
      { 'user-agent': 'Nacos-Server' },
      { serverIdentity: 'security', 'user-agent': 'Nacos-Server' },
      { authorization: 'Bearer garbage' },
      { authorization: `Bearer ${reader}` },
      { 'x-forwarded-for': '127.0.0.1' },
    ];
    const started = Date.now();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let count = 0;
    let writesAccepted = 0;
    while (count < MAX_REQUESTS && Date.now() - started < BUDGET_MS) {
      const [method, path] = pick(ENDPOINTS);
      const params: Record<string, string> = {};
      const n = Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) params[pick(NAMES)] = values(rand);
      Object.assign(params, pick(credentials)());
      const headers = pick(trickHeaders);
      const shape = rand();
      let res: RawAnswer;
      try {
        if (shape < 0.5) res = await raw(base, method, path, { params, headers });
        else if (shape < 0.8) res = await raw(base, method, path, { form: params, headers });
        else if (shape < 0.9) {
          // Malformed encodings and a parameter named like a prototype key.
          const junk = pick(['%', '%zz', '&&&=', '__proto__=1', 'constructor[prototype][x]=1', 'a=%E0%A4%A', `p=${'x'.repeat(9000)}`]);
          res = await raw(base, method, path, { rawQuery: `${new URLSearchParams(params).toString()}&${junk}`, headers });
        } else {
          res = await raw(base, method, path, { rawBody: pick(['{"a":1}', '\u0000\u0001', 'a=b&'.repeat(2000), '<xml/>']), headers: { ...headers, 'content-type': pick(['application/json', 'text/xml', 'application/x-www-form-urlencoded']) } });
        }
      } catch (err) {
        failures.push(`${method} ${path}: transport error ${(err as Error).message}`);
        break;
      }
      count++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) failures.push(`${method} ${path} ${JSON.stringify(params).slice(0, 200)} → ${res.status} ${res.text.slice(0, 100)}`);
      if (res.status >= 400 && LEAK_PATTERN.test(res.text)) failures.push(`${method} ${path} leaked: ${res.text.slice(0, 200)}`);
      // No credential in this loop may write: login is the one POST that can succeed.
      const isLogin = path.endsWith('/login');
      if (method !== 'GET' && !isLogin && res.status >= 200 && res.status < 300) {
        writesAccepted++;
        failures.push(`${method} ${path} accepted a write: ${JSON.stringify(params).slice(0, 200)} → ${res.status}`);
      }
      if (failures.length > 20) break;
    }
    const elapsed = Date.now() - started;
    const alive = await raw(base, 'GET', `${CONSOLE}/health/liveness`);
    const after = await snapshot(base, admin);
    const fiveXx = [...statuses].filter(([s]) => s >= 500).reduce((sum, [, c]) => sum + c, 0);
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([s, c]) => `${s}×${c}`).join(' ');
    table.record(`${count} seeded requests (seed ${SEED}) in ${Math.round(elapsed / 1000)} s over ${ENDPOINTS.length} endpoints`, 'no 5xx, process alive', `${fiveXx} 5xx (${summary}); liveness ${alive.status}`);
    table.record('writes without a write credential during the fuzz', '0 accepted', `${writesAccepted} accepted`);
    const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
    table.record('stored data before/after (namespaces, services, instances, switches, users, roles, permissions)', 'unchanged', changed.length === 0 ? 'unchanged' : `changed: ${changed.join(',')}`);
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(1000);
    expect(alive.status).toBe(200);
    expect(after).toEqual(before);
  });

  it('survives the admin sending garbage to every endpoint (no 5xx, still alive)', async () => {
    const base = server.url;
    const rand = seededRandom(SEED + 1);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
    // The admin may legitimately change things here; server status switches are left alone so the
    // server keeps answering UP (a DOWN override answers 503 by design).
    const targets = ENDPOINTS.filter(([m, p]) => !(m === 'PUT' && p.endsWith('/operator/switches')));
    const started = Date.now();
    const failures: string[] = [];
    let count = 0;
    while (count < 3000 && Date.now() - started < BUDGET_MS / 2) {
      const [method, path] = pick(targets);
      const params: Record<string, string> = { accessToken: admin };
      const n = 1 + Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) {
        const name = pick(NAMES);
        if (name !== 'accessToken') params[name] = values(rand);
      }
      const res = rand() < 0.5 ? await raw(base, method, path, { params }) : await raw(base, method, path, { form: params });
      count++;
      if (res.status >= 500) failures.push(`${method} ${path} ${JSON.stringify(params).slice(0, 200)} → ${res.status} ${res.text.slice(0, 100)}`);
      if (res.status >= 400 && LEAK_PATTERN.test(res.text)) failures.push(`${method} ${path} leaked: ${res.text.slice(0, 200)}`);
      if (failures.length > 20) break;
    }
    const alive = await raw(base, 'GET', `${CONSOLE}/health/liveness`);
    table.record(`${count} admin requests with random parameters`, 'no 5xx, process alive', `${failures.length} failures; liveness ${alive.status}`);
    expect(failures).toEqual([]);
    expect(alive.status).toBe(200);
  });
});
