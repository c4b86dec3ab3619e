import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatRequest, HttpConnection, type HttpResponse, ResponseParser } from './http-client';

function parseAll(chunks: string[]): HttpResponse[] {
  const out: HttpResponse[] = [];
  const parser = new ResponseParser((r) => out.push(r));
  for (const c of chunks) parser.feed(Buffer.from(c, 'latin1'));
  return out;
}

describe('ResponseParser', () => {
  const ok = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';

  test('content-length bodies, several per chunk and split across chunks', () => {
    const two = ok + ok;
    const whole = parseAll([two]);
    expect(whole.map((r) => [r.status, r.body.toString()])).toEqual([
      [200, 'ok'],
      [200, 'ok'],
    ]);
    // Every split point of the stream gives the same result.
    for (let i = 1; i < two.length; i++) {
      expect(parseAll([two.slice(0, i), two.slice(i)]).map((r) => r.body.toString())).toEqual(['ok', 'ok']);
    }
  });

  test('chunked bodies with and without trailers', () => {
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n';
    const trailers = 'HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: 1\r\n\r\n';
    const stream = chunked + trailers + ok;
    for (let i = 1; i < stream.length; i += 3) {
      const got = parseAll([stream.slice(0, i), stream.slice(i)]);
      expect(got.map((r) => [r.status, r.body.toString()])).toEqual([
        [200, 'abcde'],
        [201, 'x'],
        [200, 'ok'],
      ]);
    }
  });

  test('no body for 204 and missing length; connection: close is reported', () => {
    const got = parseAll(['HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n', 'HTTP/1.1 500 X\r\nConnection: close\r\n\r\n']);
    expect(got.map((r) => [r.status, r.body.length, r.close])).toEqual([
      [204, 0, false],
      [500, 0, true],
    ]);
  });

  test('malformed status line throws', () => {
    expect(() => parseAll(['SSH-2.0-x\r\n\r\n'])).toThrow(/malformed/);
  });
});

test('formatRequest', () => {
  expect(formatRequest('GET', '/a?b=1', 'h:1')).toBe('GET /a?b=1 HTTP/1.1\r\nHost: h:1\r\nContent-Length: 0\r\n\r\n');
  expect(formatRequest('POST', '/p', 'h', 'x=é')).toContain('Content-Length: 4\r\n\r\nx=é');
});

describe('HttpConnection against node:http', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<string>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      sockets.add(`${req.socket.remotePort}`);
      if (req.url === '/close') {
        res.setHeader('Connection', 'close');
        res.end('bye');
        return;
      }
      if (req.url === '/chunked') {
        res.write('a');
        res.end('b');
        return;
      }
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('keeps one socket alive across requests and reconnects after close', async () => {
    sockets.clear();
    const conn = new HttpConnection('127.0.0.1', port);
    const host = `127.0.0.1:${port}`;
    for (let i = 0; i < 20; i++) {
      const r = await conn.send(formatRequest('POST', `/x?i=${i}`, host, 'a=b'));
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe(`POST /x?i=${i} a=b`);
    }
    expect(sockets.size).toBe(1);
    expect((await conn.send(formatRequest('GET', '/chunked', host))).body.toString()).toBe('ab');
    expect((await conn.send(formatRequest('GET', '/close', host))).body.toString()).toBe('bye');
    expect((await conn.send(formatRequest('GET', '/again', host))).status).toBe(200);
    expect(sockets.size).toBe(2);
    conn.close();
  });

  test('connection refused rejects', async () => {
    const conn = new HttpConnection('127.0.0.1', 1);
    await expect(conn.send(formatRequest('GET', '/', 'x'))).rejects.toThrow();
  });
});
