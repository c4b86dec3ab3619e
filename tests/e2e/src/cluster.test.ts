// A 3-member cluster of real server processes on 127.0.0.1 under faults: kill -9, SIGSTOP, full
// restart. Each scenario prints its figures (election time, write gap, convergence time) and
// asserts safety: no acknowledged write lost, no stale consistent read, no acknowledgement without a
// majority.
import {
  freePort,
  removeDir,
  startTacos,
  startTacosCluster,
  type TacosCluster,
  type TacosProcess,
  tempDir,
  waitFor,
} from '@tacos/testkit';
import { call, uniqueName } from './support';

const NS = '/nacos/v1/ns';
const SECRET = 'e2e-cluster-secret-0123456789abcdef';

interface RaftState {
  leader: string | null;
  term: number;
  role: string;
  commitIndex: number;
  appliedIndex: number;
  members: string[];
}

interface Host {
  ip: string;
  port: number;
  ephemeral: boolean;
}

let cluster: TacosCluster;
let nodes: TacosProcess[] = [];
const dirs: string[] = [];
const down = new Set<TacosProcess>();

beforeAll(async () => {
  cluster = await startTacosCluster({ secret: SECRET, env: { TACOS_RAFT_SNAPSHOT_ENTRIES: '500', TACOS_LOG_LEVEL: 'info' } });
  nodes = cluster.nodes;
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  for (const d of dirs) removeDir(d);
});

const addressOf = (n: TacosProcess) => `127.0.0.1:${n.port}`;
const live = () => nodes.filter((n) => !down.has(n));

async function raftState(n: TacosProcess): Promise<RaftState | undefined> {
  try {
    const res = await call(n.url, 'GET', `${NS}/raft/state`, {});
    return res.status === 200 ? (res.json as RaftState) : undefined;
  } catch {
    return undefined;
  }
}

/** The leader every live member agrees on. */
async function agreedLeader(timeoutMs = 10_000): Promise<TacosProcess> {
  return waitFor(
    async () => {
      const states = await Promise.all(live().map(raftState));
      const leaders = new Set(states.map((s) => s?.leader));
      if (leaders.size !== 1) return undefined;
      const leader = [...leaders][0];
      return live().find((n) => addressOf(n) === leader);
    },
    { timeoutMs, what: 'all live members to agree on a leader' },
  );
}

async function hostsOf(n: TacosProcess, serviceName: string, consistent = false): Promise<Host[] | undefined> {
  try {
    const res = await call(n.url, 'GET', `${NS}/instance/list`, consistent ? { serviceName, consistent: 'true' } : { serviceName });
    if (res.status !== 200) return undefined;
    return (res.json as { hosts: Host[] }).hosts;
  } catch {
    return undefined;
  }
}

async function register(n: TacosProcess, serviceName: string, ip: string, port: number, ephemeral: boolean): Promise<number> {
  try {
    const res = await call(n.url, 'POST', `${NS}/instance`, { serviceName, ip, port, ephemeral, ...(ephemeral ? {} : { healthy: true }) });
    return res.text === 'ok' ? res.status : res.status || 599;
  } catch {
    return 599;
  }
}

const portsOf = (hosts: Host[] | undefined) => new Set((hosts ?? []).map((h) => h.port));

