import { connect } from 'node:net';
import { PEER_HEADERS, PeerSigner, PeerVerifier } from './peer-auth';
import { PEER_PATHS } from './peer-http';
import { encodeFrame, FrameReader, type OutboundStream, PEER_STREAM_PROTOCOL, PeerStreamDialer, PeerStreamError, type PeerStreamListener, peerStreamUpgradeListener, StreamLinks } from './peer-stream';
import { startTestServer, type TestServer, until } from './testing/http-helpers';

const SECRET = '4c1f7a2e9b3d5c6e8f0a1b2c3d4e5f60';
const KEY = Buffer.alloc(32, 7);

describe('peer stream frames', () => {
  it('round-trip in order, however the bytes are split', () => {
    const payloads = ['a', '', 'hello world', 'x'.repeat(5000)].map((s) => Buffer.from(s));
    const bytes = Buffer.concat(payloads.map((p, i) => encodeFrame(KEY, i, p)));
    for (const step of [1, 3, 17, bytes.length]) {
      const reader = new FrameReader(KEY);
      const out: string[] = [];
      for (let at = 0; at < bytes.length; at += step) reader.push(bytes.subarray(at, at + step), (b) => out.push(b.toString()));
      expect(out).toEqual(payloads.map((p) => p.toString()));
    }
  });

  it('refuses an altered byte, a frame out of order, a replayed frame and another key', () => {
    const f0 = encodeFrame(KEY, 0, Buffer.from('first'));
    const f1 = encodeFrame(KEY, 1, Buffer.from('second'));
    const altered = Buffer.from(f0);
    altered[6] = (altered[6] as number) ^ 1;
    const none = () => undefined;
    expect(() => new FrameReader(KEY).push(altered, none)).toThrow(/failed its check/);
    expect(() => new FrameReader(KEY).push(f1, none)).toThrow(/failed its check/); // frame 1 first: one was dropped
    const reader = new FrameReader(KEY);
    reader.push(f0, none);
    expect(() => reader.push(f0, none)).toThrow(/failed its check/); // replayed
    expect(() => new FrameReader(Buffer.alloc(32, 8)).push(f0, none)).toThrow(/failed its check/);
  });

  it('refuses a frame longer than the limit before reading it', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1 << 30, 0);
    expect(() => new FrameReader(KEY, 1024).push(header, () => undefined)).toThrow(/at most 1024/);
  });
});

