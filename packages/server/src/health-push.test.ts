import * as dgram from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryRuntime } from '@tacos/core';
import pino from 'pino';
import request from 'supertest';
import { createApp } from './app';
import { InstanceWatchHub } from './instance-watch';
import { startServer } from './server';
import { createTestApp, type TestApp } from './testing/test-app';
import { startFastPathServer } from './testing/fast-path-server';

const NS = '/nacos/v1/ns';
const JAVA = 'Nacos-Java-Client:v1.0.0';

function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('operator/push/state and catalog/rt/service', () => {
  let t: TestApp;
  let runtime: RegistryRuntime;

  afterEach(async () => {
    await runtime?.close();
    await t.stop();
  });

  it('reports zeros without a runtime', async () => {
    t = await createTestApp();
    const res = await request(t.app).get(`${NS}/operator/push/state?detail=true`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ succeed: 0, total: 0, ratio: 0, reset: false, data: [] });
  });

  it('counts pushes, lists failures with detail and resets', async () => {
    // A runtime over the test app's registry: real UDP on 127.0.0.1, quick give-up for the test.
    const base = await createTestApp();
    runtime = new RegistryRuntime({ registry: base.registry, push: { bindAddress: '127.0.0.1', delayMs: 10, retryMs: 150, maxSends: 1 } });
    await runtime.start();
    t = { ...base, app: createApp({ registry: base.registry, runtime }) };
    const acker = dgram.createSocket('udp4');
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => acker.bind(0, '127.0.0.1', () => resolve()));
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    acker.on('message', (msg, rinfo) => {
      const { lastRefTime } = JSON.parse(msg.toString('utf8')) as { lastRefTime: number };
      acker.send(JSON.stringify({ type: 'push-ack', lastRefTime, data: '' }), rinfo.port, rinfo.address);
    });
    try {
      for (const socket of [acker, silent]) {
        const udpPort = (socket.address() as AddressInfo).port;
        const res = await request(t.app).get(`${NS}/instance/list?serviceName=ps&udpPort=${udpPort}&clientIP=127.0.0.1`).set('User-Agent', JAVA);
        expect(JSON.parse(res.text).cacheMillis).toBe(10000);
      }
      expect((await request(t.app).post(`${NS}/instance?serviceName=ps&ip=127.0.0.1&port=80`)).text).toBe('ok');
      await waitUntil('one ack and one failure', () => runtime.push.stats().acked === 1 && runtime.push.stats().failed === 1, 3000);
      const state = JSON.parse((await request(t.app).get(`${NS}/operator/push/state?detail=true&reset=true`)).text);
      expect(state).toMatchObject({ succeed: 1, total: 2, ratio: 0.5, reset: true });
      expect(state.data).toHaveLength(1);
      expect(state.data[0]).toMatchObject({ serviceName: 'DEFAULT_GROUP@@ps', addrStr: `127.0.0.1:${(silent.address() as AddressInfo).port}` });
      // The alias path, after the reset.
      expect(JSON.parse((await request(t.app).get(`${NS}/ops/push/state`)).text)).toEqual({ succeed: 0, total: 0, ratio: 0, reset: false });
    } finally {
      acker.close();
      silent.close();
    }
  });

  it('answers catalog/rt/service per cluster, 404 for an unknown service', async () => {
    t = await createTestApp();
    expect((await request(t.app).get(`${NS}/catalog/rt/service?serviceName=nope`)).status).toBe(404);
    expect((await request(t.app).post(`${NS}/instance?serviceName=rt&ip=127.0.0.1&port=9&ephemeral=false`)).text).toBe('ok');
    const res = await request(t.app).get(`${NS}/catalog/rt/service?serviceName=rt`);
    expect(JSON.parse(res.text)).toEqual({ clusters: [{ name: 'DEFAULT', checkRTBest: -1, checkRTWorst: -1, checkRTNormalized: -1 }] });
  });
});

