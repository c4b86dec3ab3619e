// Persistent data is written through Raft on LMDB: once acknowledged it must survive kill -9.
import { type TacosProcess, removeDir, startTacos, tempDir } from '@tacos/testkit';
import { call, uniqueName } from './support';

const NS = '/nacos/v1/ns';
let server: TacosProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('tacos-durability-');
  server = await startTacos({ dataDir });
});

afterAll(async () => {
  await server?.stop();
  removeDir(dataDir);
});

async function listHosts(serviceName: string, namespaceId = 'public') {
  const res = await call(server.url, 'GET', `${NS}/instance/list`, { serviceName, namespaceId });
  expect(res.status).toBe(200);
  return (res.json as { hosts: Array<{ ip: string; port: number; weight: number; metadata: Record<string, string> }> })
    .hosts;
}

test('services, clusters, persistent instances and namespaces survive kill -9', async () => {
  const service = uniqueName('durable');
  const namespaceId = uniqueName('ns');
  expect(
    (
      await call(server.url, 'POST', '/nacos/v1/console/namespaces', {
        customNamespaceId: namespaceId,
        namespaceName: 'Durable namespace',
        namespaceDesc: 'kept across restarts',
      })
    ).status,
  ).toBe(200);
  const created = await call(server.url, 'POST', `${NS}/service`, {
    serviceName: service,
    protectThreshold: 0.5,
    metadata: 'owner=payments',
  });
  expect([created.status, created.text]).toEqual([200, 'ok']);
  const cluster = await call(server.url, 'PUT', `${NS}/cluster`, {
    serviceName: service,
    clusterName: 'east',
    checkPort: 8081,
    useInstancePort4Check: false,
    healthChecker: JSON.stringify({ type: 'HTTP', path: '/health', headers: '' }),
  });
  expect([cluster.status, cluster.text]).toEqual([200, 'ok']);
  for (let i = 1; i <= 3; i++) {
    const reg = await call(server.url, 'POST', `${NS}/instance`, {
      serviceName: service,
      ip: `127.1.0.${i}`,
      port: 7000 + i,
      ephemeral: false,
      weight: i,
      clusterName: 'east',
      metadata: JSON.stringify({ n: String(i) }),
    });
    expect([reg.status, reg.text]).toEqual([200, 'ok']);
  }
  const inNamespace = await call(server.url, 'POST', `${NS}/instance`, {
    serviceName: service,
    namespaceId,
    ip: '127.1.1.1',
    port: 1,
    ephemeral: false,
  });
  expect(inNamespace.status).toBe(200);

  await server.kill('SIGKILL');
  await server.restart();

  const hosts = await listHosts(service);
  expect(hosts.map((h) => [h.ip, h.port, h.weight, h.metadata.n]).sort()).toEqual([
    ['127.1.0.1', 7001, 1, '1'],
    ['127.1.0.2', 7002, 2, '2'],
    ['127.1.0.3', 7003, 3, '3'],
  ]);
  const svc = await call(server.url, 'GET', `${NS}/service`, { serviceName: service });
  expect(svc.status).toBe(200);
  expect(svc.json).toMatchObject({ protectThreshold: 0.5, metadata: { owner: 'payments' } });
  const clusters = (svc.json as { clusters: Array<{ name: string; healthChecker: { type: string } }> }).clusters;
  expect(clusters.find((c) => c.name === 'east')?.healthChecker.type).toBe('HTTP');
  expect((await listHosts(service, namespaceId)).map((h) => h.ip)).toEqual(['127.1.1.1']);
  const namespaces = await call(server.url, 'GET', '/nacos/v1/console/namespaces');
  expect(JSON.stringify(namespaces.json)).toContain(namespaceId);
});

test('no acknowledged write is lost when the server is killed in the middle of a write stream', async () => {
  const service = uniqueName('stream');
  const acknowledged: number[] = [];
  let stop = false;
  const writers = Array.from({ length: 8 }, (_, w) =>
    (async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        const port = w * 1000 + i + 1;
        try {
          const res = await call(server.url, 'POST', `${NS}/instance`, {
            serviceName: service,
            ip: '127.2.0.1',
            port,
            ephemeral: false,
          });
          if (res.status === 200 && res.text === 'ok') acknowledged.push(port);
        } catch {
          return; // connection refused or reset: the server is gone
        }
      }
    })(),
  );
  // Let some writes land, then crash the server while the writers are still going.
  const deadline = Date.now() + 20_000;
  while (acknowledged.length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await server.kill('SIGKILL');
  stop = true;
  await Promise.all(writers);
  expect(acknowledged.length).toBeGreaterThanOrEqual(200);

  await server.restart();
  const present = new Set((await listHosts(service)).map((h) => h.port));
  const lost = acknowledged.filter((port) => !present.has(port));
  expect(lost).toEqual([]);
});
