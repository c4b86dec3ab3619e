import { ServiceInfoSchema } from '@tacos/api-pojo';
import { FakeClock } from '@tacos/core';
import request from 'supertest';
import { statusGate } from './route-table';
import { createTestApp, type TestApp } from './testing/test-app';

const NS = '/nacos/v1/ns';
const JAVA = 'Nacos-Java-Client:v1.0.0';
let t: TestApp;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock();
  t = await createTestApp({ clock });
});

afterEach(async () => {
  await t.stop();
});

function api() {
  return request(t.app);
}

async function register(query: string) {
  const res = await api().post(`${NS}/instance?${query}`);
  expect(res.status).toBe(200);
  expect(res.text).toBe('ok');
}

async function listBody(query: string, ua = JAVA) {
  const res = await api().get(`${NS}/instance/list?${query}`).set('User-Agent', ua);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const body = JSON.parse(res.text);
  // Every answer must match the published ServiceInfo schema.
  expect(ServiceInfoSchema.safeParse(body).success).toBe(true);
  return body;
}

function expectError(res: request.Response, status: number, text: string | RegExp) {
  expect(res.status).toBe(status);
  if (typeof text === 'string') expect(res.text).toBe(text);
  else expect(res.text).toMatch(text);
  expect(res.text).not.toMatch(/\n\s+at /);
}

describe('POST /instance', () => {
  it('registers from query params, as nacos-naming sends them (no body)', async () => {
    await register('serviceName=DEFAULT_GROUP@@svc&groupName=DEFAULT_GROUP&ip=127.0.0.9&port=1234&weight=2&enable=true&healthy=true&ephemeral=true&metadata=%7B%22k%22%3A%22v%22%7D&namespaceId=public&clusterName=DEFAULT');
    const body = await listBody('serviceName=DEFAULT_GROUP@@svc&clusters=&udpPort=0&clientIP=&healthyOnly=false&namespaceId=public');
    expect(body.name).toBe('DEFAULT_GROUP@@svc');
    expect(body.clusters).toBe('');
    expect(body.hosts).toEqual([
      expect.objectContaining({ ip: '127.0.0.9', port: 1234, weight: 2, healthy: true, enabled: true, metadata: { k: 'v' }, serviceName: 'DEFAULT_GROUP@@svc' }),
    ]);
  });

  it('reads a urlencoded body too, trims values and defaults blank optionals', async () => {
    const res = await api()
      .post(`${NS}/instance`)
      .type('form')
      .send({ serviceName: ' order ', ip: ' 10.0.0.5 ', port: '8080', clusterName: '', weight: '', groupName: '' });
    expect(res.text).toBe('ok');
    const body = await listBody('serviceName=order');
    expect(body.hosts[0]).toMatchObject({ ip: '10.0.0.5', clusterName: 'DEFAULT', weight: 1 });
  });

  it('honours enable=false and enabled over enable', async () => {
    await register('serviceName=a&ip=1.1.1.1&port=1&enable=false');
    await register('serviceName=a&ip=1.1.1.2&port=1&enabled=true&enable=false');
    expect((await listBody('serviceName=a')).hosts.map((h: { ip: string }) => h.ip)).toEqual(['1.1.1.2']);
  });

  it('answers 400 naming the field for missing or malformed params', async () => {
    expectError(await api().post(`${NS}/instance?ip=1.1.1.1&port=1`), 400, "Param 'serviceName' is required.");
    expectError(await api().post(`${NS}/instance?serviceName=a&port=1`), 400, "Param 'ip' is required.");
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=1.1.1.1`), 400, "Param 'port' is required.");
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=abc`), 400, `Param 'port' is illegal, For input string: "abc"`);
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=-1`), 400, /^Param 'port' is illegal/);
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=65536`), 400, /^Param 'port' is illegal/);
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1&clusterName=bad_name`), 400, /clusterName.*bad_name/);
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1&weight=20000`), 400, /weights range from 0.0 to 10000.0/);
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1&weight=x`), 400, /^Param 'weight' is illegal/);
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=999.1.1.1&port=1`), 400, /IP address is spelled incorrectly/);
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1&metadata=oops`), 400, 'metadata format incorrect:oops');
    expectError(await api().post(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1&metadata=__proto__%3D1`), 400, /not allowed/);
    expectError(await api().post(`${NS}/instance?serviceName=@@a&ip=1.1.1.1&port=1`), 400, "Param 'serviceName' is illegal, groupName can't be empty");
    expectError(await api().post(`${NS}/instance?serviceName=DEFAULT_GROUP@@&ip=1.1.1.1&port=1`), 400, /should be format as 'groupName@@serviceName'/);
    expectError(await api().post(`${NS}/instance?serviceName=a%20b&ip=1.1.1.1&port=1`), 400, /dom name can only have these characters/);
    expect(t.registry.state.instanceCount).toBe(0);
  });

  it('registers persistent instances through Raft', async () => {
    await register('serviceName=p&ip=1.1.1.1&port=1&ephemeral=false');
    expect((await listBody('serviceName=p')).hosts[0]).toMatchObject({ ephemeral: false });
  });
});

