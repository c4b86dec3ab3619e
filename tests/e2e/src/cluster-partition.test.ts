// A network partition between real cluster members. Every member serves its peer routes on
// `port + 1` and dials member j through a proxy of its own at `port_j + dialOffset_i`, so the test
// can cut any single link (i → j) in user space: Raft, Distro, health probes and forwarded client
// requests all travel through these proxies.
import { createServer, type Server, type Socket, connect } from 'node:net';
import { freePort, removeDir, startTacos, type TacosProcess, tempDir, waitFor } from '@tacos/testkit';
import { call, uniqueName } from './support';

const NS = '/nacos/v1/ns';
const SECRET = 'e2e-partition-secret-0123456789abcdef';
const PEER_OFFSET = 1;
/** Dial offsets of members 0, 1, 2 (member i reaches member j's peer port through port_j + DIAL[i]). */
const DIAL = [2, 3, 4];

interface Link {
  from: number;
  to: number;
  server: Server;
  sockets: Set<Socket>;
}

let nodes: TacosProcess[] = [];
let links: Link[] = [];
const dirs: string[] = [];
const blocked = new Set<string>();

function listenProxy(from: number, to: number, listenPort: number, targetPort: number): Promise<Link> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (blocked.has(`${from}>${to}`)) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve({ from, to, server, sockets }));
  });
}

/** Three client ports whose derived peer and proxy ports are all distinct and free. */
async function pickPorts(): Promise<number[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const ports = [await freePort(), await freePort(), await freePort()];
    const all = ports.flatMap((p) => [p, p + PEER_OFFSET, ...DIAL.map((d) => p + d)]);
    if (new Set(all).size !== all.length) continue;
    const probes = await Promise.all(all.map(async (p) => {
      const s = createServer();
      const ok = await new Promise<boolean>((r) => {
        s.once('error', () => r(false));
        s.listen(p, '127.0.0.1', () => r(true));
      });
      if (ok) await new Promise<void>((r) => s.close(() => r()));
      return ok;
    }));
    if (probes.every(Boolean)) return ports;
  }
  throw new Error('no free port layout for the partition test');
}

function cut(group: number[]): void {
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      if (i !== j && group.includes(i) !== group.includes(j)) blocked.add(`${i}>${j}`);
    }
  }
  for (const link of links) {
    if (!blocked.has(`${link.from}>${link.to}`)) continue;
    for (const s of link.sockets) s.destroy();
    link.sockets.clear();
  }
}

