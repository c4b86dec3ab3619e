import express from 'express';
import { CLUSTER_ERROR_CODES } from './errors';
import { classifyIncoming, saveRawBody } from './forwarder';
import { canonicalPeerString, PEER_HEADERS, PeerSigner, PeerVerifier, requirePeerSignature, validateClusterSecret, verifyPeerRequest } from './peer-auth';
import { PeerClient } from './peer-http';
import { startTestServer, type TestServer } from './testing/http-helpers';

const SECRET = 'a3f1c9e07b5d42e8a1c3f5e7d9b1a2c4';
const SELF = '127.0.0.1:18848';

function setup(now = 1_700_000_000_000) {
  const clock = { now };
  let n = 0;
  const signer = new PeerSigner({ secret: SECRET, self: SELF, now: () => clock.now, nonce: () => `nonce${String(n++).padStart(8, '0')}` });
  const verifier = new PeerVerifier({ secret: SECRET, now: () => clock.now });
  return { clock, signer, verifier };
}

describe('validateClusterSecret', () => {
  it('accepts a long random secret and returns it', () => {
    expect(validateClusterSecret(SECRET)).toBe(SECRET);
  });
  it.each([
    [undefined, /needs a cluster secret/],
    ['', /needs a cluster secret/],
    ['   ', /needs a cluster secret/],
    ['short-secret', /too short/],
    ['SecretKey012345678901234567890123456789012345678901234567890123456789', /well-known/],
    ['0123456789ABCDEF', /well-known/],
    ['aaaaaaaaaaaaaaaaaaaaaaaa', /well-known/],
  ])('refuses %p', (secret, message) => {
    expect(() => validateClusterSecret(secret)).toThrow(expect.objectContaining({ code: CLUSTER_ERROR_CODES.BAD_SECRET, message: expect.stringMatching(message) }));
  });
  it('never echoes the secret in the error', () => {
    try {
      validateClusterSecret('hunter2');
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});

describe('PeerSigner and PeerVerifier', () => {
  const body = '{"v":1,"kind":"ack"}';

  it('accepts a correctly signed request and reports the peer and origin', () => {
    const { signer, verifier } = setup();
    const headers = signer.sign({ method: 'post', url: '/nacos/v1/ns/peer/distro?x=1', body, origin: '10.0.0.9' });
    expect(verifyPeerRequest(verifier, { method: 'POST', url: '/nacos/v1/ns/peer/distro?x=1', headers, body })).toEqual({ ok: true, peer: SELF, origin: '10.0.0.9' });
  });

  it('signs method, path with query, timestamp, nonce, peer, origin and the body hash', () => {
    const s = canonicalPeerString({ method: 'get', url: '/p?q=1', timestamp: '5', nonce: 'n', peer: 'a:1', origin: '', body: '' });
    expect(s.split('\n')).toEqual(['TACOS-PEER-V1', 'GET', '/p?q=1', '5', 'n', 'a:1', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']);
  });

  const tampers: [string, (r: { method: string; url: string; headers: Record<string, string>; body: string }) => void][] = [
    ['method', (r) => (r.method = 'PUT')],
    ['path', (r) => (r.url = '/nacos/v1/ns/peer/raft?x=1')],
    ['query', (r) => (r.url = '/nacos/v1/ns/peer/distro?x=2')],
    ['body', (r) => (r.body = '{"v":1,"kind":"ack "}')],
    ['timestamp', (r) => (r.headers[PEER_HEADERS.TIMESTAMP] = String(Number(r.headers[PEER_HEADERS.TIMESTAMP]) + 1))],
    ['nonce', (r) => (r.headers[PEER_HEADERS.NONCE] = 'othernonce1')],
    ['peer', (r) => (r.headers[PEER_HEADERS.PEER] = '127.0.0.1:18858')],
    ['origin', (r) => (r.headers[PEER_HEADERS.ORIGIN] = '10.0.0.10')],
    ['signature', (r) => (r.headers[PEER_HEADERS.SIGNATURE] = `${(r.headers[PEER_HEADERS.SIGNATURE] as string).slice(0, 63)}0`)],
  ];
  it.each(tampers)('refuses a request whose %s was changed (bad-signature)', (_part, tamper) => {
    const { signer, verifier } = setup();
    const headers = signer.sign({ method: 'POST', url: '/nacos/v1/ns/peer/distro?x=1', body, origin: '10.0.0.9' });
    const req = { method: 'POST', url: '/nacos/v1/ns/peer/distro?x=1', headers: { ...headers }, body };
    // Make sure the tamper really changes something (the signature tamper could hit a trailing 0).
    if (_part === 'signature' && headers[PEER_HEADERS.SIGNATURE]?.endsWith('0')) req.headers[PEER_HEADERS.SIGNATURE] = `${headers[PEER_HEADERS.SIGNATURE]?.slice(0, 63)}1`;
    else tamper(req);
    expect(verifier.verify(req)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a request signed with another secret', () => {
    const { verifier } = setup();
    const other = new PeerSigner({ secret: 'b3f1c9e07b5d42e8a1c3f5e7d9b1a2c5', self: SELF, now: () => 1_700_000_000_000 });
    const headers = other.sign({ method: 'GET', url: '/x' });
    expect(verifier.verify({ method: 'GET', url: '/x', headers })).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses stale and future timestamps outside the window, accepts inside', () => {
    const { clock, signer, verifier } = setup();
    const old = signer.sign({ method: 'GET', url: '/x' });
    clock.now += 30_001;
    expect(verifier.verify({ method: 'GET', url: '/x', headers: old })).toMatchObject({ ok: false, reason: 'expired' });
    const signedAt = clock.now;
    const future = signer.sign({ method: 'GET', url: '/x' });
    clock.now = signedAt - 30_001; // the sender's clock runs 30.001 s ahead
    expect(verifier.verify({ method: 'GET', url: '/x', headers: future })).toMatchObject({ ok: false, reason: 'expired' });
    clock.now = signedAt - 29_999;
    expect(verifier.verify({ method: 'GET', url: '/x', headers: future }).ok).toBe(true);
  });

  it('refuses an exact replay inside the window', () => {
    const { signer, verifier } = setup();
    const headers = signer.sign({ method: 'POST', url: '/x', body });
    expect(verifier.verify({ method: 'POST', url: '/x', headers, body }).ok).toBe(true);
    expect(verifier.verify({ method: 'POST', url: '/x', headers, body })).toMatchObject({ ok: false, reason: 'replayed' });
    // The same request signed again (new nonce) is fine.
    expect(verifier.verify({ method: 'POST', url: '/x', headers: signer.sign({ method: 'POST', url: '/x', body }), body }).ok).toBe(true);
  });

  it('keeps its replay cache bounded without letting a forgotten request back in', () => {
    const { clock, signer } = setup();
    const verifier = new PeerVerifier({ secret: SECRET, now: () => clock.now, maxCachedSignatures: 2 });
    const first = signer.sign({ method: 'GET', url: '/x' });
    clock.now += 1;
    const second = signer.sign({ method: 'GET', url: '/x' });
    clock.now += 1;
    const third = signer.sign({ method: 'GET', url: '/x' });
    for (const h of [first, second, third]) expect(verifier.verify({ method: 'GET', url: '/x', headers: h }).ok).toBe(true);
    expect(verifier.cachedSignatures).toBe(2);
    expect(verifier.verify({ method: 'GET', url: '/x', headers: first })).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifier.verify({ method: 'GET', url: '/x', headers: third })).toMatchObject({ ok: false, reason: 'replayed' });
    // Entries that left the window are forgotten.
    clock.now += 31_000;
    expect(verifier.verify({ method: 'GET', url: '/x', headers: signer.sign({ method: 'GET', url: '/x' }) }).ok).toBe(true);
    expect(verifier.cachedSignatures).toBe(1);
  });

  it.each([PEER_HEADERS.PEER, PEER_HEADERS.TIMESTAMP, PEER_HEADERS.NONCE, PEER_HEADERS.SIGNATURE])('refuses a request without %s (missing)', (name) => {
    const { signer, verifier } = setup();
    const headers: Record<string, string> = signer.sign({ method: 'GET', url: '/x' });
    delete headers[name];
    const v = verifier.verify({ method: 'GET', url: '/x', headers });
    expect(v).toMatchObject({ ok: false, reason: 'missing' });
    expect(v.ok ? '' : v.detail).toContain(name);
  });

  it('refuses malformed headers', () => {
    const { signer, verifier } = setup();
    const headers = signer.sign({ method: 'GET', url: '/x' });
    expect(verifier.verify({ method: 'GET', url: '/x', headers: { ...headers, [PEER_HEADERS.TIMESTAMP]: '1e12' } })).toMatchObject({ reason: 'malformed' });
    expect(verifier.verify({ method: 'GET', url: '/x', headers: { ...headers, [PEER_HEADERS.SIGNATURE]: 'XYZ' } })).toMatchObject({ reason: 'malformed' });
    expect(verifier.verify({ method: 'GET', url: '/x', headers: { ...headers, [PEER_HEADERS.NONCE]: 'a b' } })).toMatchObject({ reason: 'malformed' });
  });

  it('gives no trust to User-Agent: Nacos-Server (CVE-2021-29441) or a serverIdentity header', () => {
    const { verifier } = setup();
    const nacosTricks = { 'user-agent': 'Nacos-Server:1.4.1', serveridentity: 'security', 'client-version': '1.4.1' };
    expect(verifier.verify({ method: 'POST', url: '/nacos/v1/ns/peer/distro', headers: nacosTricks })).toMatchObject({ ok: false, reason: 'missing' });
    expect(classifyIncoming(verifier, { method: 'POST', url: '/nacos/v1/ns/instance', headers: nacosTricks })).toEqual({ kind: 'client' });
    // Claiming to be a peer without a valid signature is refused, not treated as a client.
    expect(classifyIncoming(verifier, { method: 'POST', url: '/nacos/v1/ns/instance', headers: { ...nacosTricks, [PEER_HEADERS.PEER]: SELF } })).toMatchObject({ kind: 'rejected', reason: 'missing' });
  });

  it('refuses a correctly signed request from a sender that is not a member, when asked to', () => {
    const { clock, signer } = setup();
    const members = new Set(['127.0.0.1:18858']);
    const verifier = new PeerVerifier({ secret: SECRET, now: () => clock.now, isKnownPeer: (p) => members.has(p) });
    expect(verifier.verify({ method: 'GET', url: '/x', headers: signer.sign({ method: 'GET', url: '/x' }) })).toMatchObject({ ok: false, reason: 'unknown-peer' });
    members.add(SELF);
    expect(verifier.verify({ method: 'GET', url: '/x', headers: signer.sign({ method: 'GET', url: '/x' }) }).ok).toBe(true);
  });

  it('reads headers through a lookup function too (the server HandlerRequest shape)', () => {
    const { signer, verifier } = setup();
    const headers = signer.sign({ method: 'GET', url: '/x' });
    expect(verifier.verify({ method: 'GET', url: '/x', headers: (name) => headers[name] }).ok).toBe(true);
  });
});

describe('requirePeerSignature over real HTTP', () => {
  let server: TestServer;
  let client: PeerClient;
  let rogue: PeerClient;
  beforeAll(async () => {
    server = await startTestServer();
    const verifier = new PeerVerifier({ secret: SECRET });
    const app = express();
    app.post('/peer/echo', requirePeerSignature(verifier), (req, res) => {
      res.json({ peer: res.locals.peer, body: (req as { rawBody?: Buffer }).rawBody?.toString('utf8') });
    });
    app.post('/peer/form', express.urlencoded({ extended: false, verify: saveRawBody }), requirePeerSignature(verifier), (req, res) => {
      res.json({ peer: res.locals.peer, params: req.body });
    });
    server.setListener(app);
    client = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: SELF }) });
    rogue = new PeerClient({ signer: new PeerSigner({ secret: `${SECRET}x`, self: SELF }) });
  });
  afterAll(async () => {
    client.close();
    rogue.close();
    await server.close();
  });

  it('admits a signed request and exposes the peer and the raw body', async () => {
    const res = await client.request(server.address, { method: 'POST', path: '/peer/echo', body: 'hello=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ peer: SELF, body: 'hello=1' });
  });

  it('verifies against the raw body a form parser stashed with saveRawBody', async () => {
    const res = await client.request(server.address, { method: 'POST', path: '/peer/form?x=1', body: 'a=1&b=%20two', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ peer: SELF, params: { a: '1', b: ' two' } });
  });

  it('answers 401 with the reason for a wrong secret and for an unsigned request with a Nacos-Server agent', async () => {
    const bad = await rogue.request(server.address, { method: 'POST', path: '/peer/echo', body: 'x' });
    expect(bad.status).toBe(401);
    expect(bad.body.toString()).toBe('peer authentication failed: bad-signature');
    const res = await fetch(`http://${server.address}/peer/echo`, { method: 'POST', headers: { 'user-agent': 'Nacos-Server:1.4.1' }, body: 'x' });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('peer authentication failed: missing');
  });
});
