// Push across a 3-member cluster of real processes: a nacos-naming subscriber polling one member learns
// by UDP push of an instance registered on another member (Distro carries the change, the member the
// client polls pushes it), within 3 s; and any member lists that subscriber.
import { startTacosCluster, type TacosCluster, waitFor } from '@tacos/testkit';
import { type NamingClient, pushLines, subscribeWith } from './naming-client';
import { call, uniqueName } from './support';

const NS = '/nacos/v1/ns';
let cluster: TacosCluster;
const clients: NamingClient[] = [];

beforeAll(async () => {
  cluster = await startTacosCluster();
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await cluster?.stop();
});

test('a register on one member reaches a subscriber of another member by UDP push within 3 s', async () => {
  const [polled, other] = cluster.nodes;
  const service = uniqueName('cross');
  const lease = JSON.stringify({ 'preserved.heart.beat.timeout': '600000', 'preserved.ip.delete.timeout': '600000' });
  const register = async (ip: string) => {
    const res = await call(other.url, 'POST', `${NS}/instance`, { serviceName: service, ip, port: 8080, metadata: lease });
    expect([res.status, res.text]).toEqual([200, 'ok']);
    return Date.now();
  };
  await register('127.0.3.1');
  await waitFor(async () => ((await call(polled.url, 'GET', `${NS}/instance/list`, { serviceName: service })).json as { hosts: unknown[] }).hosts.length === 1, {
    timeoutMs: 5000,
    what: 'the first instance to reach the polled member',
  });

  const sub = await subscribeWith(`127.0.0.1:${polled.port}`, service);
  clients.push(sub.client);
  await waitFor(() => sub.updates.length > 0, { timeoutMs: 5000, intervalMs: 20, what: 'the first list' });
  // Past the client's first scheduled poll (1 s); the next is 10 s away, so what comes sooner is a push.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const pushesBefore = pushLines(sub).length;

  const changedAt = await register('127.0.3.2');
  await waitFor(() => sub.updates.some((u) => u.ips.includes('127.0.3.2:8080')), {
    timeoutMs: 3000,
    intervalMs: 10,
    what: 'the change to reach the subscriber of the other member',
  });
  const latency = (sub.updates.find((u) => u.ips.includes('127.0.3.2:8080'))?.at as number) - changedAt;
  process.stdout.write(`cluster push e2e: register on ${other.port} → subscriber of ${polled.port} in ${latency} ms\n`);
  expect(latency).toBeLessThan(3000);
  expect(pushLines(sub).slice(pushesBefore).some((l) => l.includes('127.0.3.2'))).toBe(true);

  // service/subscribers aggregates every member (Nacos' default); aggregation=false answers locally.
  const subscriberPorts = async (aggregation: boolean) => {
    const res = await call(other.url, 'GET', `${NS}/service/subscribers`, { serviceName: service, pageNo: 1, pageSize: 10, aggregation });
    expect(res.status).toBe(200);
    return (res.json as { subscribers: Array<{ port: number }> }).subscribers.map((s) => s.port);
  };
  expect(await subscriberPorts(true)).toContain(sub.udpPort);
  expect(await subscriberPorts(false)).not.toContain(sub.udpPort);
});
