import type { ServerResponse } from 'node:http';
import { TacosClientError, TacosHttpError } from './errors';
import { TacosClient } from './tacos-client';
import { type RecordedRequest, startRecordingServer } from './testing/recording-server';

type Recording = Awaited<ReturnType<typeof startRecordingServer>>;

// The wire format of each call, checked against a real loopback HTTP server that records requests.
// Behaviour against the real Tacos server is covered by tacos-client.server.test.ts.
describe('TacosClient wire format', () => {
  let server: Recording;
  let answer: string;
  beforeAll(async () => {
    server = await startRecordingServer(() => ({ body: answer }));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    answer = 'ok';
  });
  const last = (): RecordedRequest => server.requests[server.requests.length - 1]!;

  it('registers with every Nacos parameter name, metadata as a JSON object string', async () => {
    const client = new TacosClient({ servers: server.url, namespaceId: 'dev' });
    await client.registerInstance({
      serviceName: 'order',
      groupName: 'G',
      ip: '10.0.0.5',
      port: 8080,
      clusterName: 'c1',
      weight: 2.5,
      ephemeral: false,
      enabled: true,
      healthy: true,
      metadata: { k: 'v' },
      app: 'shop',
    });
    expect(last()).toMatchObject({ method: 'POST', path: '/nacos/v1/ns/instance' });
    expect(last().query).toEqual({
      serviceName: 'order',
      groupName: 'G',
      namespaceId: 'dev',
      ip: '10.0.0.5',
      port: '8080',
      clusterName: 'c1',
      ephemeral: 'false',
      weight: '2.5',
      enabled: 'true',
      healthy: 'true',
      metadata: '{"k":"v"}',
      app: 'shop',
    });
  });

  it('lets a call override the default namespace and passes text metadata through', async () => {
    const client = new TacosClient({ servers: server.url, namespaceId: 'dev' });
    await client.updateInstance({ serviceName: 's', ip: '1.2.3.4', port: 1, namespaceId: 'prod', metadata: 'a=1,b=2' });
    expect(last().method).toBe('PUT');
    expect(last().query).toEqual({ serviceName: 's', namespaceId: 'prod', ip: '1.2.3.4', port: '1', metadata: 'a=1,b=2' });
    await client.patchInstance({ serviceName: 's', ip: '1.2.3.4', port: 1, weight: 3 });
    expect(last().method).toBe('PATCH');
    await client.deregisterInstance({ serviceName: 's', ip: '1.2.3.4', port: 1, ephemeral: true });
    expect(last()).toMatchObject({ method: 'DELETE', query: { serviceName: 's', ip: '1.2.3.4', port: '1', ephemeral: 'true', namespaceId: 'dev' } });
  });

  it('lists instances with clusters joined by commas and parses the answer', async () => {
    answer = JSON.stringify({ name: 'DEFAULT_GROUP@@s', clusters: 'a,b', cacheMillis: 3000, hosts: [{ ip: '1.1.1.1', port: 1 }] });
    const client = new TacosClient({ servers: server.url });
    const list = await client.listInstances({ serviceName: 's', clusters: ['a', 'b'], healthyOnly: true });
    expect(last().query).toEqual({ serviceName: 's', clusters: 'a,b', healthyOnly: 'true' });
    expect(list.hosts[0]!.ip).toBe('1.1.1.1');
  });

  it('sends a full beat as a form field and a light beat without one', async () => {
    answer = '{"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true}';
    const client = new TacosClient({ servers: server.url });
    const result = await client.sendBeat({ serviceName: 's', ip: '1.1.1.1', port: 2, beat: { ip: '1.1.1.1', port: 2, serviceName: 's' } });
    expect(result.code).toBe(10200);
    expect(last()).toMatchObject({ method: 'PUT', path: '/nacos/v1/ns/instance/beat', query: { serviceName: 's', ip: '1.1.1.1', port: '2' } });
    expect(JSON.parse(last().form.beat!)).toEqual({ ip: '1.1.1.1', port: 2, serviceName: 's' });
    await client.sendBeat({ serviceName: 's', ip: '1.1.1.1', port: 2 });
    expect(last().rawBody).toBe('');
  });

  it('uses the documented paths for services, namespaces, cluster and auth', async () => {
    const client = new TacosClient({ servers: server.url });
    const calls: Array<[() => Promise<unknown>, string, string, string]> = [
      [() => client.createService({ serviceName: 's', protectThreshold: 0.5, metadata: { a: 'b' } }), 'POST', '/nacos/v1/ns/service', 'ok'],
      [() => client.updateService({ serviceName: 's' }), 'PUT', '/nacos/v1/ns/service', 'ok'],
      [() => client.deleteService({ serviceName: 's' }), 'DELETE', '/nacos/v1/ns/service', 'ok'],
      [() => client.getService({ serviceName: 's' }), 'GET', '/nacos/v1/ns/service', '{}'],
      [() => client.listServices(), 'GET', '/nacos/v1/ns/service/list', '{"count":0,"doms":[]}'],
      [() => client.catalogServices(), 'GET', '/nacos/v1/ns/catalog/services', '{"count":0,"serviceList":[]}'],
      [() => client.raftState(), 'GET', '/nacos/v1/ns/raft/state', '{}'],
      [() => client.operatorServers(), 'GET', '/nacos/v1/ns/operator/servers', '{"servers":[]}'],
      [() => client.clusterNodes(), 'GET', '/nacos/v1/core/cluster/nodes', '{"code":200,"message":null,"data":[]}'],
      [() => client.addClusterMember('1.2.3.4:8848'), 'POST', '/nacos/v1/core/cluster/members', 'ok'],
      [() => client.removeClusterMember('1.2.3.4:8848'), 'DELETE', '/nacos/v1/core/cluster/members', 'ok'],
      [() => client.listNamespaces(), 'GET', '/nacos/v1/console/namespaces', '{"code":200,"message":null,"data":[]}'],
      [() => client.createNamespace({ customNamespaceId: 'dev', namespaceName: 'Dev' }), 'POST', '/nacos/v1/console/namespaces', 'true'],
      [() => client.deleteNamespace('dev'), 'DELETE', '/nacos/v1/console/namespaces', 'true'],
      [() => client.listUsers(), 'GET', '/nacos/v1/auth/users', '{"totalCount":0,"pageNumber":1,"pagesAvailable":0,"pageItems":[]}'],
      [() => client.createRole('r', 'u'), 'POST', '/nacos/v1/auth/roles', 'ok'],
      [() => client.createPermission('r', 'dev', 'rw'), 'POST', '/nacos/v1/auth/permissions', 'ok'],
      [() => client.readiness(), 'GET', '/nacos/v1/console/health/readiness', 'OK'],
    ];
    for (const [call, method, path, body] of calls) {
      answer = body;
      await call();
      expect(`${last().method} ${last().path}`).toBe(`${method} ${path}`);
    }
    expect(server.requests.find((r) => r.path.endsWith('/members'))!.query).toEqual({ address: '1.2.3.4:8848' });
  });

  it('unwraps RestResult envelopes', async () => {
    const client = new TacosClient({ servers: server.url });
    answer = '{"code":200,"message":null,"data":[{"namespace":"","namespaceShowName":"public"}]}';
    expect(await client.listNamespaces()).toEqual([{ namespace: '', namespaceShowName: 'public' }]);
  });

  it('logs in with a form body and keeps the password out of the URL', async () => {
    answer = '{"accessToken":"jwt","tokenTtl":18000,"globalAdmin":true}';
    const client = new TacosClient({ servers: server.url });
    const result = await client.login('nacos', 's3cret');
    expect(result.accessToken).toBe('jwt');
    expect(last().form).toEqual({ username: 'nacos', password: 's3cret' });
    expect(last().query).toEqual({});
    await client.initAdmin('first-admin-pw');
    expect(last()).toMatchObject({ method: 'POST', path: '/nacos/v1/auth/users/admin', form: { password: 'first-admin-pw' }, query: {} });
    client.setToken(result.accessToken);
    answer = 'ok';
    await client.deleteUser('bob');
    expect(last().query).toEqual({ username: 'bob', accessToken: 'jwt' });
  });

  it('rejects a non-JSON answer where JSON was expected with BAD_RESPONSE', async () => {
    answer = '<html>';
    const client = new TacosClient({ servers: server.url });
    const error = await client.getService({ serviceName: 's' }).catch((e) => e);
    expect(error).toBeInstanceOf(TacosClientError);
    expect(error.code).toBe('BAD_RESPONSE');
  });
});