describe('DELETE, PUT, PATCH, GET /instance', () => {
  it('deregisters, and answers ok for unknown services', async () => {
    await register('serviceName=a&ip=1.1.1.1&port=1');
    expect((await api().delete(`${NS}/instance?serviceName=DEFAULT_GROUP@@a&ip=1.1.1.1&port=1&clusterName=DEFAULT&ephemeral=true&namespaceId=public`)).text).toBe('ok');
    expect((await listBody('serviceName=a')).hosts).toEqual([]);
    expect((await api().delete(`${NS}/instance?serviceName=zzz&ip=1.1.1.1&port=1`)).text).toBe('ok');
    expectError(await api().delete(`${NS}/instance?serviceName=a&ip=1.1.1.1`), 400, "Param 'port' is required.");
  });

  it('PUT updates for Java clients only when the instance exists, registers for others', async () => {
    expectError(await api().put(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1`).set('User-Agent', JAVA), 400, 'service not found, namespace: public, service: DEFAULT_GROUP@@a');
    expect((await api().put(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1&weight=3`).set('User-Agent', 'curl/8')).text).toBe('ok');
    expectError(await api().put(`${NS}/instance?serviceName=a&ip=1.1.1.2&port=1`).set('User-Agent', JAVA), 400, /^instance not exist: Instance\{ip='1.1.1.2'/);
    expect((await api().put(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1&metadata=x%3D1`).set('User-Agent', JAVA)).text).toBe('ok');
    expect((await listBody('serviceName=a')).hosts[0]).toMatchObject({ weight: 1, metadata: { x: '1' } });
  });

  it('PATCH changes only given fields', async () => {
    await register('serviceName=a&ip=1.1.1.1&port=1&weight=5&metadata=a%3D1');
    expect((await api().patch(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1&metadata=b%3D2`)).text).toBe('ok');
    expect((await listBody('serviceName=a')).hosts[0]).toMatchObject({ weight: 5, metadata: { b: '2' } });
    expectError(await api().patch(`${NS}/instance?serviceName=a&ip=1.1.1.9&port=1`), 400, 'instance not found');
  });

  it('GET returns the detail or 404', async () => {
    expectError(await api().get(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1`), 404, 'no service DEFAULT_GROUP@@a found!');
    await register('serviceName=a&ip=1.1.1.1&port=1');
    const res = await api().get(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1`);
    expect(JSON.parse(res.text)).toEqual({
      service: 'DEFAULT_GROUP@@a',
      ip: '1.1.1.1',
      port: 1,
      clusterName: 'DEFAULT',
      weight: 1,
      healthy: true,
      instanceId: '1.1.1.1#1#DEFAULT#DEFAULT_GROUP@@a',
      metadata: {},
    });
    expectError(await api().get(`${NS}/instance?serviceName=a&ip=1.1.1.2&port=1`), 404, 'no matched ip found!');
    expectError(await api().get(`${NS}/instance?serviceName=a&ip=1.1.1.1&port=1&clusterName=X`), 404, 'no ips found for cluster X in service DEFAULT_GROUP@@a');
  });
});

describe('GET /instance/list', () => {
  it('answers 200 with empty hosts for unknown services, echoing name and clusters', async () => {
    expect(await listBody('serviceName=DEFAULT_GROUP@@nope&clusters=DEFAULT')).toEqual({
      name: 'DEFAULT_GROUP@@nope',
      clusters: 'DEFAULT',
      cacheMillis: 3000,
      hosts: [],
    });
  });

  it('strips the group for non-Java agents in dom and host serviceName only', async () => {
    await register('serviceName=a&ip=1.1.1.1&port=1');
    const body = await listBody('serviceName=a', 'curl/8');
    expect(body.name).toBe('DEFAULT_GROUP@@a');
    expect(body.dom).toBe('a');
    expect(body.hosts[0].serviceName).toBe('a');
  });

  it('flags the protect threshold and subscribes push clients', async () => {
    await register('serviceName=a&ip=1.1.1.1&port=1&healthy=false');
    const body = await listBody('serviceName=a&udpPort=4000&clientIP=127.0.0.1&clusters=DEFAULT');
    expect(body.reachProtectThreshold).toBe(true);
    expect(body.hosts[0].healthy).toBe(true);
    expect(body.cacheMillis).toBe(10000);
    const subs = await api().get(`${NS}/service/subscribers?serviceName=a&pageNo=1&pageSize=10`);
    expect(JSON.parse(subs.text)).toMatchObject({ count: 1, subscribers: [{ addrStr: '127.0.0.1:4000', agent: JAVA, serviceName: 'DEFAULT_GROUP@@a' }] });
    expectError(await api().get(`${NS}/service/subscribers?serviceName=a&pageNo=1`), 400, "Param 'pageSize' is required.");
    expectError(await api().get(`${NS}/instance/list?serviceName=a&udpPort=x`), 400, /^Param 'udpPort' is illegal/);
    expectError(await api().get(`${NS}/instance/list`), 400, "Param 'serviceName' is required.");
  });
});

describe('PUT /instance/beat', () => {
  it('answers 20404 to a light beat for an unknown instance', async () => {
    const res = await api().put(`${NS}/instance/beat?serviceName=a&ip=1.1.1.1&port=1`);
    expect(JSON.parse(res.text)).toEqual({ clientBeatInterval: 5000, code: 20404 });
  });

  it('re-registers from the nacos-naming full beat and renews afterwards', async () => {
    const beat = encodeURIComponent(
      '{"serviceName":"DEFAULT_GROUP@@svc","ip":"127.0.0.9","port":1234,"cluster":"DEFAULT","weight":2,"metadata":{"k":"v"},"scheduled":true}',
    );
    let res = await api().put(`${NS}/instance/beat?beat=${beat}&namespaceId=public&serviceName=DEFAULT_GROUP@@svc`);
    expect(JSON.parse(res.text)).toEqual({ clientBeatInterval: 5000, code: 10200, lightBeatEnabled: true });
    expect((await listBody('serviceName=DEFAULT_GROUP@@svc')).hosts[0]).toMatchObject({ ip: '127.0.0.9', port: 1234, weight: 2 });
    res = await api().put(`${NS}/instance/beat?serviceName=svc&ip=127.0.0.9&port=1234`);
    expect(JSON.parse(res.text).code).toBe(10200);
    expectError(await api().put(`${NS}/instance/beat?serviceName=svc&beat=%7B`), 400, /^Param 'beat' is illegal/);
  });

  it('keeps beaten instances alive on the fake clock and expires silent ones', async () => {
    await register('serviceName=a&ip=1.1.1.1&port=1');
    await register('serviceName=a&ip=1.1.1.2&port=1');
    for (let i = 0; i < 8; i++) {
      clock.advance(5000);
      await api().put(`${NS}/instance/beat?serviceName=a&ip=1.1.1.1&port=1`);
      t.registry.tick();
    }
    const statuses = await api().get(`${NS}/instance/statuses?key=public%23%23DEFAULT_GROUP%40%40a`);
    expect(JSON.parse(statuses.text)).toEqual({ ips: ['1.1.1.1:1_true'] });
  });
});

describe('instance statuses and metadata batch', () => {
  it('serves statuses and 404s', async () => {
    expectError(await api().get(`${NS}/instance/statuses?key=DEFAULT_GROUP@@a`), 404, 'service: DEFAULT_GROUP@@a not found.');
    expectError(await api().get(`${NS}/instance/statuses`), 400, "Param 'key' is required.");
  });

  it('merges and removes metadata', async () => {
    await register('serviceName=a&ip=1.1.1.1&port=1');
    let res = await api().put(`${NS}/instance/metadata/batch?serviceName=a&metadata=x%3D1&consistencyType=ephemeral`);
    expect(JSON.parse(res.text)).toEqual({ updated: ['1.1.1.1:1:unknown:DEFAULT:true'] });
    res = await api()
      .delete(`${NS}/instance/metadata/batch`)
      .query({ serviceName: 'a', metadata: '{"x":""}', instances: '[{"ip":"1.1.1.1","port":1,"clusterName":"DEFAULT","ephemeral":true}]' });
    expect(JSON.parse(res.text).updated).toHaveLength(1);
    expect((await listBody('serviceName=a')).hosts[0].metadata).toEqual({});
    expectError(await api().put(`${NS}/instance/metadata/batch?serviceName=a`), 400, "Param 'metadata' is required.");
    expectError(await api().put(`${NS}/instance/metadata/batch?serviceName=a&metadata=x%3D1&instances=%7B`), 400, /^Param 'instances' is illegal/);
  });
});

describe('/service', () => {
  it('creates, reads, updates, lists and deletes', async () => {
    expect((await api().post(`${NS}/service?serviceName=s1&protectThreshold=0.5&metadata=a%3D1`)).text).toBe('ok');
    expectError(await api().post(`${NS}/service?serviceName=s1`), 400, 'specified service already exists, serviceName : DEFAULT_GROUP@@s1');
    const got = JSON.parse((await api().get(`${NS}/service?serviceName=s1`)).text);
    expect(got).toMatchObject({ name: 's1', groupName: 'DEFAULT_GROUP', namespaceId: 'public', protectThreshold: 0.5, metadata: { a: '1' }, selector: { type: 'none' }, clusters: [] });
    expectError(await api().put(`${NS}/service?serviceName=s1`), 400, "Param 'protectThreshold' is required.");
    expect((await api().put(`${NS}/service?serviceName=s1&protectThreshold=0.1`)).text).toBe('ok');
    expectError(await api().put(`${NS}/service?serviceName=zz&protectThreshold=0.1`), 400, 'service DEFAULT_GROUP@@zz not found!');
    await api().post(`${NS}/service?serviceName=s2&groupName=G`);
    expect(JSON.parse((await api().get(`${NS}/service/list?pageNo=1&pageSize=10`)).text)).toEqual({ count: 1, doms: ['s1'] });
    expect(JSON.parse((await api().get(`${NS}/service/list?pageNo=1&pageSize=10&groupName=*`)).text)).toEqual({ count: 2, doms: ['s1', 's2'] });
    expectError(await api().get(`${NS}/service/list?pageSize=10`), 400, "Param 'pageNo' is required.");
    expect(JSON.parse((await api().get(`${NS}/service/names`)).text)).toEqual({ services: { public: ['s1', 's2'] }, count: 1 });
    expect(JSON.parse((await api().post(`${NS}/service/names?expr=2`)).text)).toEqual({ services: { public: ['s2'] }, count: 1 });
    expect((await api().delete(`${NS}/service?serviceName=s1`)).text).toBe('ok');
    expectError(await api().delete(`${NS}/service?serviceName=s1`), 400, 'specified service not exist, serviceName : DEFAULT_GROUP@@s1');
    expectError(await api().get(`${NS}/service?serviceName=s1`), 404, 'service DEFAULT_GROUP@@s1 is not found!');
    expectError(await api().post(`${NS}/service?serviceName=s3&selector=%7B`), 400, /^Param 'selector' is illegal/);
  });
});

describe('/cluster and /health', () => {
  it('updates a cluster and sets health by hand only with the NONE checker', async () => {
    await register('serviceName=a&ip=1.1.1.1&port=1');
    expectError(await api().put(`${NS}/health?serviceName=a&ip=1.1.1.1&port=1&healthy=false`), 400, 'health check is still working, service: DEFAULT_GROUP@@a');
    const cluster = `${NS}/cluster?serviceName=a&clusterName=DEFAULT&checkPort=80&useInstancePort4Check=true`;
    expectError(await api().put(cluster), 400, "Param 'healthChecker' is required.");
    expectError(await api().put(`${cluster}&healthChecker=%7Bx`), 400, /^Param 'healthChecker' is illegal/);
    expect((await api().put(`${cluster}&healthChecker=${encodeURIComponent('{"type":"NONE"}')}`)).text).toBe('ok');
    expectError(await api().put(`${NS}/cluster?serviceName=a&clusterName=bad_x&checkPort=80&useInstancePort4Check=true&healthChecker=%7B%7D`), 400, /cluster name can only have/);
    expect((await api().put(`${NS}/health/instance?serviceName=a&ip=1.1.1.1&port=1&valid=false`)).text).toBe('ok');
    expect(JSON.parse((await api().get(`${NS}/instance/statuses?key=DEFAULT_GROUP@@a`)).text)).toEqual({ ips: ['1.1.1.1:1_false'] });
    expectError(await api().put(`${NS}/health?serviceName=a&ip=1.1.1.1&port=1`), 400, "Param 'healthy' is required.");
  });

  it('lists checkers and says hello', async () => {
    expect(JSON.parse((await api().get(`${NS}/health/checkers`)).text)).toEqual({
      TCP: { type: 'TCP' },
      HTTP: { type: 'HTTP', path: '', headers: '', expectedResponseCode: 200 },
      MYSQL: { type: 'MYSQL' },
      NONE: { type: 'NONE' },
    });
    expect(JSON.parse((await api().get(`${NS}/health/server`)).text)).toEqual({
      msg: 'Hello! I am Nacos-Naming and healthy! total services: raft 0, local port:8848',
    });
  });
});

describe('/catalog', () => {
  it('serves service, services and instances', async () => {
    await register('serviceName=a&ip=1.1.1.1&port=1');
    const svc = JSON.parse((await api().get(`${NS}/catalog/service?serviceName=a`)).text);
    expect(svc.service).toEqual({ name: 'a', protectThreshold: 0, groupName: 'DEFAULT_GROUP', selector: { type: 'none' }, metadata: {} });
    expect(svc.clusters[0]).toMatchObject({ name: 'DEFAULT', healthChecker: { type: 'TCP' }, defaultCheckPort: 80, useIPPort4Check: true });
    expectError(await api().get(`${NS}/catalog/service?serviceName=zz`), 404, 'service DEFAULT_GROUP@@zz is not found!');
    const list = JSON.parse((await api().get(`${NS}/catalog/services?pageNo=1&pageSize=10&withInstances=false`)).text);
    expect(list).toEqual({
      count: 1,
      serviceList: [{ name: 'a', groupName: 'DEFAULT_GROUP', clusterCount: 1, ipCount: 1, healthyInstanceCount: 1, triggerFlag: 'false' }],
    });
    const detailed = JSON.parse((await api().get(`${NS}/catalog/services?pageNo=1&pageSize=10`)).text);
    expect(detailed[0]).toMatchObject({ serviceName: 'a', clusterMap: { DEFAULT: { hosts: [{ ip: '1.1.1.1', port: 1, valid: true }] } } });
    expectError(await api().get(`${NS}/catalog/services?pageSize=10`), 400, "Param 'pageNo' is required.");
    const inst = JSON.parse((await api().get(`${NS}/catalog/instances?serviceName=a&clusterName=DEFAULT&pageNo=1&pageSize=10`)).text);
    expect(inst).toMatchObject({ count: 1, list: [{ ip: '1.1.1.1', marked: false, app: 'DEFAULT', lastBeat: clock.wallNow() }] });
    expectError(await api().get(`${NS}/catalog/instances?serviceName=a&clusterName=X&pageNo=1&pageSize=10`), 404, 'cluster X is not found!');
    expectError(await api().get(`${NS}/catalog/instances?serviceName=a&pageNo=1&pageSize=10`), 400, "Param 'clusterName' is required.");
  });
});

describe('/operator', () => {
  it('reads and writes switches, refusing unknown entries', async () => {
    const sw = JSON.parse((await api().get(`${NS}/operator/switches`)).text);
    expect(sw).toMatchObject({ defaultPushCacheMillis: 10000, clientBeatInterval: 5000, defaultCacheMillis: 3000, lightBeatEnabled: true });
    expect(sw).not.toHaveProperty('overriddenServerStatus');
    expect((await api().put(`${NS}/operator/switches?entry=clientBeatInterval&value=3000`)).text).toBe('ok');
    expect(JSON.parse((await api().get(`${NS}/ops/switches`)).text).clientBeatInterval).toBe(3000);
    expectError(await api().put(`${NS}/operator/switches?entry=healthCheckEnabled&value=false`), 400, "Param 'entry' is illegal, unknown switch entry: healthCheckEnabled");
    expectError(await api().put(`${NS}/operator/switches?entry=pushCacheMillis&value=1`), 400, /too small/);
    expectError(await api().put(`${NS}/operator/switches?entry=check`), 400, "Param 'value' is required.");
  });

  it('reports metrics and servers', async () => {
    expect(JSON.parse((await api().get(`${NS}/operator/metrics?namespaceId=public`)).text)).toMatchObject({ status: 'UP', serviceCount: 0, instanceCount: 0 });
    expect(JSON.parse((await api().get(`${NS}/operator/servers`)).text)).toMatchObject({
      servers: [{ ip: '127.0.0.1', port: 8848, state: 'UP', address: '127.0.0.1:8848' }],
    });
  });

  it('answers 503 when the server status is overridden to DOWN', async () => {
    await api().put(`${NS}/operator/switches?entry=overriddenServerStatus&value=DOWN`);
    expectError(await api().get(`${NS}/instance/list?serviceName=a`), 503, 'server is DOWN now, please try again later!');
    // A `Nacos-Server` User-Agent is no proof of being a member (CVE-2021-29441): still 503.
    expect((await api().get(`${NS}/instance/list?serviceName=a`).set('User-Agent', 'Nacos-Server:1.4.1')).status).toBe(503);
  });

  it('lets requests forwarded by a verified member through the status gate', async () => {
    await api().put(`${NS}/operator/switches?entry=overriddenServerStatus&value=DOWN`);
    const req = { method: 'GET', path: `${NS}/instance/list`, param: () => undefined, header: () => 'Nacos-Server:1.4.1' };
    expect(statusGate(t.registry, req)?.status).toBe(503);
    expect(statusGate(t.registry, { ...req, forwardedBy: '127.0.0.1:8849' })).toBeUndefined();
  });
});

describe('/console', () => {
  it('does namespace CRUD with 400s for refusals', async () => {
    expect((await api().post('/nacos/v1/console/namespaces?customNamespaceId=dev&namespaceName=Dev&namespaceDesc=d')).text).toBe('true');
    expectError(await api().post('/nacos/v1/console/namespaces?customNamespaceId=dev&namespaceName=Dev'), 400, 'namespace dev already exists');
    expectError(await api().post('/nacos/v1/console/namespaces?customNamespaceId=a%20b&namespaceName=x'), 400, /^Param 'customNamespaceId' is illegal/);
    expectError(await api().post('/nacos/v1/console/namespaces?customNamespaceId=x'), 400, "Param 'namespaceName' is required.");
    const list = JSON.parse((await api().get('/nacos/v1/console/namespaces')).text);
    expect(list).toEqual({
      code: 200,
      message: null,
      data: [
        { namespace: '', namespaceShowName: 'public', quota: 200, configCount: 0, type: 0 },
        { namespace: 'dev', namespaceShowName: 'Dev', quota: 200, configCount: 0, type: 2 },
      ],
    });
    expect(JSON.parse((await api().get('/nacos/v1/console/namespaces?show=all&namespaceId=dev')).text)).toMatchObject({ namespaceDesc: 'd' });
    expect((await api().get('/nacos/v1/console/namespaces?checkNamespaceIdExist=true&customNamespaceId=dev')).text).toBe('true');
    expect((await api().get('/nacos/v1/console/namespaces?checkNamespaceIdExist=true&customNamespaceId=x')).text).toBe('false');
    expect((await api().put('/nacos/v1/console/namespaces?namespace=dev&namespaceShowName=Dev2')).text).toBe('true');
    expectError(await api().put('/nacos/v1/console/namespaces?namespace=nope&namespaceShowName=x'), 400, 'namespace nope does not exist');
    expectError(await api().delete('/nacos/v1/console/namespaces?namespaceId=public'), 400, 'the default namespace public cannot be deleted');
    expect((await api().delete('/nacos/v1/console/namespaces?namespaceId=dev')).text).toBe('true');
    expectError(await api().get('/nacos/v1/console/namespaces?show=all&namespaceId=dev'), 404, 'namespace dev is not found');
  });

  it('answers liveness and readiness', async () => {
    expect((await api().get('/nacos/v1/console/health/liveness')).text).toBe('OK');
    expect((await api().get('/nacos/v1/console/health/readiness')).text).toBe('OK');
    expect(JSON.parse((await api().get('/nacos/v1/console/server/state')).text)).toMatchObject({ standalone_mode: 'standalone' });
  });
});

describe('errors', () => {
  it('answers 501 for unknown naming routes, 404 elsewhere, 405 for a wrong method', async () => {
    expectError(await api().get(`${NS}/nope`), 501, `no such api:GET:${NS}/nope`);
    expectError(await api().patch(`${NS}/service`), 405, `no such api:PATCH:${NS}/service`);
    expectError(await api().patch('/nacos/v1/console/namespaces'), 405, 'no such api:PATCH:/nacos/v1/console/namespaces');
    expectError(await api().get('/elsewhere'), 404, 'no such api:GET:/elsewhere');
  });

  it('answers 413 for oversized bodies', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10);
    expectError(await api().post(`${NS}/instance`).type('form').send(`metadata=${big}`), 413, 'request entity too large');
    expectError(await api().post(`${NS}/instance`).type('application/octet-stream').send(Buffer.alloc(1024 * 1024 + 10)), 413, 'request entity too large');
  });

  it('hides unexpected errors behind a 500 without details', async () => {
    t.registry.metrics = () => {
      throw new Error('secret detail');
    };
    const res = await api().get(`${NS}/operator/metrics`);
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('secret');
    expect(res.text).not.toMatch(/\n\s+at /);
  });
});

describe('readiness without a leader', () => {
  it('reports 500 and refuses naming calls with 503', async () => {
    const notReady = await createTestApp({ clock });
    notReady.registry.setProposer({ propose: () => Promise.reject(new Error('no')) }, () => false);
    const res = await request(notReady.app).get('/nacos/v1/console/health/readiness');
    expect(res.status).toBe(500);
    expect(res.text).toBe('Naming is not in readiness');
    expect((await request(notReady.app).get(`${NS}/instance/list?serviceName=a`)).status).toBe(503);
    await notReady.stop();
  });
});
