import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ForwardBatcher, type ForwardBatchServer, type ForwardItem, forwardBatchRoute, itemHeaders } from './forward-batch';
import type { ForwardRequest, ForwardResult } from './forwarder';
import { PeerSigner, PeerVerifier } from './peer-auth';
import { createPeerRequestListener, PEER_PATHS, PeerClient } from './peer-http';

const SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

describe('forward batches over signed HTTP', () => {
  let server: Server;
  let target: string;
  let serve: ForwardBatchServer | undefined;
  let routeStatus: number | undefined;
  const batches: { peer: string; items: ForwardItem[] }[] = [];
  const singles: ForwardRequest[] = [];
  let client: PeerClient;

  beforeAll(async () => {
    const verifier = new PeerVerifier({ secret: SECRET });
    const route = forwardBatchRoute(() => serve);
    const listener = createPeerRequestListener({
      verifier,
      routes: [{ ...route, handler: (req) => (routeStatus ? { status: routeStatus, body: 'no such route' } : route.handler(req)) }],
    });
    server = createServer((req, res) => listener(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: '127.0.0.1:1' }) });
  });
  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    batches.length = 0;
    singles.length = 0;
    routeStatus = undefined;
    serve = async (items, peer) => {
      batches.push({ peer, items });
      return { v: 1, applied: 42, results: items.map((i) => ({ status: 200, contentType: 'text/plain', body: `ok ${i.url}` })) };
    };
  });
  const batcher = (opts: { maxInFlight?: number } = {}) =>
    new ForwardBatcher({
      client,
      ...opts,
      single: async (to: string, req: ForwardRequest): Promise<ForwardResult> => {
        singles.push(req);
        return { status: 200, contentType: 'text/plain', body: `single ${req.url}`, forwardedTo: to };
      },
    });
  const item = (n: number): ForwardItem => ({ method: 'PUT', url: `/nacos/v1/ns/instance/beat?serviceName=s&n=${n}`, headers: { 'user-agent': 'Nacos-Java-Client:v1.4.1' }, origin: '127.0.0.9' });

  it('sends the calls of one turn in one signed request and hands each caller its own answer', async () => {
    const b = batcher();
    const results = await Promise.all([1, 2, 3].map((n) => b.forward(target, item(n))));
    expect(batches).toHaveLength(1);
    expect(batches[0]?.peer).toBe('127.0.0.1:1');
    expect(batches[0]?.items).toEqual([item(1), item(2), item(3)]);
    expect(results.map((r) => [r.status, r.body, r.raftApplied, r.forwardedTo])).toEqual([1, 2, 3].map((n) => [200, `ok ${item(n).url}`, 42, target]));
  });

  it('collects the calls that arrive while the batches in flight are full into the next one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const inner = serve!;
    serve = async (items, peer) => {
      if (batches.length === 0) await gate;
      return inner(items, peer, undefined);
    };
    const b = batcher({ maxInFlight: 1 });
    const first = b.forward(target, item(1));
    await new Promise((r) => setTimeout(r, 30));
    const later = [2, 3, 4].map((n) => b.forward(target, item(n)));
    await new Promise((r) => setTimeout(r, 30));
    release();
    await Promise.all([first, ...later]);
    expect(batches.map((x) => x.items.length)).toEqual([1, 3]);
  });

  it('falls back to single calls for a member that does not serve batches', async () => {
    routeStatus = 404;
    const b = batcher();
    const [r1, r2] = await Promise.all([b.forward(target, item(1)), b.forward(target, item(2))]);
    expect([r1.body, r2.body]).toEqual([`single ${item(1).url}`, `single ${item(2).url}`]);
    expect(singles.map((s) => s.origin)).toEqual(['127.0.0.9', '127.0.0.9']);
    // And keeps sending single calls for a while.
    await b.forward(target, item(3));
    expect(singles).toHaveLength(3);
  });

  it('sends single calls to a member that does not serve batches now (starting, or auth on)', async () => {
    serve = undefined;
    const r = await batcher().forward(target, item(1));
    expect(r.body).toBe(`single ${item(1).url}`);
  });

  it('answers every caller 503 when the target cannot be reached or fails the batch', async () => {
    serve = async () => {
      throw new Error('boom');
    };
    const b = batcher();
    const [r1, r2] = await Promise.all([b.forward(target, item(1)), b.forward(target, item(2))]);
    expect([r1.status, r2.status]).toEqual([503, 503]);
    expect(r1.body).toContain(`forwarding to ${target} failed`);
    const down = await batcher().forward('127.0.0.1:1', item(1));
    expect(down.status).toBe(503);
    expect(singles).toEqual([]);
  });

  it('POSTs a batch whose stream exchange failed, and the batches after it for a while', async () => {
    let exchanges = 0;
    const b = new ForwardBatcher({
      client,
      single: async () => ({ status: 599, contentType: 'text/plain', body: 'single', forwardedTo: target }),
      retryBatchesAfterMs: 60_000,
      // An answer that cannot come back: the call times out.
      exchange: () => {
        exchanges++;
        return Promise.reject(new Error(`${target} did not answer within 2000 ms`));
      },
    });
    const first = await Promise.all([1, 2].map((n) => b.forward(target, item(n))));
    expect(first.map((r) => [r.status, r.body])).toEqual([1, 2].map((n) => [200, `ok ${item(n).url}`]));
    const second = await b.forward(target, item(3));
    expect(second.body).toBe(`ok ${item(3).url}`);
    expect(exchanges).toBe(1);
    expect(batches.map((x) => x.items.length)).toEqual([2, 1]);
    expect(b.stats).toEqual({ streamedBatches: 1, postedBatches: 2, streamFailures: 1 });
  });

  it('refuses malformed batches and unsigned ones', async () => {
    const bad = await client.request(target, { method: 'POST', path: PEER_PATHS.FORWARD, body: JSON.stringify({ v: 1, items: [{ method: 'PUT' }] }) });
    expect(bad.status).toBe(400);
    const unsigned = await fetch(`http://${target}${PEER_PATHS.FORWARD}`, { method: 'POST', body: JSON.stringify({ v: 1, items: [item(1)] }) });
    expect(unsigned.status).toBe(401);
    expect(batches).toEqual([]);
  });

  it('sends client headers without hop-by-hop, encoding and peer ones', () => {
    expect(itemHeaders({ host: 'x', connection: 'keep-alive', 'accept-encoding': 'gzip', 'user-agent': 'ua', 'x-tacos-peer': 'evil', 'x-forwarded-for': ['a', 'b'] })).toEqual({ 'user-agent': 'ua', 'x-forwarded-for': 'a, b' });
  });
});