test('instances registered on any member are visible on all; persistent ones at once where acknowledged', async () => {
  const leader = await agreedLeader();
  const follower = nodes.find((n) => n !== leader) as TacosProcess;
  // Ephemeral: one service per entry member, so each write exercises owner forwarding somewhere.
  const services = nodes.map(() => uniqueName('eph'));
  const t0 = Date.now();
  for (const [i, n] of nodes.entries()) expect(await register(n, services[i] as string, '127.0.0.1', 7000 + i, true)).toBe(200);
  await waitFor(async () => {
    for (const n of nodes) for (const [i, s] of services.entries()) if (!portsOf(await hostsOf(n, s)).has(7000 + i)) return false;
    return true;
  }, { timeoutMs: 2000, intervalMs: 20, what: 'ephemeral instances on every member within 2 s' });
  const ephemeralMs = Date.now() - t0;
  // A beat sent to a member that does not own the service is answered by the owner.
  const owner0 = ((await call(leader.url, 'GET', `${NS}/operator/distro/server`, { serviceName: services[0] as string })).json as { responsibleServer: string }).responsibleServer;
  const nonOwner = nodes.find((n) => addressOf(n) !== owner0) as TacosProcess;
  const beat = await call(nonOwner.url, 'PUT', `${NS}/instance/beat`, { serviceName: services[0] as string, ip: '127.0.0.1', port: 7000 });
  expect((beat.json as { code: number }).code).toBe(10200);

  // Persistent through a follower (forwarded to the leader): visible at once on the follower.
  const persistent = uniqueName('per');
  expect(await register(follower, persistent, '127.0.0.2', 8000, false)).toBe(200);
  expect(portsOf(await hostsOf(follower, persistent)).has(8000)).toBe(true);
  const t1 = Date.now();
  // With consistent=true on any member, at once.
  for (const n of nodes) expect(portsOf(await hostsOf(n, persistent, true)).has(8000)).toBe(true);
  await waitFor(async () => {
    for (const n of nodes) if (!portsOf(await hostsOf(n, persistent)).has(8000)) return false;
    return true;
  }, { timeoutMs: 1000, intervalMs: 10, what: 'the persistent instance on every member within 1 s' });
  console.log(`[cluster] visibility: ephemeral on all 3 members after ${ephemeralMs} ms; persistent on all after ${Date.now() - t1} ms (local reads)`);

  // Cluster endpoints in Nacos' shapes.
  const nodesBody = (await call(leader.url, 'GET', '/nacos/v1/core/cluster/nodes', {})).json as { code: number; data: { address: string; state: string }[] };
  expect(nodesBody.code).toBe(200);
  expect(nodesBody.data.map((m) => m.address).sort()).toEqual(nodes.map(addressOf).sort());
  const servers = (await call(follower.url, 'GET', `${NS}/operator/servers`, {})).json as { servers: { address: string }[] };
  expect(servers.servers).toHaveLength(3);
  const owner = (await call(follower.url, 'GET', `${NS}/operator/distro/server`, { serviceName: services[0] as string })).json as { responsibleServer: string };
  expect(nodes.map(addressOf)).toContain(owner.responsibleServer);
  const prom = await call(leader.url, 'GET', '/nacos/actuator/prometheus', {});
  expect(prom.status).toBe(200);
  expect(prom.text).toContain('tacos_raft_role{role="LEADER"} 1');
  expect(prom.text).toMatch(/tacos_raft_follower_lag\{follower="127\.0\.0\.1:\d+"\} \d+/);
  expect(prom.text).toMatch(/tacos_distro_sync_batches_sent \d+/);
  expect(prom.text).toMatch(/tacos_distro_sync_queue_keys \d+/);
  // The persistent writes above went to the followers in AppendEntries batches, over peer streams
  // once open (POSTs only while a stream opens).
  expect(Number(/tacos_raft_stream_batches_sent (\d+)/.exec(prom.text)?.[1])).toBeGreaterThan(0);
  expect(Number(/tacos_raft_streams_opened (\d+)/.exec(prom.text)?.[1])).toBeGreaterThanOrEqual(2);
  expect(prom.text).toMatch(/tacos_raft_messages_received \d+/);
  expect(prom.text).toContain('tacos_ready 1');

  // Registrations with their parameters in the query string (how Nacos clients send them) reach
  // a follower's fast path, which relays them to the leader in batches: over a peer stream once
  // one is open (POSTs only while it opens).
  const relayed = uniqueName('relayed');
  const streamedBatches = async () => Number(/tacos_forward_batches_streamed (\d+)/.exec((await call(follower.url, 'GET', '/nacos/actuator/prometheus', {})).text)?.[1] ?? 0);
  let port = 8100;
  await waitFor(
    async () => {
      const res = await fetch(`${follower.url}${NS}/instance?serviceName=${relayed}&ip=127.0.0.3&port=${port++}&ephemeral=false`, { method: 'POST' });
      expect(await res.text()).toBe('ok');
      return (await streamedBatches()) > 0;
    },
    { timeoutMs: 5000, intervalMs: 20, what: 'a batch of relayed calls over a peer stream' },
  );
  expect(portsOf(await hostsOf(follower, relayed)).size).toBe(port - 8100);
}, 30_000);

test('ephemeral instances expire on their owner only, and the removal reaches every member', async () => {
  const service = uniqueName('expire');
  const metadata = JSON.stringify({ 'preserved.heart.beat.timeout': '1000', 'preserved.ip.delete.timeout': '2000' });
  const res = await call((nodes[1] as TacosProcess).url, 'POST', `${NS}/instance`, { serviceName: service, ip: '127.0.9.1', port: 9100, metadata });
  expect(res.text).toBe('ok');
  await waitFor(async () => {
    for (const n of nodes) if (!portsOf(await hostsOf(n, service)).has(9100)) return false;
    return true;
  }, { timeoutMs: 2000, what: 'the instance everywhere' });
  const t0 = Date.now();
  await waitFor(async () => {
    for (const n of nodes) if (portsOf(await hostsOf(n, service)).has(9100)) return false;
    return true;
  }, { timeoutMs: 8000, intervalMs: 50, what: 'the expired instance to be gone everywhere' });
  console.log(`[cluster] expiry: a silent ephemeral instance (2 s delete timeout) gone from all members ${Date.now() - t0} ms after it was seen everywhere`);
}, 20_000);