/** The raw text of a stream handshake with the given signed headers (to send it by hand). */
function upgradeRequest(path: string, signed: Record<string, string>, host: string): string {
  const headers = Object.entries({ ...signed, host, connection: 'Upgrade', upgrade: PEER_STREAM_PROTOCOL }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `GET ${path} HTTP/1.1\r\n${headers.join('')}\r\n`;
}

describe('peer streams over a real HTTP upgrade', () => {
  let server: TestServer;
  let listener: PeerStreamListener;
  let received: { peer: string; text: string }[];
  let rejected: string[];
  let verifier: PeerVerifier;

  beforeEach(async () => {
    server = await startTestServer();
    received = [];
    rejected = [];
    verifier = new PeerVerifier({ secret: SECRET });
    listener = peerStreamUpgradeListener({
      verifier,
      channels: new Map([['raft', (peer: string, payload: Buffer) => received.push({ peer, text: payload.toString() })]]),
      onReject: (info) => rejected.push(info.reason),
      onStreamError: (err) => rejected.push(`stream: ${(err as Error).message}`),
    });
    server.server.on('upgrade', listener);
  });
  afterEach(async () => {
    listener.closeAll();
    await server.close();
  });

  const dialer = (secret = SECRET, self = '127.0.0.1:1111') => new PeerStreamDialer({ signer: new PeerSigner({ secret, self }) });

  it('delivers frames in order with the signed sender, until the sender closes', async () => {
    const stream = await dialer().open(server.address, 'raft');
    for (let i = 0; i < 100; i++) expect(stream.send(Buffer.from(`m${i}`))).toBe(true);
    await until(() => received.length === 100, 'all frames');
    expect(received[0]).toEqual({ peer: '127.0.0.1:1111', text: 'm0' });
    expect(received.map((r) => r.text)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    expect(listener.open).toBe(1);
    stream.close();
    expect(stream.closed).toBe(true);
    expect(stream.send(Buffer.from('late'))).toBe(false);
    await until(() => listener.open === 0, 'the receiver to see the close');
  });

  it('refuses a handshake signed with another secret (401), an unknown channel (404) and a plain connection', async () => {
    await expect(dialer('another-secret-0123456789abcdef').open(server.address, 'raft')).rejects.toMatchObject({ refused: true, message: expect.stringContaining('401') });
    expect(rejected).toEqual(['bad-signature']);
    await expect(dialer().open(server.address, 'nope')).rejects.toMatchObject({ refused: true, message: expect.stringContaining('404') });
    expect(listener.open).toBe(0);
  });

  it('refuses a replayed handshake', async () => {
    const path = `${PEER_PATHS.STREAM}?channel=raft`;
    const signed = new PeerSigner({ secret: SECRET, self: '127.0.0.1:2222' }).sign({ method: 'GET', url: path });
    const handshake = (): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect(server.port, '127.0.0.1', () => {
          socket.write(upgradeRequest(path, signed, server.address));
        });
        let text = '';
        socket.on('data', (d) => {
          text += d.toString();
          if (text.includes('\r\n\r\n')) {
            socket.destroy();
            resolve(text.split('\r\n')[0] as string);
          }
        });
      });
    expect(await handshake()).toBe('HTTP/1.1 101 Switching Protocols');
    expect(await handshake()).toBe('HTTP/1.1 401 Unauthorized');
    expect(rejected).toEqual(['replayed']);
    expect(signed[PEER_HEADERS.SIGNATURE]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('closes a stream at a frame altered in transit: the frames before it arrive, nothing from it on', async () => {
    const path = `${PEER_PATHS.STREAM}?channel=raft`;
    const signer = new PeerSigner({ secret: SECRET, self: '127.0.0.1:3333' });
    const signed = signer.sign({ method: 'GET', url: path });
    const key = signer.streamKey(signed[PEER_HEADERS.SIGNATURE] as string);
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(upgradeRequest(path, signed, server.address));
    const good = encodeFrame(key, 0, Buffer.from('good'));
    const bad = encodeFrame(key, 1, Buffer.from('evil'));
    bad[5] = (bad[5] as number) ^ 0x20; // flip a payload bit, as an on-path attacker would
    socket.write(Buffer.concat([good, bad, encodeFrame(key, 2, Buffer.from('after'))]));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    socket.resume(); // the 101, then the close
    await closed;
    expect(received.map((r) => r.text)).toEqual(['good']);
    expect(rejected).toEqual([expect.stringContaining('frame 1 failed its check')]);
  });

  it('tells a member without streams (no upgrade listener) apart as refused', async () => {
    const plain = await startTestServer();
    try {
      await expect(dialer().open(plain.address, 'raft')).rejects.toMatchObject({ refused: true });
    } finally {
      await plain.close();
    }
  });
});

describe('StreamLinks', () => {
  /** A stream that only records; `end()` closes it as a broken connection would. */
  function fakeStream() {
    const listeners: (() => void)[] = [];
    const s: OutboundStream & { end(): void } = {
      closed: false,
      bufferedBytes: 0,
      send: () => !s.closed,
      onClose: (l) => listeners.push(l),
      close: () => s.end(),
      end: () => {
        (s as { closed: boolean }).closed = true;
        for (const l of listeners.splice(0)) l();
      },
    };
    return s;
  }

  it('opens one stream per member at a time, hands it out once open, and waits a while after a break', async () => {
    const streams: ReturnType<typeof fakeStream>[] = [];
    const opened: string[] = [];
    const links = new StreamLinks(
      async () => {
        const s = fakeStream();
        streams.push(s);
        return s;
      },
      { onOpen: (m) => opened.push(m) },
    );
    expect(links.get('m1')).toBeUndefined(); // starts opening
    expect(links.get('m1')).toBeUndefined(); // still opening: no second attempt
    await until(() => opened.length === 1, 'the stream to open');
    expect(links.get('m1')).toBe(streams[0]);
    streams[0]?.end();
    expect(links.get('m1')).toBeUndefined(); // broken: not reopened within the second
    expect(streams).toHaveLength(1);
    expect(links.opened).toBe(1);
    links.close();
    expect(streams[0]?.closed).toBe(true);
    expect(links.get('m1')).toBeUndefined();
  });

  it('does not ask a member that refused a stream again at once', async () => {
    let attempts = 0;
    const errors: unknown[] = [];
    const links = new StreamLinks(
      async () => {
        attempts++;
        throw new PeerStreamError('m2 answered the stream handshake with 404', true);
      },
      { onError: (err) => errors.push(err) },
    );
    expect(links.get('m2')).toBeUndefined();
    await until(() => errors.length === 1, 'the refusal');
    for (let i = 0; i < 5; i++) expect(links.get('m2')).toBeUndefined();
    expect(attempts).toBe(1);
  });
});
