import { createServer, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createFastPath } from './fast-path';
import { createTestApp, type TestApp } from './testing/test-app';
import { startFastPathServer } from './testing/fast-path-server';

const NS = '/nacos/v1/ns';
/** What the Nacos clients send (NACOS-CLIENT-FACTS). */
const CLIENT_HEADERS = { 'user-agent': 'Nacos-Java-Client:v1.0.0', 'accept-encoding': 'gzip,deflate,sdch' };

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as sent (maybe gzip). */
  raw: Buffer;
}

/** One request with node:http (which, unlike fetch, hands back the bytes as sent). */
function send(port: number, method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function text(answer: Answer): string {
  return (answer.headers['content-encoding'] === 'gzip' ? gunzipSync(answer.raw) : answer.raw).toString('utf8');
}

const HEADERS_COMPARED = ['content-type', 'content-encoding', 'vary', 'x-content-type-options', 'x-frame-options', 'referrer-policy'];

describe('fast path and express answer instance/list alike, gzip included', () => {
  let t: TestApp;
  let fastPort: number;
  let expressPort: number;
  let fastHits = 0;
  const servers: ReturnType<typeof createServer>[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    const fast = createFastPath({ registry: t.registry });
    const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
      const server = createServer(handler);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      return (server.address() as AddressInfo).port;
    };
    fastPort = await listen((req, res) => {
      if (fast(req, res)) fastHits++;
      else t.app(req, res);
    });
    expressPort = await listen(t.app);
    // 40 instances: a list of ~13 KB, well above the 1 KB gzip threshold; one instance: ~0.5 KB.
    for (let i = 1; i <= 40; i++) {
      await t.registry.registerInstance({ namespaceId: 'public', serviceName: 'DEFAULT_GROUP@@big', ip: `127.0.1.${i}`, port: 8080, clusterName: 'DEFAULT', weight: 1, enabled: true, healthy: true, ephemeral: true, metadata: { zone: 'a' }, app: 'DEFAULT' });
    }
    await t.registry.registerInstance({ namespaceId: 'public', serviceName: 'DEFAULT_GROUP@@small', ip: '127.0.2.1', port: 8080, clusterName: 'DEFAULT', weight: 1, enabled: true, healthy: true, ephemeral: true, metadata: {}, app: 'DEFAULT' });
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await t.stop();
  });

  /** The same request to both servers; returns both answers after checking the fast path took it. */
  async function both(path: string, headers: Record<string, string>): Promise<[Answer, Answer]> {
    const before = fastHits;
    const viaFast = await send(fastPort, 'GET', path, headers);
    expect(fastHits).toBe(before + 1);
    return [viaFast, await send(expressPort, 'GET', path, headers)];
  }

  const stripTime = (body: string) => body.replace(/"lastRefTime":\d+/, '"lastRefTime":0');

  it('gzips a large list for a client that accepts gzip, on both paths, with the same headers and text', async () => {
    const [fast, express] = await both(`${NS}/instance/list?serviceName=big`, CLIENT_HEADERS);
    for (const answer of [fast, express]) {
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBe('gzip');
      expect(answer.headers.vary).toBe('Accept-Encoding');
      expect(Number(answer.headers['content-length'])).toBe(answer.raw.length);
      expect(JSON.parse(text(answer)).hosts).toHaveLength(40);
      // Compressed well below the plain text.
      expect(answer.raw.length * 4).toBeLessThan(Buffer.byteLength(text(answer)));
    }
    expect(HEADERS_COMPARED.map((h) => fast.headers[h])).toEqual(HEADERS_COMPARED.map((h) => express.headers[h]));
    expect(stripTime(text(fast))).toBe(stripTime(text(express)));
  });

  it('sends the same text plain when gzip is not accepted, refused with q=0, or the list is small', async () => {
    const variants: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'gzip;q=0, deflate' }];
    for (const headers of variants) {
      const [fast, express] = await both(`${NS}/instance/list?serviceName=big`, headers);
      expect([fast.headers['content-encoding'], express.headers['content-encoding']]).toEqual([undefined, undefined]);
      expect(JSON.parse(fast.raw.toString()).hosts).toHaveLength(40);
      expect(stripTime(fast.raw.toString())).toBe(stripTime(express.raw.toString()));
    }
    const [small] = await both(`${NS}/instance/list?serviceName=small`, CLIENT_HEADERS);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.raw.toString()).hosts).toHaveLength(1);
  });

  it('puts the current lastRefTime in every gzip answer', async () => {
    const [first] = await both(`${NS}/instance/list?serviceName=big`, CLIENT_HEADERS);
    await new Promise((resolve) => setTimeout(resolve, 15));
    const [second] = await both(`${NS}/instance/list?serviceName=big`, CLIENT_HEADERS);
    const time = (answer: Answer) => JSON.parse(text(answer)).lastRefTime as number;
    expect(time(second)).toBeGreaterThan(time(first));
    expect(Math.abs(time(second) - Date.now())).toBeLessThan(1000);
  });

  it('answers a beat with the parsed beat reused, exactly as express does', async () => {
    const beat = encodeURIComponent(JSON.stringify({ cluster: 'DEFAULT', ip: '127.0.1.1', port: 8080, serviceName: 'DEFAULT_GROUP@@big', weight: 1, scheduled: true }));
    const path = `${NS}/instance/beat?serviceName=DEFAULT_GROUP%40%40big&beat=${beat}`;
    const before = fastHits;
    const fast = await send(fastPort, 'PUT', path, CLIENT_HEADERS);
    expect(fastHits).toBe(before + 1);
    const express = await send(expressPort, 'PUT', path, CLIENT_HEADERS);
    expect([fast.status, fast.raw.toString()]).toEqual([express.status, express.raw.toString()]);
    expect(JSON.parse(fast.raw.toString())).toMatchObject({ code: 10200 });
    // A beat for an unknown instance re-registers it from the beat, on the fast path too.
    const lost = encodeURIComponent(JSON.stringify({ cluster: 'DEFAULT', ip: '127.0.3.1', port: 81, serviceName: 'DEFAULT_GROUP@@big', weight: 2, metadata: { k: 'v' } }));
    const revived = await send(fastPort, 'PUT', `${NS}/instance/beat?serviceName=DEFAULT_GROUP%40%40big&beat=${lost}`, CLIENT_HEADERS);
    expect(revived.status).toBe(200);
    const listed = JSON.parse(text((await both(`${NS}/instance/list?serviceName=big`, CLIENT_HEADERS))[0])) as { hosts: Array<{ ip: string; weight: number; metadata: object }> };
    expect(listed.hosts.find((h) => h.ip === '127.0.3.1')).toMatchObject({ weight: 2, metadata: { k: 'v' } });
  });
});

describe('fast path and request bodies', () => {
  it('takes a request with a body to express, even with a query string', async () => {
    const served = await startFastPathServer();
    try {
      const url = `${served.origin}${NS}/instance?serviceName=b&ip=127.0.0.1&port=80`;
      const chunked = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write('weight=3');
        req.end();
      });
      expect(chunked).toBe(200);
      expect(served.fastHits()).toBe(0);
      const listed = (await (await fetch(`${url.replace('/instance?', '/instance/list?')}`)).json()) as { hosts: Array<{ weight: number }> };
      expect(listed.hosts.map((h) => h.weight)).toEqual([3]);
      expect(served.fastHits()).toBe(1);
    } finally {
      await served.stop();
    }
  });
});
