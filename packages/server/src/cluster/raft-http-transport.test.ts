import { decodeMessages, encodeMessages, MESSAGE_TYPES, MemoryStorage, type Message, RaftNode, type StateMachine } from '@tacos/raft';
import { PeerSigner, PeerVerifier } from './peer-auth';
import { createPeerRequestListener, PEER_PATHS, PeerClient } from './peer-http';
import { PeerStreamDialer, type PeerStreamListener, peerStreamUpgradeListener } from './peer-stream';
import { RAFT_STREAM_CHANNEL, RaftHttpTransport } from './raft-http-transport';
import { freePort, startTestServer, type TestServer, until } from './testing/http-helpers';

const SECRET = '4c1f7a2e9b3d5c6e8f0a1b2c3d4e5f60';

/** A key-value state machine: `put k v` returns the previous value. */
class Kv implements StateMachine {
  data = new Map<string, string>();
  apply(command: Uint8Array): unknown {
    const [k, v] = new TextDecoder().decode(command).split('=') as [string, string];
    const prev = this.data.get(k) ?? null;
    this.data.set(k, v);
    return prev;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.data]));
  }
  restore(snapshot: Uint8Array): void {
    this.data = new Map(JSON.parse(new TextDecoder().decode(snapshot)) as [string, string][]);
  }
}

interface Member {
  server: TestServer;
  client: PeerClient;
  transport: RaftHttpTransport;
  node: RaftNode;
  kv: Kv;
  streams?: PeerStreamListener;
}

/** Which members dial peer streams, and which accept them (an older member does neither). */
interface StreamSetup {
  dials: (i: number) => boolean;
  accepts: (i: number) => boolean;
}

