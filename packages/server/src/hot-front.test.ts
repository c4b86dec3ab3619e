import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { HotRequest, HotResponse } from './fast-path';
import { type HotFront, installHotFront } from './hot-front';

/** One answer read off the wire: status, headers in order, body. */
interface WireAnswer {
  status: number;
  headers: [string, string][];
  body: string;
}

/**
 * The test server: node answers every request it gets with `node <method> <url> <body>`; the hot
 * handler takes `PUT /hot` (synchronously) and `POST /hot-later` (after a delay) and refuses the
 * rest, so whether node or the front answered is visible in the body.
 */
async function startFront(idleTimeoutMs = 65_000): Promise<{ http: Server; front: HotFront; port: number; hotSeen: HotRequest[] }> {
  const http = createServer({ maxHeaderSize: 16 * 1024 }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = `node ${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`;
      res.writeHead(200, ['content-type', 'text/plain', 'content-length', String(Buffer.byteLength(body))]);
      res.end(body);
    });
  });
  http.keepAliveTimeout = idleTimeoutMs;
  http.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nupgraded');
  });
  const hotSeen: HotRequest[] = [];
  const handler = (req: HotRequest, res: HotResponse): boolean => {
    if (req.method === 'PUT' && req.url?.startsWith('/hot')) {
      hotSeen.push(req);
      res.writeHead(200, ['content-type', 'text/plain', 'content-length', String(Buffer.byteLength(`hot ${req.url}`))]);
      res.end(`hot ${req.url}`);
      return true;
    }
    if (req.method === 'POST' && req.url?.startsWith('/hot-later')) {
      hotSeen.push(req);
      const delay = Number(new URL(req.url, 'http://x').searchParams.get('ms') ?? '20');
      setTimeout(() => {
        res.writeHead(201, { 'content-type': 'text/plain', 'x-list': ['a', 'b'] });
        res.end(Buffer.from(`later ${req.url}`));
      }, delay);
      return true;
    }
    return false;
  };
  const front = installHotFront(http, { handler: () => handler, maxHeaderBytes: 16 * 1024, idleTimeoutMs });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, front, port: (http.address() as AddressInfo).port, hotSeen };
}

/** Reads `count` answers framed by Content-Length off `socket` (all of them, or rejects on close). */
function readAnswers(socket: Socket, count: number): Promise<WireAnswer[]> {
  return new Promise((resolve, reject) => {
    let data = '';
    const answers: WireAnswer[] = [];
    const onData = (chunk: Buffer) => {
      data += chunk.toString('latin1');
      for (;;) {
        const headEnd = data.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const lines = data.slice(0, headEnd).split('\r\n');
        const status = Number(lines[0]!.split(' ')[1]);
        const headers = lines.slice(1).map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]);
        const length = Number(headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1] ?? 0);
        if (data.length < headEnd + 4 + length) return;
        answers.push({ status, headers, body: data.slice(headEnd + 4, headEnd + 4 + length) });
        data = data.slice(headEnd + 4 + length);
        if (answers.length === count) {
          socket.off('data', onData);
          socket.off('close', onClose);
          resolve(answers);
          return;
        }
      }
    };
    const onClose = () => reject(new Error(`connection closed after ${answers.length} of ${count} answers; unread: ${JSON.stringify(data)}`));
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

