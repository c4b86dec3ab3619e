// Health checks of a persistent instance in a 3-member cluster of real processes: only the Distro
// owner of the service probes the instance (the others show no check RT figures), and every member
// lists the owner's verdicts: unhealthy soon after the instance's port closes, healthy again soon
// after it reopens. When the owner dies another member takes the checks over; when it comes back it
// does not undo the others' results with the health it restored. Prints the figures.
import { type AddressInfo, createServer, type Server } from 'node:net';
import { startTacosCluster, type TacosCluster, type TacosProcess, waitFor } from '@tacos/testkit';
import { call, uniqueName } from './support';

const NS = '/nacos/v1/ns';
const IP = '127.0.9.1';
let cluster: TacosCluster;

beforeAll(async () => {
  cluster = await startTacosCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

const addressOf = (n: TacosProcess) => `127.0.0.1:${n.port}`;

/** The stored health of the instance on one member (catalog/instances: no protect threshold). */
async function healthOn(n: TacosProcess, serviceName: string, port: number): Promise<boolean | undefined> {
  try {
    const res = await call(n.url, 'GET', `${NS}/catalog/instances`, { serviceName, clusterName: 'DEFAULT', pageNo: 1, pageSize: 100 });
    if (res.status !== 200) return undefined;
    return (res.json as { list: Array<{ ip: string; port: number; healthy: boolean }> }).list.find((h) => h.ip === IP && h.port === port)?.healthy;
  } catch {
    return undefined;
  }
}

/** Best check RT of the service's cluster on one member: -1 while that member never probed it. */
async function checkRtBest(n: TacosProcess, serviceName: string): Promise<number> {
  const res = await call(n.url, 'GET', `${NS}/catalog/rt/service`, { serviceName });
  return ((res.json as { clusters: Array<{ checkRTBest: number }> }).clusters[0]?.checkRTBest ?? -1) as number;
}

function listen(port = 0): Promise<{ server: Server; accepted: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, IP, () => resolve({ server, accepted: () => count }));
  });
}

/** Waits until every member shows `healthy`; resolves with the ms each member took from `since`. */
async function everyMember(serviceName: string, port: number, healthy: boolean, since: number, timeoutMs: number): Promise<number[]> {
  const at: Array<number | undefined> = cluster.nodes.map(() => undefined);
  await waitFor(
    async () => {
      const states = await Promise.all(cluster.nodes.map((n) => healthOn(n, serviceName, port)));
      states.forEach((s, i) => {
        if (s === healthy && at[i] === undefined) at[i] = Date.now() - since;
        if (s !== healthy) at[i] = undefined;
      });
      return at.every((t) => t !== undefined);
    },
    { timeoutMs, intervalMs: 50, what: `every member to list the instance ${healthy ? 'healthy' : 'unhealthy'}` },
  );
  return at as number[];
}

test('only the owner probes a persistent instance; every member lists its verdicts', async () => {
  const nodes = cluster.nodes;
  // Faster adaptive interval (500–3000 ms), as in health-check.test.ts; thresholds stay at 3.
  const tcpParams = JSON.stringify({ tcpHealthParams: { min: 500, max: 3000, factor: 0.5 } });
  expect((await call(nodes[0]!.url, 'PUT', `${NS}/operator/switches`, { entry: 'batch', value: tcpParams })).text).toBe('ok');
  for (const n of nodes) {
    await waitFor(
      async () => ((await call(n.url, 'GET', `${NS}/operator/switches`, {})).json as { tcpHealthParams?: { min: number } }).tcpHealthParams?.min === 500,
      { timeoutMs: 5000, what: 'the switch on every member' },
    );
  }

  const serviceName = uniqueName('cluster-checked');
  let tcp = await listen();
  const port = (tcp.server.address() as AddressInfo).port;
  let probes = 0;
  try {
    const res = await call(nodes[1]!.url, 'POST', `${NS}/instance`, { serviceName, ip: IP, port, ephemeral: false });
    expect(res.text).toBe('ok');
    const owners = await Promise.all(
      nodes.map(async (n) => ((await call(n.url, 'GET', `${NS}/operator/distro/server`, { serviceName })).json as { responsibleServer: string }).responsibleServer),
    );
    expect(new Set(owners).size).toBe(1);
    const owner = nodes.find((n) => addressOf(n) === owners[0]);
    expect(owner).toBeDefined();

    // The first round runs 2–7 s after the cluster got its task.
    await waitFor(async () => (await checkRtBest(owner!, serviceName)) >= 0, { timeoutMs: 12_000, intervalMs: 200, what: 'the first check on the owner' });
    for (const n of nodes) expect(await healthOn(n, serviceName, port)).toBe(true);

    await new Promise<void>((resolve) => tcp.server.close(() => resolve()));
    probes += tcp.accepted();
    const closedAt = Date.now();
    // Refused = fail-now: unhealthy on the owner at its next round (≤ 3 s), then on the others
    // with the next batch (≤ 0.3 s) — bounded generously.
    const toUnhealthy = await everyMember(serviceName, port, false, closedAt, 15_000);

    tcp = await listen(port);
    const openedAt = Date.now();
    // Three consecutive good checks on the owner, then the batch.
    const toHealthy = await everyMember(serviceName, port, true, openedAt, 20_000);
    probes += tcp.accepted();

    // Only the owner ever probed: the other members have no RT figures for the cluster.
    const rts = await Promise.all(nodes.map((n) => checkRtBest(n, serviceName)));
    for (const [i, n] of nodes.entries()) {
      if (n === owner) expect(rts[i]).toBeGreaterThanOrEqual(0);
      else expect(rts[i]).toBe(-1);
    }
    const label = (ms: number[]) => nodes.map((n, i) => `${n.port}${n === owner ? '(owner)' : ''}=${ms[i]}ms`).join(' ');
    process.stdout.write(
      `cluster health e2e: closed → unhealthy ${label(toUnhealthy)}; reopened → healthy ${label(toHealthy)}; ` +
        `accepted probe connections ${probes} (while open), members with check RT figures ${rts.filter((r) => r >= 0).length}/3\n`,
    );
  } finally {
    tcp.server.close();
  }
}, 90_000);

