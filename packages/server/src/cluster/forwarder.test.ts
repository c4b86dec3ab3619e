import type { IncomingMessage, ServerResponse } from 'node:http';
import { classifyIncoming, Forwarder, invalidRedirectText } from './forwarder';
import { PeerSigner, PeerVerifier, readBody } from './peer-auth';
import { freePort, startTestServer, type TestServer } from './testing/http-helpers';

const SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

/**
 * A member that owns nothing: it forwards client writes to `owner`, serves forwarded ones, and
 * refuses to forward a forwarded one again (Nacos' DistroFilter, with signatures instead of a UA).
 */
function memberListener(verifier: PeerVerifier, forwarder: Forwarder | undefined, owns: boolean) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req, 1024 * 1024);
    const url = req.url ?? '/';
    const kind = classifyIncoming(verifier, { method: req.method ?? '', url, headers: req.headers, body });
    const reply = (status: number, text: string, type = 'text/plain; charset=utf-8') => res.writeHead(status, { 'content-type': type }).end(text);
    if (kind.kind === 'rejected') return reply(401, `peer authentication failed: ${kind.reason}`);
    if (owns) {
      return reply(
        200,
        JSON.stringify({ kind: kind.kind, peer: kind.kind === 'peer' ? kind.peer : null, origin: kind.kind === 'peer' ? (kind.origin ?? null) : null, method: req.method, url, body: body.toString(), ua: req.headers['user-agent'], accessToken: req.headers.accesstoken ?? null, smuggled: req.headers['x-tacos-smuggled'] ?? null }),
        'application/json; charset=utf-8',
      );
    }
    if (kind.kind === 'peer') return reply(400, invalidRedirectText(kind.peer));
    const result = await (forwarder as Forwarder).forward(OWNER.address, { method: req.method ?? '', url, headers: req.headers, body, origin: req.socket.remoteAddress });
    return reply(result.status, result.body, result.contentType);
  };
}
let OWNER: TestServer;

describe('Forwarder', () => {
  let entry: TestServer;
  let other: TestServer;
  let forwarders: Forwarder[] = [];
  beforeAll(async () => {
    [OWNER, entry, other] = await Promise.all([startTestServer(), startTestServer(), startTestServer()]);
    const fEntry = new Forwarder({ signer: new PeerSigner({ secret: SECRET, self: entry.address }) });
    const fOther = new Forwarder({ signer: new PeerSigner({ secret: SECRET, self: other.address }) });
    forwarders = [fEntry, fOther];
    OWNER.setListener(memberListener(new PeerVerifier({ secret: SECRET }), undefined, true));
    entry.setListener(memberListener(new PeerVerifier({ secret: SECRET }), fEntry, false));
    other.setListener(memberListener(new PeerVerifier({ secret: SECRET }), fOther, false));
  });
  afterAll(async () => {
    for (const f of forwarders) f.close();
    await Promise.all([OWNER.close(), entry.close(), other.close()]);
  });

  it('proxies method, path, query, body and headers to the owner and relays the answer', async () => {
    const res = await fetch(`http://${entry.address}/nacos/v1/ns/instance?serviceName=demo&ip=1.2.3.4`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Nacos-Java-Client:v1.4.1', accesstoken: 'tok', 'x-tacos-smuggled': 'yes' },
      body: 'port=8080&weight=2',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({
      kind: 'peer',
      peer: entry.address,
      origin: '127.0.0.1',
      method: 'POST',
      url: '/nacos/v1/ns/instance?serviceName=demo&ip=1.2.3.4',
      body: 'port=8080&weight=2',
      ua: 'Nacos-Java-Client:v1.4.1',
      accessToken: 'tok',
      smuggled: null,
    });
  });

  it('relays the request line verbatim (encoded query, odd characters) so the signature holds', async () => {
    const url = "/nacos/v1/ns/instance?serviceName=a%20b&tag=%E4%B8%AD&x='y'&z=1+2";
    const f = new Forwarder({ signer: new PeerSigner({ secret: SECRET, self: entry.address }) });
    try {
      const res = await f.forward(OWNER.address, { method: 'PUT', url, headers: {} });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ kind: 'peer', url });
      const bad = await f.forward(OWNER.address, { method: 'PUT', url: '/nacos/v1/ns/instance?a=b c', headers: {} });
      expect(bad.status).toBe(503);
    } finally {
      f.close();
    }
  });

  it('a forwarded request reaching a non-owner is refused, not forwarded again', async () => {
    const f = new Forwarder({ signer: new PeerSigner({ secret: SECRET, self: entry.address }) });
    try {
      const res = await f.forward(other.address, { method: 'DELETE', url: '/nacos/v1/ns/instance?serviceName=demo', headers: {} });
      expect(res).toEqual({ status: 400, contentType: 'text/plain; charset=utf-8', body: `receive invalid redirect request from peer ${entry.address}`, forwardedTo: other.address });
    } finally {
      f.close();
    }
  });

  it('a client request with User-Agent Nacos-Server is still a client request (forwarded, not trusted)', async () => {
    const res = await fetch(`http://${entry.address}/nacos/v1/ns/instance?serviceName=x`, { method: 'PUT', headers: { 'user-agent': 'Nacos-Server:1.4.1', serveridentity: 'security' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'peer', peer: entry.address, ua: 'Nacos-Server:1.4.1' });
    const direct = await fetch(`http://${OWNER.address}/nacos/v1/ns/instance?serviceName=x`, { method: 'PUT', headers: { 'user-agent': 'Nacos-Server:1.4.1', serveridentity: 'security' } });
    expect(await direct.json()).toMatchObject({ kind: 'client', peer: null });
  });

  it('answers 503 with a clear text when the target is unreachable or too slow', async () => {
    const f = new Forwarder({ signer: new PeerSigner({ secret: SECRET, self: entry.address }), timeoutMs: 200 });
    const slow = await startTestServer();
    slow.setListener(() => {
      /* never answers */
    });
    try {
      const dead = `127.0.0.1:${await freePort()}`;
      const refused = await f.forward(dead, { method: 'POST', url: '/nacos/v1/ns/instance', headers: {}, body: 'a=1' });
      expect(refused.status).toBe(503);
      expect(refused.body).toBe(`forwarding to ${dead} failed: ${dead} refused the connection; retry or ask another member`);
      const timedOut = await f.forward(slow.address, { method: 'POST', url: '/nacos/v1/ns/instance', headers: {}, body: 'a=1' });
      expect(timedOut.status).toBe(503);
      expect(timedOut.body).toContain('did not answer within 200 ms');
    } finally {
      f.close();
      await slow.close();
    }
  });

  it('turns a signature refusal by the target into 503 naming the likely cause', async () => {
    const f = new Forwarder({ signer: new PeerSigner({ secret: `${SECRET}-wrong`, self: entry.address }) });
    try {
      const res = await f.forward(OWNER.address, { method: 'POST', url: '/nacos/v1/ns/instance', headers: {} });
      expect(res.status).toBe(503);
      expect(res.body).toContain('refused this member');
      expect(res.body).toContain('same cluster secret');
    } finally {
      f.close();
    }
  });
});
