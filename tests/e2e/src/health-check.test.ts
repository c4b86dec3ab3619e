// Health against a real Tacos process: the server's TCP check of a persistent instance follows a real
// listener on 127.0.0.1 going away and coming back, NONE leaves health to PUT /health, and an
// instance whose nacos-naming client stops beating turns unhealthy at 15 s and disappears at 30 s.
import { type AddressInfo, createServer, type Server } from 'node:net';
import { waitFor } from '@tacos/testkit';
import { call, recordingLogger, uniqueName, useTacosServer } from './support';

// nacos-naming is plain JS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NacosNamingClient } = require('nacos-naming') as {
  NacosNamingClient: new (options: Record<string, unknown>) => {
    ready(): Promise<void>;
    close(): Promise<void>;
    registerInstance(service: string, instance: Record<string, unknown>): Promise<void>;
  };
};

// Alibaba Cloud credentials in the environment would make the client sign requests or fetch credentials.
for (const key of Object.keys(process.env)) if (key.startsWith('ALIBABA_CLOUD_')) delete process.env[key];

const server = useTacosServer();
const NS = '/nacos/v1/ns';

type Host = { ip: string; port: number; healthy: boolean };

async function hosts(serviceName: string): Promise<Host[]> {
  // healthyOnly=false and a protect threshold of 0 would report a lone unhealthy instance healthy;
  // catalog/instances shows the stored health.
  const res = await call(server().url, 'GET', `${NS}/catalog/instances`, { serviceName, clusterName: 'DEFAULT', pageNo: 1, pageSize: 100 });
  return (res.json as { list: Host[] }).list;
}

function listen(port = 0): Promise<Server> {
  const tcp = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', () => resolve(tcp));
  });
}

test('a persistent instance turns unhealthy when its TCP port closes and healthy when it opens again', async () => {
  // Faster adaptive interval (500–3000 ms instead of 1000–5000) keeps the test short; the consecutive
  // thresholds stay at Nacos' 3.
  const tcpParams = JSON.stringify({ tcpHealthParams: { min: 500, max: 3000, factor: 0.5 } });
  expect((await call(server().url, 'PUT', `${NS}/operator/switches`, { entry: 'batch', value: tcpParams })).text).toBe('ok');

  const serviceName = uniqueName('checked');
  let tcp = await listen();
  const port = (tcp.address() as AddressInfo).port;
  try {
    const res = await call(server().url, 'POST', `${NS}/instance`, { serviceName, ip: '127.0.0.1', port, ephemeral: false });
    expect(res.text).toBe('ok');
    // A probe ran (first round within 2–7 s): the cluster has RT figures.
    await waitFor(
      async () => {
        const rt = (await call(server().url, 'GET', `${NS}/catalog/rt/service`, { serviceName })).json as { clusters: Array<{ checkRTBest: number }> };
        return (rt.clusters[0]?.checkRTBest ?? -1) >= 0;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'the first health check' },
    );
    expect(await hosts(serviceName)).toMatchObject([{ ip: '127.0.0.1', port, healthy: true }]);

    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    const closedAt = Date.now();
    // A refused connect flips at once (Nacos' fail-now), at the next round: the round after the first
    // was scheduled with the initial interval (2–7 s), later ones with 0.5–3 s.
    await waitFor(async () => (await hosts(serviceName))[0]?.healthy === false, { timeoutMs: 12_000, intervalMs: 100, what: 'unhealthy' });
    const unhealthyAfter = Date.now() - closedAt;

    tcp = await listen(port);
    const openedAt = Date.now();
    // Three consecutive successful checks.
    await waitFor(async () => (await hosts(serviceName))[0]?.healthy === true, { timeoutMs: 20_000, intervalMs: 100, what: 'healthy again' });
    process.stdout.write(`health e2e: port closed → unhealthy in ${unhealthyAfter} ms; reopened → healthy in ${Date.now() - openedAt} ms\n`);
  } finally {
    tcp.close();
  }
}, 60_000);

test('NONE leaves health to PUT /health, which is refused while a checker runs', async () => {
  const serviceName = uniqueName('manual');
  const instance = { serviceName, ip: '127.0.0.1', port: 9, ephemeral: false };
  expect((await call(server().url, 'POST', `${NS}/instance`, instance)).text).toBe('ok');
  const refused = await call(server().url, 'PUT', `${NS}/health`, { ...instance, healthy: false });
  expect(refused.status).toBe(400);
  expect(refused.text).toMatch(/health check is still working/);

  const cluster = { serviceName, clusterName: 'DEFAULT', checkPort: 80, useInstancePort4Check: true, healthChecker: '{"type":"NONE"}' };
  expect((await call(server().url, 'PUT', `${NS}/cluster`, cluster)).text).toBe('ok');
  expect((await call(server().url, 'PUT', `${NS}/health`, { ...instance, healthy: false })).text).toBe('ok');
  expect(await hosts(serviceName)).toMatchObject([{ port: 9, healthy: false }]);
  expect((await call(server().url, 'PUT', `${NS}/health`, { ...instance, healthy: true })).text).toBe('ok');
  expect(await hosts(serviceName)).toMatchObject([{ port: 9, healthy: true }]);
});

test('an instance whose client stops beating is unhealthy after 15 s and gone after 30 s', async () => {
  const serviceName = uniqueName('silent');
  const client = new NacosNamingClient({ logger: recordingLogger(), serverList: `127.0.0.1:${server().port}` });
  await client.ready();
  // The server's lease starts somewhere between these two instants.
  const sentAt = Date.now();
  await client.registerInstance(serviceName, { ip: '127.0.0.41', port: 8080 });
  const registeredAt = Date.now();
  // Its first beat would come ~10 s after the client was created; closing now means no beat at all,
  // so the lease runs from the registration.
  await client.close();
  expect(await hosts(serviceName)).toMatchObject([{ ip: '127.0.0.41', healthy: true }]);

  const unhealthyAt = await waitFor(async () => ((await hosts(serviceName))[0]?.healthy === false ? Date.now() : false), {
    timeoutMs: 20_000,
    intervalMs: 100,
    what: 'unhealthy',
  });
  const goneAt = await waitFor(async () => ((await hosts(serviceName)).length === 0 ? Date.now() : false), {
    timeoutMs: 20_000,
    intervalMs: 100,
    what: 'removed',
  });
  process.stdout.write(`health e2e: no beats → unhealthy after ${unhealthyAt - registeredAt} ms, removed after ${goneAt - registeredAt} ms\n`);
  // Not before 15 s / 30 s; not later than one expiry period (500 ms) after, plus polling slack (1 s on
  // this shared machine).
  expect(unhealthyAt - sentAt).toBeGreaterThanOrEqual(15_000);
  expect(unhealthyAt - registeredAt).toBeLessThan(15_000 + 500 + 1000);
  expect(goneAt - sentAt).toBeGreaterThanOrEqual(30_000);
  expect(goneAt - registeredAt).toBeLessThan(30_000 + 500 + 1000);
}, 45_000);
