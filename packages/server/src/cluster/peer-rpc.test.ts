import { ForwardBatcher, FORWARD_BATCH_RPC, type ForwardItem, forwardBatchRpc } from './forward-batch';
import { PeerSigner, PeerVerifier } from './peer-auth';
import { PeerClient } from './peer-http';
import { PeerRpc, RPC_ANSWER_CHANNEL, RPC_CHANNEL, type RpcHandler } from './peer-rpc';
import { PeerStreamDialer, type PeerStreamListener, peerStreamUpgradeListener } from './peer-stream';
import { startTestServer, type TestServer } from './testing/http-helpers';

const SECRET = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';

interface Member {
  server: TestServer;
  rpc: PeerRpc;
  listener: PeerStreamListener;
  client: PeerClient;
}

describe('requests over peer streams (PeerRpc)', () => {
  let a: Member;
  let b: Member;

  async function member(): Promise<Member> {
    const server = await startTestServer();
    const signer = new PeerSigner({ secret: SECRET, self: server.address });
    const dialer = new PeerStreamDialer({ signer });
    const rpc = new PeerRpc({ open: (m, channel) => dialer.open(m, channel) });
    const listener = peerStreamUpgradeListener({
      verifier: new PeerVerifier({ secret: SECRET }),
      channels: new Map([
        [RPC_CHANNEL, rpc.requestHandler],
        [RPC_ANSWER_CHANNEL, rpc.answerHandler],
      ]),
    });
    server.server.on('upgrade', listener);
    return { server, rpc, listener, client: new PeerClient({ signer }) };
  }

  beforeEach(async () => {
    a = await member();
    b = await member();
  });
  afterEach(async () => {
    for (const m of [a, b]) {
      m.rpc.close();
      m.listener.closeAll();
      m.client.close();
      await m.server.close();
    }
  });

  /** Calls until a stream is open (the first call only starts opening it). */
  async function callOpen(from: Member, to: Member, name: string, body: string, timeoutMs = 2000) {
    let answer = from.rpc.call(to.server.address, name, body, timeoutMs);
    while (!answer) {
      await new Promise((r) => setTimeout(r, 5));
      answer = from.rpc.call(to.server.address, name, body, timeoutMs);
    }
    return answer;
  }

  it('answers undefined until a stream is open, then each call gets its own answer from the signed peer', async () => {
    const seen: string[] = [];
    const echo: RpcHandler = async (peer, body) => {
      seen.push(peer);
      await new Promise((r) => setTimeout(r, Number(body.toString()) % 7));
      return { status: 200, body: `echo ${body.toString()}` };
    };
    b.rpc.handle('echo', echo);
    expect(a.rpc.call(b.server.address, 'echo', 'first', 1000)).toBeUndefined();
    expect((await callOpen(a, b, 'echo', '0')).body.toString()).toBe('echo 0');
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => a.rpc.call(b.server.address, 'echo', String(i), 2000) as Promise<{ status: number; body: Buffer }>));
    expect(answers.map((x) => [x.status, x.body.toString()])).toEqual(Array.from({ length: 50 }, (_, i) => [200, `echo ${i}`]));
    expect(new Set(seen)).toEqual(new Set([a.server.address]));
    expect(a.rpc.streamsOpened).toBe(1); // a's requests
    expect(b.rpc.streamsOpened).toBe(1); // b's answers
  });

  it('answers 404 for an unknown request and 500 when the handler throws', async () => {
    b.rpc.handle('boom', async () => {
      throw new Error('handler bug');
    });
    expect(await callOpen(a, b, 'nope', '')).toMatchObject({ status: 404 });
    expect(await callOpen(a, b, 'boom', '')).toMatchObject({ status: 500 });
  });

  it('rejects a call not answered in time, and calls waiting on a stream that breaks at once', async () => {
    b.rpc.handle('never', () => new Promise(() => undefined));
    await expect(callOpen(a, b, 'never', '', 100)).rejects.toThrow(/did not answer within 100 ms/);
    const waiting = a.rpc.call(b.server.address, 'never', '', 10_000) as Promise<unknown>;
    const started = Date.now();
    b.listener.closeAll();
    await expect(waiting).rejects.toThrow(/closed/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('carries forward batches: the batcher uses the stream once open, and the same route serves them', async () => {
    const served: { peer: string; items: ForwardItem[] }[] = [];
    const addresses: (string | undefined)[] = [];
    b.rpc.handle(
      FORWARD_BATCH_RPC,
      forwardBatchRpc(() => async (items, peer, remoteAddress) => {
        served.push({ peer, items });
        addresses.push(remoteAddress);
        return { v: 1, applied: 7, results: items.map((i) => ({ status: 200, contentType: 'text/plain', body: `ok ${i.url}` })) };
      }),
    );
    let posts = 0;
    b.server.setListener((_req, res) => {
      posts++;
      res.writeHead(503).end('POSTs are not expected here');
    });
    const batcher = new ForwardBatcher({
      client: a.client,
      single: async () => ({ status: 599, contentType: 'text/plain', body: 'single', forwardedTo: b.server.address }),
      exchange: (target, body, timeoutMs) => a.rpc.call(target, FORWARD_BATCH_RPC, body, timeoutMs),
    });
    await callOpen(a, b, 'warm-up', ''); // opens the stream (answered 404)
    const item = (n: number): ForwardItem => ({ method: 'POST', url: `/nacos/v1/ns/instance?serviceName=s&n=${n}`, headers: {}, origin: '127.0.0.9' });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.forward(b.server.address, item(n))));
    expect(results.map((r) => [r.status, r.body, r.raftApplied])).toEqual([1, 2, 3].map((n) => [200, `ok ${item(n).url}`, 7]));
    expect(served).toEqual([{ peer: a.server.address, items: [item(1), item(2), item(3)] }]);
    expect(addresses).toEqual(['127.0.0.1']);
    expect(posts).toBe(0);
  });
});
