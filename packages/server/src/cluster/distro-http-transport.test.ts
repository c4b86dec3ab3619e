import { DISTRO_ERROR_CODES, DistroError, DistroNode, encodeError, StaticMembership, systemClock } from '@tacos/distro';
import { DistroHttpTransport, distroErrorStatus } from './distro-http-transport';
import { PeerSigner, PeerVerifier } from './peer-auth';
import { createPeerRequestListener, PEER_PATHS, PeerClient } from './peer-http';
import { freePort, startTestServer, type TestServer, until } from './testing/http-helpers';

const SECRET = '9d8c7b6a5f4e3d2c1b0a99887766554433';
const TYPE = 'naming.ephemeral';

interface Member {
  server: TestServer;
  client: PeerClient;
  node: DistroNode;
  applied: Map<string, string | null>;
}

describe('DistroHttpTransport', () => {
  let members: Member[] = [];
  const extra: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const m of members) {
      m.node.stop();
      m.client.close();
    }
    for (const e of extra) await e.close();
    extra.length = 0;
    await Promise.all(members.map((m) => m.server.close()));
    members = [];
  });

  it('replicates writes between three DistroNodes over real HTTP', async () => {
    const servers = await Promise.all([startTestServer(), startTestServer(), startTestServer()]);
    const view = servers.map((s) => ({ address: s.address, state: 'UP' as const }));
    members = servers.map((server) => {
      const client = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: server.address }) });
      const applied = new Map<string, string | null>();
      const node = new DistroNode({
        self: server.address,
        membership: new StaticMembership(view),
        clock: systemClock,
        transport: new DistroHttpTransport({ client }),
        processors: [{ type: TYPE, apply: (c) => applied.set(c.key, c.value === null ? null : new TextDecoder().decode(c.value)) }],
        config: { syncDelayMs: 20, verifyIntervalMs: 200, loadRetryDelayMs: 50, loadTimeoutMs: 2000 },
      });
      server.setListener(createPeerRequestListener({ verifier: new PeerVerifier({ secret: SECRET }), routes: [DistroHttpTransport.routeFor(node)] }));
      return { server, client, node, applied };
    });
    for (const m of members) m.node.start();
    await Promise.all(members.map((m) => m.node.whenReady()));
    const keys = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
    for (const key of keys) {
      const owner = members.find((m) => m.node.isResponsible(key)) as Member;
      owner.node.put(TYPE, key, new TextEncoder().encode(`value-of-${key}`));
    }
    await until(() => members.every((m) => keys.every((k) => m.applied.get(k) === `value-of-${k}`)), 'every member to hold every key', 10_000);
    const owner0 = members.find((m) => m.node.isResponsible('svc-0')) as Member;
    owner0.node.remove(TYPE, 'svc-0');
    await until(() => members.every((m) => m.applied.get('svc-0') === null), 'the delete to replicate', 10_000);
  }, 20_000);

  it('brings NOT_READY back as a DistroError of that code (503), and maps other failures to PEER_FAILED', async () => {
    const server = await startTestServer();
    extra.push(server);
    const client = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: '127.0.0.1:1' }), timeoutMs: 500 });
    extra.push(client);
    server.setListener(createPeerRequestListener({ verifier: new PeerVerifier({ secret: SECRET }), routes: [DistroHttpTransport.routeFor(() => undefined)] }));
    const transport = new DistroHttpTransport({ client });
    await expect(transport.request(server.address, { kind: 'snapshot', from: '127.0.0.1:1' })).rejects.toMatchObject({ code: DISTRO_ERROR_CODES.NOT_READY });

    const rogue = new PeerClient({ signer: new PeerSigner({ secret: `${SECRET}0`, self: '127.0.0.1:1' }) });
    extra.push(rogue);
    const unauthorized = new DistroHttpTransport({ client: rogue });
    await expect(unauthorized.request(server.address, { kind: 'snapshot', from: '127.0.0.1:1' })).rejects.toMatchObject({ code: DISTRO_ERROR_CODES.PEER_FAILED, message: expect.stringContaining('HTTP 401') });

    const dead = `127.0.0.1:${await freePort()}`;
    await expect(transport.request(dead, { kind: 'snapshot', from: '127.0.0.1:1' })).rejects.toMatchObject({ code: DISTRO_ERROR_CODES.PEER_FAILED, message: expect.stringContaining('refused') });
  });

  it('refuses a request whose `from` is not the signed sender', async () => {
    const server = await startTestServer();
    extra.push(server);
    const node = new DistroNode({ self: server.address, membership: new StaticMembership([{ address: server.address, state: 'UP' }]), clock: systemClock, transport: { request: () => Promise.reject(new Error('unused')) } });
    node.start();
    extra.push({ close: () => node.stop() });
    server.setListener(createPeerRequestListener({ verifier: new PeerVerifier({ secret: SECRET }), routes: [DistroHttpTransport.routeFor(node)] }));
    const client = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: '127.0.0.1:1' }) });
    extra.push(client);
    const res = await client.request(server.address, { method: 'POST', path: PEER_PATHS.DISTRO, body: JSON.stringify({ v: 1, kind: 'snapshot', from: '127.0.0.1:2' }) });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toMatchObject({ kind: 'error', code: 'BAD_MESSAGE' });
    const ok = await new DistroHttpTransport({ client }).request(server.address, { kind: 'snapshot', from: '127.0.0.1:1' });
    expect(ok).toEqual({ kind: 'entries', entries: [], purgeHorizon: expect.any(Number) });
  });

  it('maps error codes to statuses', () => {
    expect(distroErrorStatus(new DistroError('NOT_READY', 'x'))).toBe(503);
    expect(distroErrorStatus(new DistroError('STOPPED', 'x'))).toBe(503);
    expect(distroErrorStatus(new DistroError('BAD_MESSAGE', 'x'))).toBe(400);
    expect(distroErrorStatus(new Error('boom'))).toBe(500);
    expect(encodeError(new Error('secret detail'))).not.toContain('secret detail');
  });
});