beforeAll(async () => {
  const ports = await pickPorts();
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      if (i !== j) links.push(await listenProxy(i, j, (ports[j] as number) + (DIAL[i] as number), (ports[j] as number) + PEER_OFFSET));
    }
  }
  const members = ports.map((p) => `127.0.0.1:${p}`).join(',');
  nodes = await Promise.all(
    ports.map((port, i) => {
      const dataDir = tempDir('tacos-partition-');
      dirs.push(dataDir);
      return startTacos({
        port,
        dataDir,
        args: ['--members', members, '--cluster-secret', SECRET, '--peer-port-offset', String(PEER_OFFSET)],
        env: { TACOS_PEER_DIAL_OFFSET: String(DIAL[i]) },
        readyTimeoutMs: 45_000,
      });
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  for (const link of links) {
    for (const s of link.sockets) s.destroy();
    link.server.close();
  }
  links = [];
  for (const d of dirs) removeDir(d);
});

async function raftState(n: TacosProcess): Promise<{ leader: string | null; role: string } | undefined> {
  const res = await call(n.url, 'GET', `${NS}/raft/state`, {}).catch(() => undefined);
  return res?.status === 200 ? (res.json as { leader: string | null; role: string }) : undefined;
}

async function memberStates(n: TacosProcess): Promise<Record<string, string>> {
  const res = await call(n.url, 'GET', '/nacos/v1/core/cluster/nodes', {});
  return Object.fromEntries((res.json as { data: { address: string; state: string }[] }).data.map((m) => [m.address, m.state]));
}

async function hostPorts(n: TacosProcess, serviceName: string): Promise<Set<number>> {
  const res = await call(n.url, 'GET', `${NS}/instance/list`, { serviceName }).catch(() => undefined);
  if (res?.status !== 200) return new Set();
  return new Set((res.json as { hosts: { port: number }[] }).hosts.map((h) => h.port));
}

async function register(n: TacosProcess, serviceName: string, port: number, ephemeral: boolean): Promise<number> {
  const res = await call(n.url, 'POST', `${NS}/instance`, { serviceName, ip: '127.9.0.1', port, ephemeral }).catch(() => undefined);
  return res === undefined ? 599 : res.text === 'ok' ? res.status : res.status === 200 ? 598 : res.status;
}

test('a partitioned minority acknowledges no persistent write; ephemeral data converges after healing', async () => {
  const addr = (i: number) => `127.0.0.1:${nodes[i]?.port}`;
  const leaderAddr = await waitFor(async () => {
    const states = await Promise.all(nodes.map(raftState));
    const leaders = new Set(states.map((s) => s?.leader));
    return leaders.size === 1 ? [...leaders][0] : undefined;
  }, { timeoutMs: 15_000, what: 'a leader' });
  // Isolate the leader: the hardest minority (it believes it leads until it learns otherwise).
  const minority = nodes.findIndex((n) => `127.0.0.1:${n.port}` === leaderAddr);
  const majority = [0, 1, 2].filter((i) => i !== minority);
  const m = nodes[minority] as TacosProcess;
  const a = nodes[majority[0] as number] as TacosProcess;
  const persistent = uniqueName('part-p');
  const cutAt = Date.now();
  cut([minority]);

  // Persistent writes sent to the minority right after the cut and later: none acknowledged.
  const minorityStatuses: number[] = [];
  const minorityWrites = (async () => {
    for (let i = 0; i < 4; i++) minorityStatuses.push(await register(m, persistent, 50_000 + i, false));
  })();
  const newLeader = await waitFor(async () => {
    const s = await raftState(a);
    return s?.leader && s.leader !== leaderAddr ? s.leader : undefined;
  }, { timeoutMs: 15_000, what: 'the majority to elect a new leader' });
  const electionMs = Date.now() - cutAt;
  expect(await register(a, persistent, 51_000, false)).toBe(200);
  await minorityWrites;
  expect(minorityStatuses.filter((s) => s === 200)).toEqual([]);

  // Ephemeral writes on both sides once each side sees the other side DOWN (it then owns every key).
  // Every majority member, not only the one written to: a write on `a` may be relayed to the other
  // majority member, which must agree that the minority owns nothing (else it refuses the relay, 400).
  await waitFor(async () => {
    const mine = await memberStates(m);
    if (!majority.every((j) => mine[addr(j)] === 'DOWN')) return false;
    for (const j of majority) {
      const theirs = await memberStates(nodes[j] as TacosProcess);
      if (theirs[addr(minority)] !== 'DOWN') return false;
    }
    return true;
  }, { timeoutMs: 20_000, intervalMs: 200, what: 'both sides to see the other DOWN' });
  const ephemeral = Array.from({ length: 6 }, () => uniqueName('part-e'));
  for (const [i, s] of ephemeral.entries()) {
    expect(await register(i % 2 === 0 ? m : a, s, 52_000 + i, true)).toBe(200);
  }

  const healedAt = Date.now();
  blocked.clear();
  await waitFor(async () => {
    for (const n of nodes) for (const [i, s] of ephemeral.entries()) if (!(await hostPorts(n, s)).has(52_000 + i)) return false;
    return true;
  }, { timeoutMs: 10_000, intervalMs: 100, what: 'ephemeral data to converge within 10 s of healing' });
  const convergeMs = Date.now() - healedAt;
  // The persistent write of the majority reaches the healed minority; none of the refused ones exist anywhere.
  await waitFor(async () => (await hostPorts(m, persistent)).has(51_000), { timeoutMs: 10_000, what: 'the minority to catch up' });
  for (const n of nodes) {
    const have = await hostPorts(n, persistent);
    expect([50_000, 50_001, 50_002, 50_003].filter((p) => have.has(p))).toEqual([]);
  }
  console.log(
    `[cluster] partition (old leader ${leaderAddr} isolated): majority elected ${newLeader} after ${electionMs} ms; minority answered ${minorityStatuses.join(',')} to persistent writes (none acknowledged); ephemeral data converged ${convergeMs} ms after healing`,
  );
}, 120_000);