interface SseEvent {
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE frames from a fetch body; `next()` resolves with the next frame or rejects after `ms`. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queued: SseEvent[] = [];
  const parse = () => {
    for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const event: SseEvent = {};
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) event.comment = line.slice(1).trim();
        else if (line.startsWith('event: ')) event.event = line.slice(7);
        else if (line.startsWith('data: ')) event.data = line.slice(6);
      }
      queued.push(event);
    }
  };
  return {
    async next(ms = 3000): Promise<SseEvent> {
      const deadline = Date.now() + ms;
      while (queued.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no SSE event in time');
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('no SSE event in time')), left);
          }),
        ]).finally(() => clearTimeout(timer));
        if (chunk.done) throw new Error('stream ended');
        buffer += decoder.decode(chunk.value, { stream: true });
        parse();
      }
      return queued.shift() as SseEvent;
    },
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

describe('GET /instance/watch (SSE)', () => {
  let t: TestApp;
  let hub: InstanceWatchHub;
  let server: Server;
  let base: string;

  beforeEach(async () => {
    const plain = await createTestApp();
    hub = new InstanceWatchHub(plain.registry, { maxWatchers: 2, coalesceMs: 20, pingMs: 100 });
    t = { ...plain, app: createApp({ registry: plain.registry, watchHub: hub }) };
    server = createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${NS}`;
  });

  afterEach(async () => {
    hub.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.stop();
  });

  it('streams the list at once and after every change, pings, and forgets closed streams', async () => {
    expect((await fetch(`${base}/instance?serviceName=w&groupName=G&ip=127.0.0.1&port=80`, { method: 'POST' })).status).toBe(200);
    const res = await fetch(`${base}/instance/watch?serviceName=w&groupName=G`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const events = sseReader(res.body as ReadableStream<Uint8Array>);
    const first = await events.next();
    expect(first.event).toBe('instances');
    const body = JSON.parse(first.data as string);
    expect(body).toMatchObject({ name: 'G@@w', clusters: '' });
    expect(body.hosts.map((h: { ip: string }) => h.ip)).toEqual(['127.0.0.1']);
    expect(hub.size).toBe(1);

    // Two quick changes: coalesced into one event with both.
    await fetch(`${base}/instance?serviceName=G@@w&ip=127.0.0.2&port=80`, { method: 'POST' });
    await fetch(`${base}/instance?serviceName=G@@w&ip=127.0.0.3&port=80`, { method: 'POST' });
    let next = await events.next();
    while (next.comment === 'ping') next = await events.next();
    const ips = JSON.parse(next.data as string).hosts.map((h: { ip: string }) => h.ip);
    expect(ips.sort()).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);

    // Changes to other services do not reach this stream; pings do.
    await fetch(`${base}/instance?serviceName=other&ip=127.0.0.9&port=80`, { method: 'POST' });
    expect(await events.next(1000)).toEqual({ comment: 'ping' });

    await events.cancel();
    await waitUntil('the stream to be forgotten', () => hub.size === 0, 2000);
  });

  it('refuses streams beyond the cap with 503 and bad requests as instance/list does', async () => {
    const a = await fetch(`${base}/instance/watch?serviceName=x`);
    const b = await fetch(`${base}/instance/watch?serviceName=x&clusters=DEFAULT`);
    expect([a.status, b.status]).toEqual([200, 200]);
    const refused = await fetch(`${base}/instance/watch?serviceName=x`);
    expect(refused.status).toBe(503);
    expect(await refused.text()).toMatch(/too many watch streams/);
    await a.body?.cancel();
    await b.body?.cancel();
    await waitUntil('both streams to be forgotten', () => hub.size === 0, 2000);
    const missing = await fetch(`${base}/instance/watch`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toBe("Param 'serviceName' is required.");
  });
});

describe('createFastPath', () => {
  it('answers beats and list polls exactly as the express app does, and leaves other requests alone', async () => {
    const served = await startFastPathServer();
    const { t } = served;
    const base = `${served.origin}${NS}`;
    try {
      const beat = encodeURIComponent(JSON.stringify({ serviceName: 'DEFAULT_GROUP@@f', ip: '127.0.0.1', port: 80, cluster: 'DEFAULT', scheduled: true }));
      const viaFast = await fetch(`${base}/instance/beat?serviceName=DEFAULT_GROUP@@f&beat=${beat}`, { method: 'PUT' });
      expect(served.fastHits()).toBe(1);
      const viaExpress = await request(t.app).put(`${NS}/instance/beat?serviceName=DEFAULT_GROUP@@f&beat=${beat}`);
      expect([viaFast.status, viaFast.headers.get('content-type'), await viaFast.text()]).toEqual([viaExpress.status, viaExpress.headers['content-type'], viaExpress.text]);
      const list = await fetch(`${base}/instance/list?serviceName=f`);
      expect(served.fastHits()).toBe(2);
      expect(JSON.parse(await list.text()).hosts).toHaveLength(1);
      // Errors map the same way.
      const missing = await fetch(`${base}/instance/list`);
      expect([missing.status, await missing.text()]).toEqual([400, "Param 'serviceName' is required."]);
      // A body, another path or method: express.
      const form = await fetch(`${base}/instance/beat`, {
        method: 'PUT',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `serviceName=f&beat=${beat}`,
      });
      expect(form.status).toBe(200);
      expect((await fetch(`${base}/instance?serviceName=f&ip=127.0.0.2&port=80`, { method: 'PATCH' })).status).toBe(400);
      expect(served.fastHits()).toBe(3);
    } finally {
      await served.stop();
    }
  });
});

describe('createFastPath registrations', () => {
  /** The status, the headers express and the fast path both set, and the body, of one answer. */
  function shapeOf(status: number, headers: (name: string) => string | null | undefined, body: string) {
    const names = ['content-type', 'content-length', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy'];
    return { status, headers: names.map((name) => [name, headers(name) ?? null]), body };
  }

  it('answers POST and DELETE /instance, their errors and hostile input byte for byte as the express app does', async () => {
    const served = await startFastPathServer();
    const { t } = served;
    const base = `${served.origin}`;
    const viaFast = async (method: string, url: string) => {
      const res = await fetch(`${base}${url}`, { method });
      return shapeOf(res.status, (name) => res.headers.get(name), await res.text());
    };
    const viaExpress = async (method: string, url: string) => {
      const res = await request(t.app)[method.toLowerCase() as 'post' | 'put' | 'get' | 'delete'](url);
      return shapeOf(res.status, (name) => res.headers[name] as string | undefined, res.text);
    };
    try {
      const cases: Array<[string, string]> = [
        // Registrations, ephemeral (the default) and persistent, one per side so both create.
        ['POST', `${NS}/instance?serviceName=DEFAULT_GROUP@@r&ip=127.0.0.1&port=80&weight=2&metadata=${encodeURIComponent('{"a":"b"}')}`],
        ['POST', `${NS}/instance?serviceName=DEFAULT_GROUP@@p&ip=127.0.0.2&port=80&ephemeral=false`],
        // Handler errors.
        ['POST', `${NS}/instance?ip=127.0.0.1&port=80`],
        ['POST', `${NS}/instance?serviceName=r&port=80`],
        ['POST', `${NS}/instance?serviceName=r&ip=127.0.0.1&port=99999`],
        ['POST', `${NS}/instance?serviceName=r&ip=127.0.0.1&port=80&weight=abc`],
        // Hostile input: a forbidden parameter name, an over-long value, a forbidden key in JSON, deep JSON.
        ['POST', `${NS}/instance?serviceName=r&ip=127.0.0.1&port=80&__proto__=x`],
        ['POST', `${NS}/instance?serviceName=${'s'.repeat(5000)}&ip=127.0.0.1&port=80`],
        ['POST', `${NS}/instance?serviceName=r&ip=127.0.0.1&port=80&metadata=${encodeURIComponent('{"__proto__":{"x":1}}')}`],
        ['POST', `${NS}/instance?serviceName=r&ip=127.0.0.1&port=80&metadata=${encodeURIComponent(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`)}`],
        ['PUT', `${NS}/instance/beat?serviceName=r&beat=${encodeURIComponent('{"constructor":{"prototype":{}}}')}`],
        ['GET', `${NS}/instance/list?serviceName=r&__proto__=1`],
        ['GET', `${NS}/instance/list?serviceName=DEFAULT_GROUP@@r&healthyOnly=true`],
        // Deregistrations: a real one (the fast path removes it, express finds nothing: both `ok`),
        // a missing field, hostile input.
        ['POST', `${NS}/instance?serviceName=DEFAULT_GROUP@@r&ip=127.0.0.5&port=80`],
        ['DELETE', `${NS}/instance?serviceName=DEFAULT_GROUP@@r&ip=127.0.0.5&port=80`],
        ['DELETE', `${NS}/instance?serviceName=DEFAULT_GROUP@@p&ip=127.0.0.2&port=80&ephemeral=false`],
        ['DELETE', `${NS}/instance?ip=127.0.0.1&port=80`],
        ['DELETE', `${NS}/instance?serviceName=r&ip=127.0.0.1&port=80&__proto__=x`],
      ];
      for (const [method, url] of cases) {
        const before = served.fastHits();
        const fromFast = await viaFast(method, url);
        expect(served.fastHits()).toBe(before + 1);
        // Same request again, through express (a second registration of the same address is an update).
        const fromExpress = await viaExpress(method, url);
        if (url.includes('/instance/list')) {
          const strip = (body: string) => body.replace(/"lastRefTime":\d+/, '"lastRefTime":0');
          expect({ ...fromFast, body: strip(fromFast.body) }).toEqual({ ...fromExpress, body: strip(fromExpress.body) });
        } else {
          expect(fromFast).toEqual(fromExpress);
        }
      }
      const listed = (await (await fetch(`${base}${NS}/instance/list?serviceName=r`)).json()) as { hosts: Array<Record<string, unknown>> };
      expect(listed.hosts.map((h) => [h.ip, h.port, h.weight, h.metadata])).toEqual([['127.0.0.1', 80, 2, { a: 'b' }]]);
      const persistent = (await (await fetch(`${base}${NS}/instance/list?serviceName=p`)).json()) as { hosts: unknown[] };
      expect(persistent.hosts).toEqual([]);
      // A registration with a form body is express' (the fast path reads no bodies).
      const form = await fetch(`${base}${NS}/instance`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'serviceName=r&ip=127.0.0.3&port=80',
      });
      expect([form.status, await form.text()]).toEqual([200, 'ok']);
      expect(served.fastHits()).toBe(cases.length + 2);
    } finally {
      await served.stop();
    }
  });
});

