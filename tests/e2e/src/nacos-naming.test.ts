// The real nacos-naming client (npm 2.6.3) against a real Tacos process: what it does must work.
import { get } from 'node:http';
import { type TacosProcess, removeDir, startTacos, waitFor } from '@tacos/testkit';
import { type NamingClient, namingClient } from './naming-client';
import { uniqueName } from './support';

let server: TacosProcess;
const clients: NamingClient[] = [];

async function newClient(namespace?: string): Promise<NamingClient> {
  const client = await namingClient(`127.0.0.1:${server.port}`, namespace ? { namespace } : {});
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startTacos();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

test('registers an ephemeral instance and lists it with the fields clients rely on', async () => {
  const client = await newClient();
  const service = uniqueName('order');
  await client.registerInstance(service, { ip: '127.0.0.5', port: 8080, weight: 2, metadata: { zone: 'a' } });
  const hosts = await client.getAllInstances(service, 'DEFAULT_GROUP', '', false);
  expect(hosts).toHaveLength(1);
  const [host] = hosts;
  expect(host).toMatchObject({
    ip: '127.0.0.5',
    port: 8080,
    weight: 2,
    healthy: true,
    enabled: true,
    ephemeral: true,
    clusterName: 'DEFAULT',
    serviceName: `DEFAULT_GROUP@@${service}`,
    instanceId: `127.0.0.5#8080#DEFAULT#DEFAULT_GROUP@@${service}`,
    metadata: { zone: 'a' },
  });
  await client.deregisterInstance(service, { ip: '127.0.0.5', port: 8080 });
  // nacos-naming ignores an empty `hosts` answer for a key it has cached, so ask a fresh client.
  const fresh = await newClient();
  expect(await fresh.getAllInstances(service, 'DEFAULT_GROUP', '', false)).toEqual([]);
});

test('registers and deregisters a persistent instance', async () => {
  const client = await newClient();
  const service = uniqueName('persist');
  await client.registerInstance(service, { ip: '127.0.1.1', port: 9000, ephemeral: false });
  const hosts = await client.getAllInstances(service, 'DEFAULT_GROUP', '', false);
  expect(hosts.map((h) => [h.ip, h.port, h.ephemeral])).toEqual([['127.0.1.1', 9000, false]]);
  await client.deregisterInstance(service, { ip: '127.0.1.1', port: 9000, ephemeral: false });
  const fresh = await newClient();
  expect(await fresh.getAllInstances(service, 'DEFAULT_GROUP', '', false)).toEqual([]);
});

test('selectInstances filters by health; an unknown service is an empty list', async () => {
  const client = await newClient();
  const service = uniqueName('select');
  await client.registerInstance(service, { ip: '127.0.2.1', port: 1 });
  await client.registerInstance(service, { ip: '127.0.2.2', port: 2 });
  const healthy = await client.selectInstances(service, 'DEFAULT_GROUP', '', true, false);
  expect(healthy.map((h) => h.ip).sort()).toEqual(['127.0.2.1', '127.0.2.2']);
  expect(await client.selectInstances(service, 'DEFAULT_GROUP', '', false, false)).toEqual([]);
  expect(await client.getAllInstances(uniqueName('nobody'), 'DEFAULT_GROUP', '', false)).toEqual([]);
});

test('groups and clusters keep instances apart', async () => {
  const client = await newClient();
  const service = uniqueName('grouped');
  await client.registerInstance(service, { ip: '127.0.3.1', port: 1, clusterName: 'east' }, 'group-a');
  await client.registerInstance(service, { ip: '127.0.3.2', port: 2, clusterName: 'west' }, 'group-a');
  await client.registerInstance(service, { ip: '127.0.3.3', port: 3 }, 'group-b');

  const all = await client.getAllInstances(service, 'group-a', '', false);
  expect(all.map((h) => h.ip).sort()).toEqual(['127.0.3.1', '127.0.3.2']);
  expect(all.every((h) => h.serviceName === `group-a@@${service}`)).toBe(true);
  const east = await client.getAllInstances(service, 'group-a', 'east', false);
  expect(east.map((h) => [h.ip, h.clusterName])).toEqual([['127.0.3.1', 'east']]);
  const both = await client.getAllInstances(service, 'group-a', 'east,west', false);
  expect(both).toHaveLength(2);
  const other = await client.getAllInstances(service, 'group-b', '', false);
  expect(other.map((h) => h.ip)).toEqual(['127.0.3.3']);
  expect(await client.getAllInstances(service, 'DEFAULT_GROUP', '', false)).toEqual([]);
});

test('namespaces are separate registries', async () => {
  const inNamespace = await newClient('e2e-ns');
  const inPublic = await newClient();
  const service = uniqueName('tenant');
  await inNamespace.registerInstance(service, { ip: '127.0.4.1', port: 1 });
  expect((await inNamespace.getAllInstances(service, 'DEFAULT_GROUP', '', false)).map((h) => h.ip)).toEqual([
    '127.0.4.1',
  ]);
  expect(await inPublic.getAllInstances(service, 'DEFAULT_GROUP', '', false)).toEqual([]);
});

test('getServerStatus reports UP', async () => {
  const client = await newClient();
  expect(await client.getServerStatus()).toBe('UP');
});

test('subscribe (polling) delivers the current list and later changes', async () => {
  const client = await newClient();
  const service = uniqueName('watched');
  await client.registerInstance(service, { ip: '127.0.5.1', port: 1 });
  const seen: string[][] = [];
  // Without `clusters` nacos-naming subscribes to the DEFAULT cluster only; that is where we register.
  client.subscribe(service, (hosts) => seen.push(hosts.map((h) => `${h.ip}:${h.port}`).sort()));
  await waitFor(() => seen.some((list) => list.join() === '127.0.5.1:1'), { timeoutMs: 15_000, what: 'first list' });
  await client.registerInstance(service, { ip: '127.0.5.2', port: 2 });
  // Polls come every cacheMillis (10 s from Nacos); a UDP push may make it sooner.
  await waitFor(() => seen.some((list) => list.join() === '127.0.5.1:1,127.0.5.2:2'), {
    timeoutMs: 25_000,
    what: 'the second instance to reach the subscriber',
  });
  client.unSubscribe(service);
});

test('full beats re-create ephemeral instances lost in a server restart', async () => {
  const client = await newClient();
  const service = uniqueName('beating');
  await client.registerInstance(service, { ip: '127.0.6.1', port: 6000, weight: 3, metadata: { v: '1' } });
  await server.restart(); // kill -9: ephemeral data is gone with the process
  const probe = await newClient();
  const handedOverBefore = await handedOver();
  // nacos-naming beats about 10 s after it was created, then every clientBeatInterval (5 s).
  const hosts = await waitFor(
    async () => {
      const list = await probe.getAllInstances(service, 'DEFAULT_GROUP', '', false);
      return list.length === 1 ? list : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500, what: 'the beat to re-register the instance' },
  );
  expect(hosts[0]).toMatchObject({ ip: '127.0.6.1', port: 6000, weight: 3, metadata: { v: '1' } });
  // The beats and list polls of both clients were read by the hot front: none of their connections
  // went to node's parser (the one more is this scrape's own connection).
  expect(await handedOver()).toBe(handedOverBefore + 1);
});

/** The server's count of connections the hot front handed to node's parser (read over a connection that is itself handed over). */
async function handedOver(): Promise<number> {
  const page = await new Promise<string>((resolve, reject) => {
    const req = get(`http://127.0.0.1:${server.port}/nacos/actuator/prometheus`, { agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
  });
  const match = /\ntacos_http_hot_front_handed_over (\d+)/.exec(page);
  if (!match) throw new Error('tacos_http_hot_front_handed_over is not on the metrics page');
  return Number(match[1]);
}

test('reads a large list the server sends gzip-compressed, as it does for every client that accepts gzip', async () => {
  const client = await newClient();
  const service = uniqueName('large');
  for (let i = 1; i <= 25; i++) await client.registerInstance(service, { ip: `127.0.4.${i}`, port: 8080, metadata: { zone: 'a' } });
  // The server really compresses this answer for the client's Accept-Encoding (gzip,deflate,sdch).
  const raw = await fetch(`http://127.0.0.1:${server.port}/nacos/v1/ns/instance/list?serviceName=DEFAULT_GROUP%40%40${service}`, {
    headers: { 'accept-encoding': 'gzip,deflate,sdch', 'user-agent': 'Nacos-Java-Client:v1.0.0' },
  });
  expect(raw.headers.get('content-encoding')).toBe('gzip');
  expect(((await raw.json()) as { hosts: unknown[] }).hosts).toHaveLength(25);
  const hosts = await client.getAllInstances(service, 'DEFAULT_GROUP', '', false);
  expect(hosts.map((h) => h.ip).sort()).toEqual(Array.from({ length: 25 }, (_, i) => `127.0.4.${i + 1}`).sort());
  expect(hosts.every((h) => h.metadata.zone === 'a' && h.healthy)).toBe(true);
});