test('kill -9 the leader during a stream of persistent writes: new leader, nothing acknowledged is lost, the killed member catches up', async () => {
  const leader = await agreedLeader();
  const survivors = nodes.filter((n) => n !== leader);
  const service = uniqueName('stream');
  const acked: number[] = [];
  const ackTimes: number[] = [];
  let stop = false;
  let next = 0;
  const writer = async (k: number) => {
    for (let i = 0; i < 5000 && !stop; i++) {
      const port = 10_000 + next++;
      // Spread over all members that are up (a write to the dead one just fails).
      const via = live()[(k + i) % live().length] as TacosProcess;
      if ((await register(via, service, '127.1.0.1', port, false)) === 200) {
        acked.push(port);
        ackTimes.push(Date.now());
      }
    }
  };
  // An ephemeral instance the restarted member must get back from its peers (Distro snapshot).
  const ephemeralService = uniqueName('eph-restart');
  expect(await register(survivors[0] as TacosProcess, ephemeralService, '127.1.0.2', 9999, true)).toBe(200);
  const writers = [writer(0), writer(1), writer(2)];
  await waitFor(() => acked.length >= 50, { timeoutMs: 10_000, what: '50 acknowledged writes' });
  const killedAt = Date.now();
  await leader.kill('SIGKILL');
  down.add(leader);
  const newLeader = await agreedLeader(10_000);
  const electionMs = Date.now() - killedAt;
  const ackedAtKill = acked.length;
  await waitFor(() => acked.length >= ackedAtKill + 50, { timeoutMs: 10_000, what: 'writes to resume' });
  stop = true;
  await Promise.all(writers);
  let gap = 0;
  for (let i = 1; i < ackTimes.length; i++) gap = Math.max(gap, (ackTimes[i] as number) - (ackTimes[i - 1] as number));
  expect(newLeader).not.toBe(leader);
  expect(electionMs).toBeLessThan(3000 + 1000); // 3 s, plus polling of /raft/state
  for (const n of survivors) {
    const have = portsOf(await hostsOf(n, service, true));
    expect(acked.filter((p) => !have.has(p))).toEqual([]);
  }
  const restartedAt = Date.now();
  await leader.restart();
  down.delete(leader);
  await waitFor(async () => {
    const have = portsOf(await hostsOf(leader, service));
    return acked.every((p) => have.has(p));
  }, { timeoutMs: 15_000, what: 'the restarted member to hold every acknowledged write' });
  expect(portsOf(await hostsOf(leader, ephemeralService)).has(9999)).toBe(true);
  console.log(
    `[cluster] leader kill -9: new leader ${addressOf(newLeader)} after ${electionMs} ms; longest gap between acknowledged writes ${gap} ms; ${acked.length} writes acknowledged, 0 lost; restarted member caught up in ${Date.now() - restartedAt} ms`,
  );
}, 90_000);

test('kill -9 a follower, write 2,000 entries, restart it: it catches up through a snapshot', async () => {
  const leader = await agreedLeader();
  const follower = nodes.find((n) => n !== leader) as TacosProcess;
  await follower.kill('SIGKILL');
  down.add(follower);
  const service = uniqueName('bulk');
  const ports = Array.from({ length: 2000 }, (_, i) => 20_000 + i);
  const t0 = Date.now();
  let cursor = 0;
  const failed: number[] = [];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (cursor < ports.length) {
        const port = ports[cursor++] as number;
        if ((await register(leader, service, '127.2.0.1', port, false)) !== 200) failed.push(port);
      }
    }),
  );
  expect(failed).toEqual([]);
  const writeMs = Date.now() - t0;
  const restartedAt = Date.now();
  await follower.restart();
  down.delete(follower);
  await waitFor(async () => (await hostsOf(follower, service))?.length === ports.length, { timeoutMs: 30_000, intervalMs: 100, what: 'the follower to hold all 2,000 instances' });
  const catchUpMs = Date.now() - restartedAt;
  expect(follower.output()).toContain('installed a Raft snapshot sent by the leader');
  console.log(`[cluster] follower kill -9: 2,000 writes in ${writeMs} ms while it was down; restarted and caught up (snapshot installed) in ${catchUpMs} ms`);
}, 120_000);