const request = (method: string, path: string, extra = '') => `${method} ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

describe('hot front', () => {
  let t: Awaited<ReturnType<typeof startFront>>;
  const sockets: Socket[] = [];
  const client = async () => {
    const s = await open(t.port);
    sockets.push(s);
    return s;
  };

  beforeEach(async () => {
    t = await startFront();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    t.front.closeAll();
    t.http.closeAllConnections();
    await new Promise((resolve) => t.http.close(resolve));
  });

  it('answers a hot request itself, framed as node frames its answers', async () => {
    const s = await client();
    s.write(request('PUT', '/hot?x=1', 'User-Agent:  Nacos-Java-Client:v1.4 \r\n'));
    const [a] = await readAnswers(s, 1);
    expect(a!.status).toBe(200);
    expect(a!.body).toBe('hot /hot?x=1');
    expect(a!.headers.map(([n]) => n)).toEqual(['content-type', 'content-length', 'Date', 'Connection', 'Keep-Alive']);
    expect(a!.headers.find(([n]) => n === 'Keep-Alive')?.[1]).toBe('timeout=65');
    expect(a!.headers.find(([n]) => n === 'Date')?.[1]).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    // Header names lowercased, values without the spaces around them, as node hands them over.
    expect(t.hotSeen[0]!.headers).toEqual({ host: 't', 'user-agent': 'Nacos-Java-Client:v1.4' });
    expect(t.front.stats()).toEqual({ open: 1, handedOver: 0 });
  });

  it('answers pipelined requests in order, a slow answer holding back the quick ones behind it', async () => {
    const s = await client();
    s.write(request('POST', '/hot-later?ms=40') + request('PUT', '/hot?n=2') + request('POST', '/hot-later?ms=1') + request('PUT', '/hot?n=4'));
    const answers = await readAnswers(s, 4);
    expect(answers.map((a) => a.body)).toEqual(['later /hot-later?ms=40', 'hot /hot?n=2', 'later /hot-later?ms=1', 'hot /hot?n=4']);
    expect(answers.map((a) => a.status)).toEqual([201, 200, 201, 200]);
    // Headers given as objects: a list is one line per value, node's way.
    expect(answers[0]!.headers.filter(([n]) => n === 'x-list')).toEqual([
      ['x-list', 'a'],
      ['x-list', 'b'],
    ]);
    expect(answers[0]!.headers.map(([n]) => n)).toEqual(['content-type', 'x-list', 'x-list', 'Content-Length', 'Date', 'Connection', 'Keep-Alive']);
    expect(t.front.stats().handedOver).toBe(0);
  });

  it('answers 2,000 pipelined requests in one write, in order', async () => {
    const s = await client();
    s.write(Array.from({ length: 2000 }, (_, i) => request('PUT', `/hot?i=${i}`)).join(''));
    const answers = await readAnswers(s, 2000);
    expect(answers.every((a, i) => a.body === `hot /hot?i=${i}`)).toBe(true);
    expect(t.front.stats().handedOver).toBe(0);
  });

  it('hands a connection to node at its first other request, that request first, and node keeps it', async () => {
    const s = await client();
    s.write(request('PUT', '/hot?n=1'));
    expect((await readAnswers(s, 1))[0]!.body).toBe('hot /hot?n=1');
    // Pipelined behind a pending answer: the hand-over waits for it.
    s.write(request('POST', '/hot-later?ms=30') + request('GET', '/other') + request('PUT', '/hot?n=3'));
    const answers = await readAnswers(s, 3);
    expect(answers.map((a) => a.body)).toEqual(['later /hot-later?ms=30', 'node GET /other ', 'node PUT /hot?n=3 ']);
    expect(t.front.stats()).toEqual({ open: 0, handedOver: 1 });
  });

  it.each([
    ['a body', 'POST /hot HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello', 'node POST /hot hello'],
    ['a chunked body', 'PUT /hot HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', 'node PUT /hot hello'],
    ['HTTP/1.0', 'PUT /hot HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n\r\n', 'node PUT /hot '],
    ['a repeated header', 'PUT /hot HTTP/1.1\r\nHost: t\r\nX-A: 1\r\nX-A: 2\r\n\r\n', 'node PUT /hot '],
    ['a member signature', 'PUT /hot HTTP/1.1\r\nHost: t\r\nX-Tacos-Peer: 127.0.0.1:1\r\n\r\n', 'node PUT /hot '],
    ['a method the front never answers', 'PATCH /hot HTTP/1.1\r\nHost: t\r\n\r\n', 'node PATCH /hot '],
  ])('leaves a request with %s to node', async (_what, raw, body) => {
    const s = await client();
    s.write(raw);
    const answers = await readAnswers(s, 1);
    expect(answers[0]!.body).toBe(body);
    expect(t.hotSeen).toHaveLength(0);
    expect(t.front.stats().handedOver).toBe(1);
  });

  it('leaves Expect: 100-continue to node, which says continue', async () => {
    const s = await client();
    s.write('PUT /hot HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    expect((await readAnswers(s, 1))[0]!.status).toBe(100);
    s.write('ok');
    expect((await readAnswers(s, 1))[0]!.body).toBe('node PUT /hot ok');
    expect(t.hotSeen).toHaveLength(0);
  });

  it.each([
    ['no Host', 'PUT /hot HTTP/1.1\r\nUser-Agent: x\r\n\r\n', 400],
    ['a space in a header name', 'PUT /hot HTTP/1.1\r\nHost: t\r\nBad Name: 1\r\n\r\n', 400],
    ['a control character in a header value', 'PUT /hot HTTP/1.1\r\nHost: t\r\nX-A: a\x01b\r\n\r\n', 400],
    ['a folded header line', 'PUT /hot HTTP/1.1\r\nHost: t\r\nX-A: a\r\n b\r\n\r\n', 400],
    ['a head over the size limit', `PUT /hot HTTP/1.1\r\nHost: t\r\nX-A: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431],
  ])('lets node refuse a request with %s', async (_what, raw, status) => {
    const s = await client();
    s.write(raw);
    const answer = await new Promise<string>((resolve) => {
      let data = '';
      s.on('data', (c: Buffer) => (data += c.toString('latin1')));
      s.on('close', () => resolve(data));
    });
    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(t.hotSeen).toHaveLength(0);
  });

  it('waits for a head that arrives in pieces', async () => {
    const s = await client();
    s.write('PUT /hot?split=1 HTTP/1.1\r\nHo');
    await new Promise((resolve) => setTimeout(resolve, 30));
    s.write('st: t\r\n\r\n');
    expect((await readAnswers(s, 1))[0]!.body).toBe('hot /hot?split=1');
    expect(t.front.stats().handedOver).toBe(0);
  });

  it('leaves a head ended by bare line feeds to node at once', async () => {
    const s = await client();
    s.write('PUT /hot?lf=1 HTTP/1.1\nHost: t\n\n');
    const answer = await new Promise<string>((resolve) => {
      let data = '';
      s.on('data', (c: Buffer) => {
        data += c.toString('latin1');
        if (data.includes('\r\n\r\n')) resolve(data);
      });
    });
    expect(answer).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect(t.hotSeen).toHaveLength(0);
    expect(t.front.stats().handedOver).toBe(1);
  });

  it('leaves Connection: close to node, which answers and closes', async () => {
    const s = await client();
    s.write(request('PUT', '/hot', 'Connection: close\r\n'));
    const [a] = await readAnswers(s, 1);
    expect(a!.body).toBe('node PUT /hot ');
    await closed(s);
  });

  it('leaves an upgrade to node', async () => {
    const s = await client();
    s.write(request('GET', '/stream', 'Connection: Upgrade\r\nUpgrade: echo\r\n'));
    const data = await new Promise<string>((resolve) => {
      let d = '';
      s.on('data', (c: Buffer) => (d += c.toString()));
      s.on('close', () => resolve(d));
    });
    expect(data).toMatch(/^HTTP\/1\.1 101 .*upgraded$/s);
  });

  it('answers, then ends, a client that half-closes after asking', async () => {
    const s = await client();
    s.end(request('POST', '/hot-later?ms=20') + request('PUT', '/hot?last'));
    const answers = await readAnswers(s, 2);
    expect(answers.map((a) => a.body)).toEqual(['later /hot-later?ms=20', 'hot /hot?last']);
    await closed(s);
  });

  it('closeAll destroys the connections it still serves', async () => {
    const s = await client();
    s.write(request('PUT', '/hot'));
    await readAnswers(s, 1);
    t.front.closeAll();
    await closed(s);
    expect(t.front.stats().open).toBe(0);
  });

  it('answers nothing until a starting server has a handler: node serves such connections', async () => {
    const http = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '4' });
      res.end('node');
    });
    let handler: ((req: HotRequest, res: HotResponse) => boolean) | undefined;
    const front = installHotFront(http, { handler: () => handler, maxHeaderBytes: 16 * 1024, idleTimeoutMs: 65_000 });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    const early = await open(port);
    early.write(request('PUT', '/hot'));
    expect((await readAnswers(early, 1))[0]!.body).toBe('node');
    handler = (_req, res) => {
      res.writeHead(200, ['content-length', '3']);
      res.end('hot');
      return true;
    };
    const late = await open(port);
    late.write(request('PUT', '/hot'));
    expect((await readAnswers(late, 1))[0]!.body).toBe('hot');
    early.destroy();
    late.destroy();
    front.closeAll();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
});

