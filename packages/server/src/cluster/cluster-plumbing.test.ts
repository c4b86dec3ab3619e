import { DistroNode, systemClock } from '@tacos/distro';
import { MemoryStorage, RaftNode, type StateMachine } from '@tacos/raft';
import express, { type Request, type Response } from 'express';
import { type ClusterPlumbing, createClusterPlumbing } from './cluster-plumbing';
import { clusterRoutes } from './cluster-routes';
import { type ClusterRequest, invalidRedirectText, peerClassifier, saveRawBody } from './forwarder';
import { PeerSigner } from './peer-auth';
import { PeerClient, peerUrlResolver } from './peer-http';
import { startTestServer, type TestServer, until } from './testing/http-helpers';

const SECRET = '6a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d';
const TYPE = 'naming.ephemeral';

class Log implements StateMachine {
  entries: string[] = [];
  apply(command: Uint8Array): unknown {
    this.entries.push(new TextDecoder().decode(command));
    return this.entries.length;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.entries));
  }
  restore(snapshot: Uint8Array): void {
    this.entries = JSON.parse(new TextDecoder().decode(snapshot)) as string[];
  }
}

interface Member {
  address: string;
  server: TestServer;
  plumbing: ClusterPlumbing;
  raft: RaftNode;
  log: Log;
  distro: DistroNode;
  ephemeral: Map<string, string>;
}

/** One member wired the way the README tells the host to. */
function wire(server: TestServer, members: string[], index: number): Member {
  const self = server.address;
  const plumbing = createClusterPlumbing({ self, members, secret: SECRET, version: 'test', probeIntervalMs: 100 });
  const log = new Log();
  let seed = 11 + index * 977;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const raft = new RaftNode({ id: self, peers: members, storage: new MemoryStorage(), transport: plumbing.raftTransport, stateMachine: log, tickMs: 20, random });
  plumbing.bindRaft(raft);
  const ephemeral = new Map<string, string>();
  const distro = new DistroNode({
    self,
    membership: plumbing.membership,
    clock: systemClock,
    transport: plumbing.distroTransport,
    processors: [{ type: TYPE, apply: (c) => (c.value === null ? ephemeral.delete(c.key) : ephemeral.set(c.key, new TextDecoder().decode(c.value))) }],
    config: { syncDelayMs: 20, verifyIntervalMs: 300, loadRetryDelayMs: 50, loadTimeoutMs: 1500 },
  });
  plumbing.bindDistro(distro);

  const app = express();
  app.use(plumbing.peerListener()); // before any body parser
  app.use(express.urlencoded({ extended: false, verify: saveRawBody }));
  app.use(peerClassifier(plumbing.verifier));
  app.post('/nacos/v1/ns/instance', async (req: Request, res: Response) => {
    const r = req as ClusterRequest;
    const params = { ...(req.query as Record<string, string>), ...(req.body as Record<string, string>) };
    const service = `DEFAULT_GROUP@@${params.serviceName}`;
    const relay = async (target: string) => {
      const out = await plumbing.forwarder.forward(target, { method: req.method, url: req.originalUrl, headers: req.headers, body: r.rawBody, origin: req.socket.remoteAddress });
      res.status(out.status).type(out.contentType).send(out.body);
    };
    if (params.ephemeral !== 'false') {
      const owner = distro.ownerOf(service);
      if (owner !== undefined && owner !== self) {
        if (r.forwardedBy) return void res.status(400).type('text/plain').send(invalidRedirectText(r.forwardedBy));
        return relay(owner);
      }
      distro.put(TYPE, service, new TextEncoder().encode(`${params.ip}:${params.port}@${self}`));
      return void res.type('text/plain').send('ok');
    }
    const st = raft.status();
    if (st.role !== 'LEADER') {
      if (r.forwardedBy || st.leaderId === '') return void res.status(503).type('text/plain').send('no Raft leader here; retry');
      return relay(st.leaderId);
    }
    await raft.propose(new TextEncoder().encode(`${service}|${params.ip}:${params.port}`));
    res.type('text/plain').send('ok');
  });
  for (const route of clusterRoutes({ membership: plumbing.membership, raftStatus: () => raft.status(), distroOwnerOf: (n) => distro.ownerOf(n) })) {
    app.get(route.path, async (req: Request, res: Response) => {
      const q = req.query as Record<string, string>;
      const out = await route.handler({ method: 'GET', path: req.path, param: (n) => q[n], header: (n) => req.get(n) });
      res.status(out.status).type(out.contentType).send(out.body);
    });
  }
  server.setListener(app);
  return { address: self, server, plumbing, raft, log, distro, ephemeral };
}