test('SIGSTOP the leader for 5 s: after SIGCONT it serves no stale consistent read and acknowledges nothing it could not commit', async () => {
  const leader = await agreedLeader();
  const others = nodes.filter((n) => n !== leader);
  const service = uniqueName('paused');
  expect(await register(leader, service, '127.3.0.1', 30_000, false)).toBe(200);
  const stoppedAt = Date.now();
  leader.signal('SIGSTOP');
  down.add(leader);
  try {
    // Requests to the paused leader wait in its accept queue and run the instant it resumes.
    const staleWrite = register(leader, service, '127.3.0.1', 30_002, false);
    const newLeader = await agreedLeader(10_000);
    const electionMs = Date.now() - stoppedAt;
    expect(await register(newLeader, service, '127.3.0.1', 30_001, false)).toBe(200);
    const elapsed = Date.now() - stoppedAt;
    if (elapsed < 5000) await new Promise((r) => setTimeout(r, 5000 - elapsed));
    const readWhilePaused = hostsOf(leader, service, true);
    leader.signal('SIGCONT');
    down.delete(leader);
    const read = await readWhilePaused;
    // Either refused (no longer leader / no quorum) or fresh: never without the new leader's write.
    if (read !== undefined) expect(portsOf(read).has(30_001)).toBe(true);
    const writeStatus = await staleWrite;
    const majority = portsOf(await hostsOf(others[0] as TacosProcess, service, true));
    if (writeStatus === 200) expect(majority.has(30_002)).toBe(true);
    console.log(
      `[cluster] SIGSTOP leader 5 s: new leader after ${electionMs} ms; consistent read on the resumed old leader ${read === undefined ? 'refused' : 'fresh'}; write sent to it while paused answered ${writeStatus}${writeStatus === 200 ? ' (committed by the majority)' : ''}`,
    );
  } finally {
    leader.signal('SIGCONT');
    down.delete(leader);
  }
  await agreedLeader(10_000);
}, 60_000);

test('kill -9 every member and restart: every persistent instance is back on every member', async () => {
  await agreedLeader();
  const service = uniqueName('all');
  const ports = Array.from({ length: 20 }, (_, i) => 40_000 + i);
  for (const [i, port] of ports.entries()) expect(await register(nodes[i % 3] as TacosProcess, service, '127.4.0.1', port, false)).toBe(200);
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  const t0 = Date.now();
  await Promise.all(nodes.map((n) => n.restart()));
  await waitFor(async () => {
    for (const n of nodes) {
      const have = portsOf(await hostsOf(n, service));
      if (!ports.every((p) => have.has(p))) return false;
    }
    return true;
  }, { timeoutMs: 15_000, what: 'every persistent instance on every member' });
  console.log(`[cluster] full kill -9 and restart: all ${ports.length} persistent instances back on all 3 members ${Date.now() - t0} ms after the restart began`);
}, 90_000);

test('cluster add and remove a member through Raft', async () => {
  const leader = await agreedLeader();
  const service = uniqueName('grow');
  expect(await register(leader, service, '127.5.0.1', 45_000, false)).toBe(200);
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const dataDir = tempDir('tacos-cluster-join-');
  dirs.push(dataDir);
  const members = [...nodes.map(addressOf), address].join(',');
  // The newcomer waits (not ready: no leader known) until the leader adds it.
  const joining = startTacos({ port, dataDir, args: ['--members', members, '--cluster-secret', SECRET, '--join', 'true'], readyTimeoutMs: 45_000 });
  let joined: TacosProcess | undefined;
  try {
    const t0 = Date.now();
    const added = await call(leader.url, 'POST', '/nacos/v1/core/cluster/members', { address });
    expect([added.status, added.text]).toEqual([200, 'ok']);
    joined = await joining;
    await waitFor(async () => {
      for (const n of [...nodes, joined as TacosProcess]) if (!(await raftState(n))?.members.includes(address)) return false;
      return portsOf(await hostsOf(joined as TacosProcess, service)).has(45_000);
    }, { timeoutMs: 15_000, what: 'every member to list the newcomer and the newcomer to hold the data' });
    const addMs = Date.now() - t0;
    const removed = await call((await agreedLeader()).url, 'DELETE', '/nacos/v1/core/cluster/members', { address });
    expect([removed.status, removed.text]).toEqual([200, 'ok']);
    await waitFor(async () => {
      for (const n of nodes) if ((await raftState(n))?.members.includes(address)) return false;
      return true;
    }, { timeoutMs: 10_000, what: 'the member to be removed everywhere' });
    console.log(`[cluster] cluster add: ${address} listed by every member and holding the data ${addMs} ms after the add; removed again`);
  } finally {
    if (!joined) await joining.then((j) => j.stop()).catch(() => undefined);
    await joined?.stop();
  }
  // Still one cluster that takes writes.
  expect(await register(await agreedLeader(), service, '127.5.0.1', 45_001, false)).toBe(200);
}, 90_000);