describe('TacosClient.watchInstances', () => {
  let server: Recording;
  let write: ((res: ServerResponse) => void) | undefined;
  beforeAll(async () => {
    server = await startRecordingServer((req, res) => {
      if (req.path !== '/nacos/v1/ns/instance/watch') return { status: 404, body: 'no such api' };
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      write?.(res);
      return undefined;
    });
  });
  afterAll(() => server.close());

  it('yields each instance list the server streams, until aborted', async () => {
    write = (res) => {
      res.write(': hello\n\n');
      res.write(`data: ${JSON.stringify({ name: 'G@@s', clusters: '', cacheMillis: 0, hosts: [] })}\n\n`);
      res.write('event: ping\ndata: keep-alive\n\n');
      setTimeout(() => res.write(`event: instances\ndata: ${JSON.stringify([{ ip: '1.1.1.1', port: 80 }])}\n\n`), 20);
    };
    const client = new TacosClient({ servers: server.url });
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const list of client.watchInstances({ serviceName: 's', groupName: 'G' }, { signal: controller.signal })) {
      seen.push(list.hosts.length);
      if (seen.length === 2) controller.abort();
    }
    expect(seen).toEqual([0, 1]);
    expect(server.requests[0]!.query).toEqual({ serviceName: 's', groupName: 'G' });
    expect(server.requests[0]!.headers.accept).toBe('text/event-stream');
  });

  it('rejects with a 404 TacosHttpError when the server has no watch endpoint', async () => {
    const other = await startRecordingServer(() => ({ status: 404, body: 'no such api:GET:/nacos/v1/ns/instance/watch' }));
    try {
      const client = new TacosClient({ servers: other.url });
      const iterator = client.watchInstances({ serviceName: 's' });
      const error = await iterator.next().catch((e) => e);
      expect(error).toBeInstanceOf(TacosHttpError);
      expect(error.status).toBe(404);
      expect(error.body).toContain('no such api');
    } finally {
      await other.close();
    }
  });
});