describe('hot front timeouts', () => {
  it('hands a head that stops halfway to node, which answers once it is complete', async () => {
    const t = await startFront(300);
    const s = await open(t.port);
    s.write('PUT /hot?slow=1 HTTP/1.1\r\nHost: t\r\n');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(t.front.stats().handedOver).toBe(1);
    s.write('\r\n');
    expect((await readAnswers(s, 1))[0]!.body).toBe('node PUT /hot?slow=1 ');
    s.destroy();
    t.front.closeAll();
    t.http.closeAllConnections();
    await new Promise((resolve) => t.http.close(resolve));
  });

  it('closes a connection idle longer than the timeout, and not one waiting on its answer', async () => {
    const t = await startFront(300);
    const idle = await open(t.port);
    const waiting = await open(t.port);
    idle.write(request('PUT', '/hot'));
    await readAnswers(idle, 1);
    waiting.write(request('POST', '/hot-later?ms=700'));
    const started = Date.now();
    await closed(idle);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The slow answer still arrives: a pending answer is not idleness.
    const [a] = await readAnswers(waiting, 1);
    expect(a!.status).toBe(201);
    waiting.destroy();
    t.front.closeAll();
    t.http.closeAllConnections();
    await new Promise((resolve) => t.http.close(resolve));
  });
});