describe('startServer wiring', () => {
  it('pushes over UDP, reports push state and the event-loop delay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tacos-hp-'));
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      dataDir: dir,
      logger: pino({ level: 'silent' }),
      push: { bindAddress: '127.0.0.1' },
    });
    const client = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
      const received: number[] = [];
      client.on('message', (msg, rinfo) => {
        const { lastRefTime } = JSON.parse(msg.toString('utf8')) as { lastRefTime: number };
        received.push(Date.now());
        client.send(JSON.stringify({ type: 'push-ack', lastRefTime, data: '' }), rinfo.port, rinfo.address);
      });
      const ns = `${server.url}${NS}`;
      const udpPort = (client.address() as AddressInfo).port;
      // A wrong clientIP (as nacos-naming guesses from its interfaces): the source address is used.
      await fetch(`${ns}/instance/list?serviceName=live&udpPort=${udpPort}&clientIP=192.0.2.7`, { headers: { 'User-Agent': JAVA } });
      const sentAt = Date.now();
      await fetch(`${ns}/instance?serviceName=live&ip=127.0.0.1&port=80`, { method: 'POST' });
      await waitUntil('the push', () => received.length > 0, 2000);
      expect((received[0] as number) - sentAt).toBeLessThan(1000);
      await waitUntil('the ack', () => server.runtime.push.stats().acked === 1, 2000);
      const state = await (await fetch(`${ns}/operator/push/state`)).json();
      expect(state).toEqual({ succeed: 1, total: 1, ratio: 1, reset: false });
      const metrics = (await (await fetch(`${ns}/operator/metrics?resetLoopDelay=true`)).json()) as { loopDelay: { p99: number; count: number } };
      expect(metrics.loopDelay.p99).toBeGreaterThan(0);
      expect(metrics.loopDelay.count).toBeGreaterThanOrEqual(0);
    } finally {
      client.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
