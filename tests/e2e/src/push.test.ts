// UDP push to the real nacos-naming client, and the SSE watch, against a real Tacos process. A change
// must reach a subscriber by push (the client logs every packet before applying it), well before its
// 10 s poll would, and a closed client must stop being pushed to once its subscription lapses.
import { waitFor } from '@tacos/testkit';
import { type Host, type NamingClient, pushLines, type Subscription, subscribeWith } from './naming-client';
import { call, uniqueName, useTacosServer } from './support';

const server = useTacosServer();
const NS = '/nacos/v1/ns';
const clients: NamingClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
});

async function subscribe(service: string): Promise<Subscription> {
  const sub = await subscribeWith(`127.0.0.1:${server().port}`, service);
  clients.push(sub.client);
  return sub;
}

// Nobody beats these instances: long leases keep beat expiry (a change, hence a push) out of the
// push counts the tests compare.
const LONG_LEASE = JSON.stringify({ 'preserved.heart.beat.timeout': '600000', 'preserved.ip.delete.timeout': '600000' });

async function register(service: string, ip: string, port: number): Promise<number> {
  const res = await call(server().url, 'POST', `${NS}/instance`, { serviceName: service, ip, port, metadata: LONG_LEASE });
  expect(res.text).toBe('ok');
  return Date.now();
}

async function subscriberPorts(service: string): Promise<number[]> {
  const res = await call(server().url, 'GET', `${NS}/service/subscribers`, { serviceName: service, pageNo: 1, pageSize: 100 });
  return (res.json as { subscribers: Array<{ port: number }> }).subscribers.map((s) => s.port);
}

async function pushState(): Promise<{ succeed: number; total: number; ratio: number }> {
  return (await call(server().url, 'GET', `${NS}/operator/push/state`)).json as { succeed: number; total: number; ratio: number };
}


test('subscribe receives a register by UDP push within 1 s', async () => {
  const service = uniqueName('pushed');
  await register(service, '127.0.0.11', 8080);
  const sub = await subscribe(service);
  // The subscription is recorded by the client's subscribing query (udpPort), then kept by its polls.
  await waitFor(async () => (await subscriberPorts(service)).includes(sub.udpPort), { timeoutMs: 5000, intervalMs: 50, what: 'the subscription' });
  // Let the client's first scheduled poll (1 s) pass; the next one is 10 s away, so a list within 1 s is a push.
  await waitFor(() => sub.updates.length > 0, { timeoutMs: 5000, intervalMs: 20, what: 'the first list' });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const pushesBefore = pushLines(sub).length;

  const changedAt = await register(service, '127.0.0.12', 8080);
  await waitFor(() => sub.updates.some((u) => u.ips.includes('127.0.0.12:8080')), { timeoutMs: 1000, intervalMs: 5, what: 'the pushed change' });
  const arrived = sub.updates.find((u) => u.ips.includes('127.0.0.12:8080'))?.at as number;
  const latency = arrived - changedAt;
  process.stdout.write(`push e2e: register → nacos-naming listener in ${latency} ms\n`);
  expect(latency).toBeLessThan(1000);
  const pushes = pushLines(sub).slice(pushesBefore);
  expect(pushes.some((l) => l.includes('127.0.0.12'))).toBe(true);
  // Acked by the client: counted as succeeded.
  await waitFor(async () => (await pushState()).succeed >= 1, { timeoutMs: 3000, intervalMs: 50, what: 'push/state' });
});

test('a closed subscriber stops being pushed to once its subscription lapses', async () => {
  const service = uniqueName('lapsed');
  await register(service, '127.0.0.21', 8080);
  const live = await subscribe(service);
  const doomed = await subscribe(service);
  await waitFor(
    async () => {
      const ports = await subscriberPorts(service);
      return ports.includes(live.udpPort) && ports.includes(doomed.udpPort);
    },
    { timeoutMs: 5000, intervalMs: 50, what: 'both subscriptions' },
  );
  await doomed.client.close();
  const closedAt = Date.now();
  // Live for pushCacheMillis (10 s) + 2 s after its last poll, then gone.
  await waitFor(async () => !(await subscriberPorts(service)).includes(doomed.udpPort), {
    timeoutMs: 16_000,
    intervalMs: 250,
    what: 'the closed client to leave service/subscribers',
  });
  process.stdout.write(`push e2e: closed subscriber gone from service/subscribers after ${Date.now() - closedAt} ms\n`);
  expect(await subscriberPorts(service)).toContain(live.udpPort);

  // A change now goes to the live subscriber only: push total grows by exactly one.
  const before = await pushState();
  await register(service, '127.0.0.22', 8080);
  await waitFor(() => live.updates.some((u) => u.ips.includes('127.0.0.22:8080')), { timeoutMs: 2000, intervalMs: 10, what: 'the push to the live client' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = await pushState();
  expect(after.total - before.total).toBe(1);
}, 40_000);

test('the SSE watch streams the list on connect and after a change', async () => {
  const service = uniqueName('watched');
  await register(service, '127.0.0.31', 8080);
  const controller = new AbortController();
  const res = await fetch(`${server().url}${NS}/instance/watch?serviceName=${service}&groupName=DEFAULT_GROUP`, { signal: controller.signal });
  try {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    // Reads until the next `event: instances` frame and returns its hosts (bounded by the test timeout).
    const nextList = async (): Promise<string[]> => {
      for (;;) {
        const frameEnd = buffer.indexOf('\n\n');
        if (frameEnd >= 0) {
          const frame = buffer.slice(0, frameEnd);
          buffer = buffer.slice(frameEnd + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (frame.includes('event: instances') && data) {
            return (JSON.parse(data.slice(6)) as { hosts: Host[] }).hosts.map((h) => h.ip).sort();
          }
          continue;
        }
        const chunk = await reader.read();
        if (chunk.done) throw new Error('the watch stream ended');
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    };
    expect(await nextList()).toEqual(['127.0.0.31']);
    const changedAt = await register(service, '127.0.0.32', 8080);
    expect(await nextList()).toEqual(['127.0.0.31', '127.0.0.32']);
    process.stdout.write(`push e2e: register → SSE event in ${Date.now() - changedAt} ms\n`);
    expect(Date.now() - changedAt).toBeLessThan(1000);
  } finally {
    controller.abort();
  }
});