describe('cluster plumbing, three members over real HTTP', () => {
  let members: Member[] = [];
  const stopped = new Set<Member>();
  async function stop(m: Member) {
    if (stopped.has(m)) return;
    stopped.add(m);
    m.distro.stop();
    await m.raft.stop();
    m.plumbing.close();
    await m.server.close();
  }
  beforeAll(async () => {
    const servers = await Promise.all([startTestServer(), startTestServer(), startTestServer()]);
    const addresses = servers.map((s) => s.address).sort();
    members = servers.map((s, i) => wire(s, addresses, i));
    for (const m of members) {
      m.plumbing.start();
      m.distro.start();
    }
    await Promise.all(members.map((m) => m.raft.start()));
    await Promise.all(members.map((m) => m.distro.whenReady()));
  });
  afterAll(async () => {
    for (const m of members) await stop(m);
  });

  const post = (m: Member, form: Record<string, string>) =>
    fetch(`http://${m.address}/nacos/v1/ns/instance`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

  it('elects one Raft leader that every member reports on /raft/state', async () => {
    await until(() => members.some((m) => m.raft.status().role === 'LEADER'), 'a leader', 10_000);
    const leader = (members.find((m) => m.raft.status().role === 'LEADER') as Member).address;
    await until(() => members.every((m) => m.raft.status().leaderId === leader), 'every member to know the leader', 10_000);
    for (const m of members) {
      const body = (await (await fetch(`http://${m.address}/nacos/v1/ns/raft/state`)).json()) as { leader: string; role: string; members: string[] };
      expect(body.leader).toBe(leader);
      expect(body.role).toBe(m.address === leader ? 'LEADER' : 'FOLLOWER');
      expect(body.members.sort()).toEqual(members.map((x) => x.address).sort());
    }
  }, 15_000);

  it('forwards ephemeral writes to the distro owner and replicates them to everyone', async () => {
    const services = Array.from({ length: 9 }, (_, i) => `svc${i}`);
    for (const [i, svc] of services.entries()) {
      const via = members[i % 3] as Member;
      const res = await post(via, { serviceName: svc, ip: '10.1.1.1', port: String(8000 + i) });
      expect(await res.text()).toBe('ok');
    }
    await until(() => members.every((m) => services.every((s) => m.ephemeral.has(`DEFAULT_GROUP@@${s}`))), 'every member to hold every service', 10_000);
    for (const svc of services) {
      const owner = members[0]?.distro.ownerOf(`DEFAULT_GROUP@@${svc}`);
      // The value records which member wrote it: always the owner, whichever member the client hit.
      expect(members[1]?.ephemeral.get(`DEFAULT_GROUP@@${svc}`)).toMatch(new RegExp(`@${owner}$`));
      const shown = (await (await fetch(`http://${members[2]?.address}/nacos/v1/ns/operator/distro/server?serviceName=${svc}`)).json()) as { responsibleServer: string };
      expect(shown.responsibleServer).toBe(owner);
    }
  }, 15_000);

  it('sends persistent writes through a follower to the leader, and all members apply them', async () => {
    const follower = members.find((m) => m.raft.status().role !== 'LEADER') as Member;
    for (let i = 0; i < 3; i++) {
      const res = await post(follower, { serviceName: 'persist', ip: '10.2.2.2', port: String(9000 + i), ephemeral: 'false' });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('ok');
    }
    await until(() => members.every((m) => m.log.entries.filter((e) => e.startsWith('DEFAULT_GROUP@@persist|')).length === 3), 'every member to apply', 10_000);
  }, 15_000);

  it('shows members UP in Nacos shape and marks a stopped member DOWN', async () => {
    const nodes = (await (await fetch(`http://${members[0]?.address}/nacos/v1/core/cluster/nodes`)).json()) as { code: number; message: null; data: { address: string; state: string; extendInfo: { raftMetaData?: unknown } }[] };
    expect(nodes.code).toBe(200);
    expect(nodes.message).toBeNull();
    expect(nodes.data.map((n) => [n.address, n.state])).toEqual(members.map((m) => [m.address, 'UP']).sort());
    await until(() => (members[0] as Member).plumbing.membership.members().every((m) => m.extendInfo.raftMetaData !== undefined), 'peers to report raft metadata');
    await until(() => (members[0] as Member).plumbing.membership.members().every((m) => m.extendInfo.distroReady === true), 'every member to report its Distro data loaded');
    const victim = members[2] as Member;
    await stop(victim);
    await until(() => (members[0] as Member).plumbing.membership.member(victim.address)?.state === 'DOWN', 'the stopped member to be DOWN', 5000);
    const health = (await (await fetch(`http://${members[1]?.address}/nacos/v1/core/cluster/health`)).json()) as { data: string };
    expect(health.data).toBe('UP');
  }, 15_000);
});

describe('peer routes on a separate port', () => {
  it('runs membership and Raft over peer servers while the client ports serve no peer routes', async () => {
    const clientServers = await Promise.all([startTestServer(), startTestServer()]);
    const peerServers = await Promise.all([startTestServer(), startTestServer()]);
    const addresses = clientServers.map((s) => s.address);
    const peerUrl = new Map(addresses.map((a, i) => [a, `http://${peerServers[i]?.address}`]));
    const plumbings = addresses.map((self) => createClusterPlumbing({ self, members: addresses, secret: SECRET, version: 't', probeIntervalMs: 50, resolvePeerUrl: (m) => peerUrl.get(m) as string }));
    const nodes = plumbings.map((p, i) => new RaftNode({ id: p.self, peers: addresses, storage: new MemoryStorage(), transport: p.raftTransport, stateMachine: new Log(), tickMs: 20, random: () => (i + 1) / 3 }));
    plumbings.forEach((p, i) => {
      p.bindRaft(nodes[i] as RaftNode);
      peerServers[i]?.setListener(p.peerListener());
      clientServers[i]?.setListener((_req, res) => res.writeHead(404).end('client port'));
    });
    try {
      for (const p of plumbings) p.start();
      await Promise.all(nodes.map((n) => n.start()));
      await until(() => nodes.some((n) => n.status().role === 'LEADER'), 'a leader over the peer port', 10_000);
      const leader = nodes.find((n) => n.status().role === 'LEADER') as RaftNode;
      expect(await leader.propose(new TextEncoder().encode('x'))).toBe(1);
      await until(() => plumbings.every((p) => p.membership.members().every((m) => m.state === 'UP' && m.extendInfo.raftMetaData !== undefined)), 'members to see each other through the peer port');
      const onClientPort = await fetch(`http://${addresses[0]}/nacos/v1/ns/peer/health`);
      expect(onClientPort.status).toBe(404);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      for (const p of plumbings) p.close();
      await Promise.all([...clientServers, ...peerServers].map((s) => s.close()));
    }
  }, 15_000);
});

describe('peerUrlResolver', () => {
  it('puts peer routes on the member port, or on port + offset', () => {
    expect(peerUrlResolver()('10.0.0.1:8848')).toBe('http://10.0.0.1:8848');
    expect(peerUrlResolver({ peerPortOffset: 1 })('10.0.0.1:8848')).toBe('http://10.0.0.1:8849');
    expect(peerUrlResolver({ peerPortOffset: -1000 })('[::1]:8848')).toBe('http://[::1]:7848');
  });
});

describe('createClusterPlumbing', () => {
  it('refuses peer requests from signers that are not members', async () => {
    const server = await startTestServer();
    const plumbing = createClusterPlumbing({ self: server.address, members: [server.address, '127.0.0.1:1'], secret: SECRET, version: 'x' });
    server.setListener(plumbing.peerListener());
    const outsider = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: '127.0.0.1:2' }) });
    const member = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: '127.0.0.1:1' }) });
    try {
      const refused = await outsider.request(server.address, { method: 'GET', path: '/nacos/v1/ns/peer/health' });
      expect([refused.status, refused.body.toString()]).toEqual([401, 'peer authentication failed: unknown-peer']);
      const ok = await member.request(server.address, { method: 'GET', path: '/nacos/v1/ns/peer/health' });
      expect(JSON.parse(ok.body.toString())).toEqual({ address: server.address, state: 'UP', version: 'x' });
    } finally {
      outsider.close();
      member.close();
      plumbing.close();
      await server.close();
    }
  });


  it('refuses a weak secret before building anything', () => {
    expect(() => createClusterPlumbing({ self: 'a:1', members: ['a:1', 'b:1'], secret: 'nacos', version: 'x' })).toThrow(expect.objectContaining({ code: 'BAD_SECRET' }));
  });
});