/** The owner of `serviceName` every member in `among` agrees on, when they agree. */
async function agreedOwner(among: TacosProcess[], serviceName: string): Promise<TacosProcess | undefined> {
  const owners = await Promise.all(
    among.map(async (n) => {
      try {
        return ((await call(n.url, 'GET', `${NS}/operator/distro/server`, { serviceName })).json as { responsibleServer: string }).responsibleServer;
      } catch {
        return undefined;
      }
    }),
  );
  if (new Set(owners).size !== 1) return undefined;
  return among.find((n) => addressOf(n) === owners[0]);
}

test('when the owner dies another member checks; when it comes back the results stay', async () => {
  const nodes = cluster.nodes;
  const serviceName = uniqueName('cluster-takeover');
  const tcp = await listen();
  const port = (tcp.server.address() as AddressInfo).port;
  let closed = false;
  try {
    expect((await call(nodes[0]!.url, 'POST', `${NS}/instance`, { serviceName, ip: IP, port, ephemeral: false })).text).toBe('ok');
    const owner = await waitFor(() => agreedOwner(nodes, serviceName), { timeoutMs: 5000, what: 'an agreed owner' });
    await waitFor(async () => (await checkRtBest(owner, serviceName)) >= 0, { timeoutMs: 12_000, intervalMs: 200, what: 'the first check on the owner' });

    await owner.kill('SIGKILL');
    const killedAt = Date.now();
    const rest = nodes.filter((n) => n !== owner);
    const next = await waitFor(
      async () => {
        const o = await agreedOwner(rest, serviceName);
        return o && o !== owner ? o : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the remaining members to agree on a new owner' },
    );
    const movedAfter = Date.now() - killedAt;
    await waitFor(async () => (await checkRtBest(next, serviceName)) >= 0, { timeoutMs: 12_000, intervalMs: 200, what: 'the new owner to check' });
    const checkingAfter = Date.now() - killedAt;

    await new Promise<void>((resolve) => tcp.server.close(() => resolve()));
    closed = true;
    const closedAt = Date.now();
    const unhealthy = async (among: TacosProcess[]) => (await Promise.all(among.map((n) => healthOn(n, serviceName, port)))).every((h) => h === false);
    await waitFor(() => unhealthy(rest), { timeoutMs: 15_000, intervalMs: 50, what: 'the remaining members to list the instance unhealthy' });
    const unhealthyAfter = Date.now() - closedAt;

    // The old owner restarts with the health it restored (healthy) and owns the service again; the
    // others must not be told "healthy" meanwhile, and it turns unhealthy with its own first check.
    const restartedAt = Date.now();
    const restarting = owner.restart();
    let flappedTo = '';
    let settled = false;
    const watch = (async () => {
      for (let i = 0; i < 600 && !settled; i++) {
        const states = await Promise.all(rest.map((n) => healthOn(n, serviceName, port)));
        if (states.some((h) => h === true)) flappedTo = `healthy on ${states.map(String).join(',')}`;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await restarting;
    await waitFor(async () => (await agreedOwner(nodes, serviceName)) === owner, { timeoutMs: 20_000, intervalMs: 200, what: 'ownership to return to the restarted member' });
    await waitFor(() => unhealthy(nodes), { timeoutMs: 20_000, intervalMs: 100, what: 'every member, the restarted one included, to list the instance unhealthy' });
    const convergedAfter = Date.now() - restartedAt;
    // A few more seconds for a late wrong report to show.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    settled = true;
    await watch;
    expect(flappedTo).toBe('');
    expect(await unhealthy(nodes)).toBe(true);
    process.stdout.write(
      `cluster health e2e: owner killed → new owner agreed in ${movedAfter} ms, checking in ${checkingAfter} ms; port closed → survivors unhealthy in ${unhealthyAfter} ms; ` +
        `old owner restarted → all unhealthy ${convergedAfter} ms after restart, survivors never flipped back\n`,
    );
  } finally {
    if (!closed) tcp.server.close();
  }
}, 120_000);
