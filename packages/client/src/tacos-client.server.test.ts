// TacosClient against a real Tacos server process (@tacos/testkit): round trips, the server's own
// refusals as TacosHttpError, and failover from a dead address to the live one.
import { freePort, startTacos, type TacosProcess } from '@tacos/testkit';
import { TacosHttpError, TacosUnreachableError } from './errors';
import { TacosClient } from './tacos-client';

jest.setTimeout(60_000);

describe('TacosClient against a real server', () => {
  let server: TacosProcess;
  let client: TacosClient;

  beforeAll(async () => {
    server = await startTacos();
    client = new TacosClient({ servers: server.url });
  });
  afterAll(() => server?.stop());

  it('answers readiness and liveness', async () => {
    await expect(client.readiness()).resolves.toBeUndefined();
    await expect(client.liveness()).resolves.toBeUndefined();
  });

  it('registers, lists, gets, patches and deregisters an instance', async () => {
    await client.registerInstance({ serviceName: 'order', ip: '127.0.0.5', port: 8080, metadata: { k: 'v' }, weight: 2 });
    const list = await client.listInstances({ serviceName: 'order' });
    expect(list.hosts).toEqual([expect.objectContaining({ ip: '127.0.0.5', port: 8080, weight: 2, healthy: true, metadata: { k: 'v' } })]);
    const one = await client.getInstance({ serviceName: 'order', ip: '127.0.0.5', port: 8080 });
    expect(one).toMatchObject({ ip: '127.0.0.5', port: 8080 });
    await client.patchInstance({ serviceName: 'order', ip: '127.0.0.5', port: 8080, weight: 3 });
    expect((await client.listInstances({ serviceName: 'order' })).hosts[0]).toMatchObject({ weight: 3, metadata: { k: 'v' } });
    await client.deregisterInstance({ serviceName: 'order', ip: '127.0.0.5', port: 8080 });
    expect((await client.listInstances({ serviceName: 'order' })).hosts).toEqual([]);
  });

  it('renews a lease with a beat and reports unknown instances with 20404', async () => {
    await client.registerInstance({ serviceName: 'beat', ip: '127.0.0.6', port: 1 });
    const known = await client.sendBeat({ serviceName: 'beat', ip: '127.0.0.6', port: 1 });
    expect(known.code).toBe(10200);
    expect(known.clientBeatInterval).toBeGreaterThan(0);
    const unknown = await client.sendBeat({ serviceName: 'beat', ip: '127.0.0.7', port: 1 });
    expect(unknown.code).toBe(20404);
  });

  it('creates, reads, updates, lists and deletes services', async () => {
    await client.createService({ serviceName: 'svc', groupName: 'G', protectThreshold: 0.3, metadata: { a: 'b' } });
    expect(await client.getService({ serviceName: 'svc', groupName: 'G' })).toMatchObject({ name: 'svc', groupName: 'G', protectThreshold: 0.3, metadata: { a: 'b' } });
    await client.updateService({ serviceName: 'svc', groupName: 'G', protectThreshold: 0.6 });
    expect((await client.getService({ serviceName: 'svc', groupName: 'G' })).protectThreshold).toBe(0.6);
    expect((await client.listServices({ groupName: 'G' })).doms).toContain('svc');
    await client.deleteService({ serviceName: 'svc', groupName: 'G' });
  });

  it('rejects with TacosHttpError carrying the server status, message and URL', async () => {
    const missing = await client.getService({ serviceName: 'nope' }).catch((e) => e);
    expect(missing).toBeInstanceOf(TacosHttpError);
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('nope');
    expect(missing.url).toBe(`${server.url}/nacos/v1/ns/service?serviceName=nope`);

    const bad = await client.registerInstance({ serviceName: 's', ip: '127.0.0.1', port: -1 }).catch((e) => e);
    expect(bad).toBeInstanceOf(TacosHttpError);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/port/i);
  });

  it('creates, lists and deletes namespaces', async () => {
    expect(await client.createNamespace({ customNamespaceId: 'dev', namespaceName: 'Dev' })).toBe(true);
    expect((await client.listNamespaces()).map((n) => n.namespace)).toContain('dev');
    expect(await client.namespaceExists('dev')).toBe(true);
    expect(await client.deleteNamespace('dev')).toBe(true);
  });

  it('keeps namespaces apart through the namespaceId option', async () => {
    const dev = new TacosClient({ servers: server.url, namespaceId: 'ns-a' });
    await dev.registerInstance({ serviceName: 'iso', ip: '127.0.0.9', port: 1 });
    expect((await dev.listInstances({ serviceName: 'iso' })).hosts).toHaveLength(1);
    expect((await client.listInstances({ serviceName: 'iso' })).hosts).toHaveLength(0);
  });

  it('streams the instance list on every change (SSE watch)', async () => {
    await client.registerInstance({ serviceName: 'watched', ip: '127.0.1.1', port: 1 });
    const controller = new AbortController();
    const seen: string[][] = [];
    const timer = setTimeout(() => controller.abort(), 15_000);
    try {
      for await (const list of client.watchInstances({ serviceName: 'watched' }, { signal: controller.signal })) {
        seen.push(list.hosts.map((h) => h.ip).sort());
        if (seen.length === 1) await client.registerInstance({ serviceName: 'watched', ip: '127.0.1.2', port: 1 });
        if (list.hosts.length === 2) break;
      }
    } finally {
      clearTimeout(timer);
    }
    expect(seen[0]).toEqual(['127.0.1.1']);
    expect(seen[seen.length - 1]).toEqual(['127.0.1.1', '127.0.1.2']);
  });

  it('fails over from a dead address to the live server', async () => {
    const dead = await freePort();
    const failover = new TacosClient({ servers: [`127.0.0.1:${dead}`, server.url] });
    await expect(failover.metrics()).resolves.toMatchObject({ status: 'UP' });
  });

  it('reports every address tried when none answers', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const error = await new TacosClient({ servers: [`127.0.0.1:${a}`, `127.0.0.1:${b}`] }).readiness().catch((e) => e);
    expect(error).toBeInstanceOf(TacosUnreachableError);
    expect(error.addresses).toEqual([`http://127.0.0.1:${a}`, `http://127.0.0.1:${b}`]);
  });
});
