// Raw HTTP against a real process: the Nacos error contract (status + plain-text body naming the field),
// hostile input, and that nothing a client sends can take the server down.
import { call, uniqueName, useTacosServer } from './support';

const NS = '/nacos/v1/ns';
const tacos = useTacosServer();

test('liveness and readiness answer OK', async () => {
  expect(await call(tacos().url, 'GET', '/nacos/v1/console/health/liveness')).toMatchObject({ status: 200 });
  expect(await call(tacos().url, 'GET', '/nacos/v1/console/health/readiness')).toMatchObject({ status: 200 });
});

test('a missing required parameter is a 400 naming it', async () => {
  const noIp = await call(tacos().url, 'POST', `${NS}/instance`, { serviceName: 'svc', port: 1 });
  expect(noIp.status).toBe(400);
  expect(noIp.text).toContain('ip');
  const noService = await call(tacos().url, 'GET', `${NS}/instance/list`, {});
  expect(noService.status).toBe(400);
  expect(noService.text).toContain('serviceName');
});

test.each([
  ['port', { port: -1 }],
  ['port', { port: 65536 }],
  ['port', { port: 'abc' }],
  ['weight', { weight: 'heavy' }],
  ['weight', { weight: 10001 }],
  ['clusterName', { clusterName: 'bad_name' }],
  ['ip', { ip: '999.1.1.1' }],
  ['metadata', { metadata: 'not metadata' }],
])('a malformed %s is a 400 naming the field (%j)', async (field, override) => {
  const params = { serviceName: uniqueName('bad'), ip: '127.0.0.1', port: 80, ...override };
  const res = await call(tacos().url, 'POST', `${NS}/instance`, params as Record<string, string>);
  expect(res.status).toBe(400);
  expect(res.text.toLowerCase()).toContain(field.toLowerCase().replace('clustername', 'cluster'));
  // Nothing was stored by the rejected request.
  const list = await call(tacos().url, 'GET', `${NS}/instance/list`, { serviceName: params.serviceName });
  expect((list.json as { hosts: unknown[] }).hosts).toEqual([]);
});

test('metadata keys that could pollute prototypes are refused', async () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    const res = await call(tacos().url, 'POST', `${NS}/instance`, {
      serviceName: uniqueName('proto'),
      ip: '127.0.0.1',
      port: 80,
      metadata: `{"${key}":{"polluted":"yes"}}`,
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain(key);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('an unknown naming route is not found and says so', async () => {
  const res = await call(tacos().url, 'GET', `${NS}/no-such-thing`);
  expect([404, 501]).toContain(res.status);
  expect(res.text.length).toBeGreaterThan(0);
});

test('an oversized body is a 413', async () => {
  const res = await call(
    tacos().url,
    'POST',
    `${NS}/instance`,
    {},
    {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `serviceName=big&ip=127.0.0.1&port=1&metadata=${'x'.repeat(2 * 1024 * 1024)}`,
    },
  );
  expect(res.status).toBe(413);
});

test('parameters are read from a form body as well as the query string', async () => {
  const serviceName = uniqueName('form');
  const res = await call(
    tacos().url,
    'POST',
    `${NS}/instance`,
    {},
    {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ serviceName, ip: '127.0.9.1', port: '9', weight: '2' }).toString(),
    },
  );
  expect([res.status, res.text]).toEqual([200, 'ok']);
  const list = await call(tacos().url, 'GET', `${NS}/instance/list`, { serviceName });
  expect((list.json as { hosts: Array<{ ip: string; weight: number }> }).hosts).toMatchObject([
    { ip: '127.0.9.1', weight: 2 },
  ]);
});

test('a burst of random garbage never gets a 5xx and never kills the server', async () => {
  // Deterministic garbage: a seeded LCG so a failure can be replayed.
  let seed = 20261124;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pieces = ['', ' ', '-1', '0', '1e309', 'NaN', '%', '{', '[]', '@@', 'a@@', '@@b', '\u0000', 'x'.repeat(300)];
  const paths = ['/instance', '/instance/list', '/instance/beat', '/service', '/service/list', '/cluster', '/health'];
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
  const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)];
  const failures: string[] = [];
  for (let i = 0; i < 300; i++) {
    const params: Record<string, string> = {};
    for (const name of ['serviceName', 'ip', 'port', 'weight', 'clusterName', 'metadata', 'beat', 'healthy']) {
      if (rand() < 0.6) params[name] = pick(pieces);
    }
    const method = pick(methods);
    const path = `${NS}${pick(paths)}`;
    const res = await call(tacos().url, method, path, params);
    if (res.status >= 500) failures.push(`${method} ${path} ${JSON.stringify(params)} -> ${res.status} ${res.text}`);
  }
  expect(failures).toEqual([]);
  expect((await call(tacos().url, 'GET', '/nacos/v1/console/health/liveness')).status).toBe(200);
});
