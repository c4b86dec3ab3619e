import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { classifyHttpStatus, parseCheckHeaders, probeHttp } from './http-probe';
import { probeTcp } from './tcp-probe';

const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

function listenTcp(): Promise<number> {
  const server = net.createServer((sock) => sock.destroy());
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      closers.push(() => new Promise((r) => server.close(() => r())));
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A port that was just bound and released, so nothing listens there. */
function closedPort(): Promise<number> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function listenHttp(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      closers.push(
        () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      );
      resolve((server.address() as AddressInfo).port);
    });
  });
}

describe('probeTcp', () => {
  it('reports OK when something listens', async () => {
    const port = await listenTcp();
    const result = await probeTcp('127.0.0.1', port);
    expect(result.status).toBe('OK');
    expect(result.rtMs).toBeGreaterThanOrEqual(0);
    expect(result.rtMs).toBeLessThan(500);
  });

  it('reports FAIL_NOW on a refused connection', async () => {
    const port = await closedPort();
    const result = await probeTcp('127.0.0.1', port);
    expect(result).toMatchObject({ status: 'FAIL_NOW', reason: 'ECONNREFUSED' });
  });

  it('reports FAIL when the connect does not finish in time', async () => {
    const port = await listenTcp();
    const pending = probeTcp('127.0.0.1', port, { timeoutMs: 1 });
    // Hold the loop past the timeout: timers run before the connect's I/O callback, so the
    // timeout must win even though the port is open.
    const until = performance.now() + 20;
    while (performance.now() < until) {
      // busy wait (bounded, 20 ms)
    }
    expect(await pending).toMatchObject({ status: 'FAIL', reason: 'timeout' });
  });
});

describe('probe misconfiguration', () => {
  it('reports FAIL for a port out of range instead of throwing', async () => {
    expect((await probeTcp('127.0.0.1', 70000)).status).toBe('FAIL');
    expect((await probeHttp('127.0.0.1', 70000)).status).toBe('FAIL');
  });
});

describe('parseCheckHeaders', () => {
  it('splits k:v|k2:v2 at the first colon and skips junk', () => {
    expect(parseCheckHeaders('X-A:1| X-B : a:b ||bad|:nokey')).toEqual({ 'X-A': '1', 'X-B': 'a:b' });
    expect(parseCheckHeaders('')).toEqual({});
  });
});

describe('classifyHttpStatus', () => {
  it('maps codes as Nacos with the expected code as OK', () => {
    expect(classifyHttpStatus(200)).toBe('OK');
    expect(classifyHttpStatus(503)).toBe('FAIL');
    expect(classifyHttpStatus(302)).toBe('FAIL');
    expect(classifyHttpStatus(500)).toBe('FAIL_NOW');
    expect(classifyHttpStatus(404)).toBe('FAIL_NOW');
    expect(classifyHttpStatus(204, 204)).toBe('OK');
    expect(classifyHttpStatus(200, 204)).toBe('FAIL_NOW');
  });
});

describe('probeHttp', () => {
  it('sends GET with the path and custom headers and reports OK on 200', async () => {
    let seen: { method?: string; url?: string; header?: string | string[] } = {};
    const port = await listenHttp((req, res) => {
      seen = { method: req.method, url: req.url, header: req.headers['x-check'] };
      res.end('ok');
    });
    const result = await probeHttp('127.0.0.1', port, { path: 'health?deep=1', headers: 'X-Check:yes' });
    expect(result.status).toBe('OK');
    expect(seen).toEqual({ method: 'GET', url: '/health?deep=1', header: 'yes' });
  });

  it('honours expectedResponseCode', async () => {
    const port = await listenHttp((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    expect((await probeHttp('127.0.0.1', port, { expectedResponseCode: 204 })).status).toBe('OK');
    expect(await probeHttp('127.0.0.1', port)).toMatchObject({ status: 'FAIL_NOW', reason: 'HTTP 204' });
  });

  it('reports FAIL on 503 and FAIL_NOW on 500', async () => {
    let code = 503;
    const port = await listenHttp((_req, res) => {
      res.statusCode = code;
      res.end();
    });
    expect((await probeHttp('127.0.0.1', port)).status).toBe('FAIL');
    code = 500;
    expect((await probeHttp('127.0.0.1', port)).status).toBe('FAIL_NOW');
  });

  it('reports FAIL when nothing listens', async () => {
    const port = await closedPort();
    expect(await probeHttp('127.0.0.1', port)).toMatchObject({ status: 'FAIL', reason: 'ECONNREFUSED' });
  });

  it('reports FAIL when the server does not answer in time', async () => {
    const port = await listenHttp(() => {
      // Never answer; the probe's timeout must end the request.
    });
    const result = await probeHttp('127.0.0.1', port, { timeoutMs: 100 });
    expect(result).toMatchObject({ status: 'FAIL', reason: 'timeout' });
    expect(result.rtMs).toBeLessThan(1000);
  });
});