describe('RaftHttpTransport', () => {
  let members: Member[] = [];
  afterEach(async () => {
    await Promise.all(members.map((m) => m.node.stop()));
    for (const m of members) {
      m.transport.close();
      m.client.close();
      m.streams?.closeAll();
    }
    await Promise.all(members.map((m) => m.server.close()));
    members = [];
  });

  async function cluster(n: number, replyWaitMs?: (i: number) => number | undefined, streams?: StreamSetup): Promise<Member[]> {
    const servers = await Promise.all(Array.from({ length: n }, () => startTestServer()));
    const ids = servers.map((s) => s.address);
    members = servers.map((server, i) => {
      const signer = new PeerSigner({ secret: SECRET, self: server.address });
      const client = new PeerClient({ signer });
      const dialer = new PeerStreamDialer({ signer });
      const transport = new RaftHttpTransport({ client, replyWaitMs: replyWaitMs?.(i), ...(streams?.dials(i) ? { openStream: (m: string) => dialer.open(m, RAFT_STREAM_CHANNEL) } : {}) });
      const verifier = new PeerVerifier({ secret: SECRET });
      server.setListener(createPeerRequestListener({ verifier, routes: [transport.route] }));
      let listener: PeerStreamListener | undefined;
      if (streams?.accepts(i)) {
        listener = peerStreamUpgradeListener({ verifier, channels: new Map([[RAFT_STREAM_CHANNEL, transport.streamHandler]]) });
        server.server.on('upgrade', listener);
      }
      const kv = new Kv();
      let seed = 7 + i * 1000;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      const node = new RaftNode({ id: server.address, peers: ids, storage: new MemoryStorage(), transport, stateMachine: kv, tickMs: 20, random });
      return { server, client, transport, node, kv, ...(listener ? { streams: listener } : {}) };
    });
    await Promise.all(members.map((m) => m.node.start()));
    return members;
  }

  it('carries a 3-member Raft group over real HTTP: elects a leader and commits proposals everywhere', async () => {
    await cluster(3);
    const leaderOf = () => members.find((m) => m.node.status().role === 'LEADER');
    await until(() => leaderOf() !== undefined, 'a leader', 10_000);
    const leader = leaderOf() as Member;
    for (let i = 0; i < 10; i++) await leader.node.propose(new TextEncoder().encode(`k${i}=v${i}`));
    expect(await leader.node.propose(new TextEncoder().encode('k0=w'))).toBe('v0');
    await until(() => members.every((m) => m.kv.data.size === 10 && m.kv.data.get('k0') === 'w'), 'every member to apply', 10_000);
    const followers = members.filter((m) => m !== leader);
    expect(followers.every((f) => f.node.status().leaderId === leader.server.address)).toBe(true);
    expect(leader.transport.stats.sentMessages).toBeGreaterThan(0);
    expect(members.reduce((s, m) => s + m.transport.stats.rejectedMessages, 0)).toBe(0);
    // Acknowledgements rode back in the answers to the leader's POSTs.
    const replied = followers.reduce((s, f) => s + f.transport.stats.repliedBatches, 0);
    expect(replied).toBeGreaterThan(0);
  }, 20_000);

  it('works with members that do not reply in answers (replyWaitMs 0 sends no header and answers 204 at once)', async () => {
    // Member 0 behaves like a member without reply support; the others do.
    await cluster(3, (i) => (i === 0 ? 0 : undefined));
    const leaderOf = () => members.find((m) => m.node.status().role === 'LEADER');
    await until(() => leaderOf() !== undefined, 'a leader', 10_000);
    const leader = leaderOf() as Member;
    for (let i = 0; i < 20; i++) await leader.node.propose(new TextEncoder().encode(`m${i}=${i}`));
    await until(() => members.every((m) => m.kv.data.size === 20), 'every member to apply', 10_000);
    // Nobody held an answer for member 0 (it never asked), and member 0 held none (it never answers that way).
    expect(members[0]?.transport.stats.repliedBatches).toBe(0);
    expect(members[0]?.transport.stats.sentBatches).toBeGreaterThan(0);
  }, 20_000);

  it('carries the group over peer streams once open: no more POSTs, every member applies', async () => {
    const all = { dials: () => true, accepts: () => true };
    await cluster(3, undefined, all);
    const leaderOf = () => members.find((m) => m.node.status().role === 'LEADER');
    await until(() => leaderOf() !== undefined, 'a leader', 10_000);
    const leader = leaderOf() as Member;
    // A member opens a stream to each peer it sends to: the leader to both, a follower to the leader.
    const opened = () => members.every((m) => m.transport.stats.streamsOpened === (m === leader ? 2 : 1));
    await until(opened, 'streams from the leader to both followers and back', 10_000);
    // POSTs started before the streams opened may still be finishing: let one round settle first.
    await leader.node.propose(new TextEncoder().encode('warm=1'));
    await until(() => members.every((m) => m.kv.data.get('warm') === '1'), 'a first round', 10_000);
    await new Promise((r) => setTimeout(r, 100));
    const posted = members.map((m) => m.transport.stats.sentBatches);
    for (let i = 0; i < 50; i++) await leader.node.propose(new TextEncoder().encode(`s${i}=${i}`));
    await until(() => members.every((m) => m.kv.data.size === 51), 'every member to apply', 10_000);
    expect(members.map((m) => m.transport.stats.sentBatches)).toEqual(posted);
    expect(leader.transport.stats.streamedBatches).toBeGreaterThan(0);
    expect(members.reduce((s, m) => s + m.transport.stats.rejectedMessages, 0)).toBe(0);
  }, 20_000);

  it('reopens a broken stream and keeps committing', async () => {
    await cluster(3, undefined, { dials: () => true, accepts: () => true });
    const leaderOf = () => members.find((m) => m.node.status().role === 'LEADER');
    await until(() => leaderOf() !== undefined, 'a leader', 10_000);
    const leader = leaderOf() as Member;
    const opened = (n: number) => () => members.every((m) => m.transport.stats.streamsOpened === (m === leader ? 2 : 1) * n);
    await until(opened(1), 'open streams', 10_000);
    // Every stream into every member breaks at once (as a restarted peer or a cut connection would).
    for (const m of members) m.streams?.closeAll();
    for (let i = 0; i < 20; i++) await leader.node.propose(new TextEncoder().encode(`r${i}=${i}`));
    await until(() => members.every((m) => m.kv.data.size === 20), 'every member to apply', 10_000);
    await until(opened(2), 'streams reopened', 10_000);
  }, 20_000);

  it('works with a member that has no streams: it is sent POSTs, and sends them', async () => {
    // Member 0 is an older member: it neither accepts nor dials streams.
    await cluster(3, undefined, { dials: (i) => i !== 0, accepts: (i) => i !== 0 });
    const leaderOf = () => members.find((m) => m.node.status().role === 'LEADER');
    await until(() => leaderOf() !== undefined, 'a leader', 10_000);
    const leader = leaderOf() as Member;
    for (let i = 0; i < 20; i++) await leader.node.propose(new TextEncoder().encode(`o${i}=${i}`));
    await until(() => members.every((m) => m.kv.data.size === 20), 'every member to apply', 10_000);
    const old = members[0] as Member;
    expect(old.transport.stats.streamsOpened).toBe(0);
    // Member 0 got POSTs (it answers in them or POSTs back), and nobody holds a stream to it.
    expect(old.transport.stats.receivedMessages).toBeGreaterThan(0);
    expect(old.transport.stats.sentBatches + old.transport.stats.repliedBatches).toBeGreaterThan(0);
    const sendersToOld = old === leader ? members.slice(1) : [leader];
    for (const m of sendersToOld) expect(m.transport.stats.sentBatches).toBeGreaterThan(0);
  }, 20_000);

  it('answers 204 after replyWaitMs when it has nothing for the sender, and sends waiting messages at once', async () => {
    const server = await startTestServer();
    const self = server.address;
    const transport = new RaftHttpTransport({ client: new PeerClient({ signer: new PeerSigner({ secret: SECRET, self }) }), replyWaitMs: 50 });
    const received: Message[] = [];
    transport.onMessage((m) => received.push(m));
    server.setListener(createPeerRequestListener({ verifier: new PeerVerifier({ secret: SECRET }), routes: [transport.route] }));
    const peer = '127.0.0.1:1';
    const client = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: peer }) });
    const post = (headers: Record<string, string>) =>
      client.request(self, { method: 'POST', path: PEER_PATHS.RAFT, body: encodeMessages([{ type: MESSAGE_TYPES.HEARTBEAT, from: peer, to: self, term: 1 } as Message]), headers });
    try {
      const started = Date.now();
      expect((await post({ 'x-tacos-raft-reply': '1' })).status).toBe(204);
      expect(Date.now() - started).toBeGreaterThanOrEqual(40);
      // Without the header: 204 at once.
      const quick = Date.now();
      expect((await post({})).status).toBe(204);
      expect(Date.now() - quick).toBeLessThan(40);
      // A message for the sender that shows up while the answer is held goes back in it.
      const held = post({ 'x-tacos-raft-reply': '1' });
      setTimeout(() => transport.send([{ type: MESSAGE_TYPES.HEARTBEAT_RESP, from: self, to: peer, term: 1 } as Message]), 10);
      const answer = await held;
      expect(answer.status).toBe(200);
      expect(decodeMessages(answer.body)).toMatchObject([{ from: self, to: peer }]);
      expect(transport.stats.repliedBatches).toBe(1);
      expect(received).toHaveLength(3);
    } finally {
      transport.close();
      client.close();
      await server.close();
    }
  });

  it('elects a new leader over HTTP when the leader member goes away', async () => {
    await cluster(3);
    const leaderOf = () => members.find((m) => m.node.status().role === 'LEADER');
    await until(() => leaderOf() !== undefined, 'a leader', 10_000);
    const old = leaderOf() as Member;
    await old.node.propose(new TextEncoder().encode('a=1'));
    await old.node.stop();
    await old.server.close();
    const rest = members.filter((m) => m !== old);
    await until(() => rest.some((m) => m.node.status().role === 'LEADER'), 'a new leader among the other two', 10_000);
    const next = rest.find((m) => m.node.status().role === 'LEADER') as Member;
    expect(next.node.status().term).toBeGreaterThan(old.node.status().term);
    expect(await next.node.propose(new TextEncoder().encode('a=2'))).toBe('1');
    await until(() => rest.every((m) => m.kv.data.get('a') === '2'), 'both survivors to apply', 10_000);
    // Batches to the dead member fail and are dropped, as the transport promises.
    await until(() => next.transport.stats.failedBatches > 0, 'failed sends to the dead member');
  }, 20_000);

  it('refuses unsigned batches, batches with a forged sender, and answers 503 before Raft starts', async () => {
    const server = await startTestServer();
    const client = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: '127.0.0.1:1' }) });
    const transport = new RaftHttpTransport({ client: new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: server.address }) }) });
    server.setListener(createPeerRequestListener({ verifier: new PeerVerifier({ secret: SECRET }), routes: [transport.route] }));
    try {
      const hb = (from: string): Message => ({ type: 'Heartbeat', from, to: server.address, term: 1, commit: 0 });
      const body = encodeMessages([hb('127.0.0.1:1')]);
      expect((await client.request(server.address, { method: 'POST', path: PEER_PATHS.RAFT, body })).status).toBe(503);
      const got: Message[] = [];
      transport.onMessage((m) => got.push(m));
      const unsigned = await fetch(`http://${server.address}${PEER_PATHS.RAFT}`, { method: 'POST', headers: { 'user-agent': 'Nacos-Server:1.4.1' }, body: Buffer.from(body) });
      expect(unsigned.status).toBe(401);
      expect((await client.request(server.address, { method: 'POST', path: PEER_PATHS.RAFT, body: encodeMessages([hb('127.0.0.1:2')]) })).status).toBe(204);
      expect(got).toHaveLength(0);
      expect(transport.stats.rejectedMessages).toBe(1);
      expect((await client.request(server.address, { method: 'POST', path: PEER_PATHS.RAFT, body })).status).toBe(204);
      expect(got).toEqual([hb('127.0.0.1:1')]);
      expect((await client.request(server.address, { method: 'POST', path: PEER_PATHS.RAFT, body: 'junk' })).status).toBe(400);
    } finally {
      client.close();
      transport.close();
      await server.close();
    }
  });

  it('never throws from send, drops the oldest messages when a peer queue is full, and survives a dead peer', async () => {
    const errors: unknown[] = [];
    const client = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: '127.0.0.1:1' }), timeoutMs: 500 });
    const transport = new RaftHttpTransport({ client, maxInFlightPerPeer: 1, maxQueuedPerPeer: 3, maxBatchMessages: 2, onError: (e) => errors.push(e) });
    const dead = `127.0.0.1:${await freePort()}`;
    try {
      const msgs = Array.from({ length: 10 }, (_, i): Message => ({ type: 'Heartbeat', from: '127.0.0.1:1', to: dead, term: i }));
      expect(() => transport.send(msgs)).not.toThrow();
      expect(transport.stats.droppedMessages).toBe(7);
      await until(() => transport.stats.failedBatches === 2, 'both batches to fail against a closed port');
      expect(errors).toHaveLength(2);
    } finally {
      transport.close();
      client.close();
    }
  });
});
