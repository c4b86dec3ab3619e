import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { SubscriberRegistry } from '../subscribers';
import { decodeDatagram, isGzipped } from './push-packet';
import { type PushTarget, subscriberSourceOf } from './push-target';
import { type RenderRequest, UdpPushService, type UdpPushServiceOptions } from './udp-push-service';

/** A UDP socket on 127.0.0.1 playing a Nacos 1.x client receiver. */
class FakeClient {
  readonly socket = dgram.createSocket('udp4');
  readonly packets: Array<{ raw: Buffer; packet: Record<string, unknown>; from: dgram.RemoteInfo }> = [];
  autoAck = true;
  port = 0;

  async bind(): Promise<this> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.port = this.socket.address().port;
    this.socket.on('message', (raw, from) => {
      const packet = decodeDatagram(raw);
      if (!packet) return;
      this.packets.push({ raw, packet, from });
      if (this.autoAck) this.ack(packet.lastRefTime, from);
    });
    return this;
  }

  ack(lastRefTime: unknown, to: dgram.RemoteInfo, via: dgram.Socket = this.socket): void {
    via.send(JSON.stringify({ type: 'push-ack', lastRefTime, data: '' }), to.port, to.address);
  }

  target(overrides: Partial<PushTarget> = {}): PushTarget {
    return {
      namespaceId: 'public',
      serviceName: 'DEFAULT_GROUP@@svc',
      clusters: 'DEFAULT',
      address: '127.0.0.1',
      port: this.port,
      agent: 'Nacos-Java-Client:v1.0.0',
      ...overrides,
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

const toClose: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  while (toClose.length > 0) await toClose.pop()!.close();
});

async function client(): Promise<FakeClient> {
  const c = await new FakeClient().bind();
  toClose.push(c);
  return c;
}

async function service(targets: () => PushTarget[], options: Partial<UdpPushServiceOptions> = {}) {
  const renders: RenderRequest[] = [];
  const s = new UdpPushService({
    subscribers: { subscribersOf: () => targets() },
    render: (req) => {
      renders.push(req);
      return JSON.stringify({ name: req.serviceName, clusters: req.clusters, hosts: [{ ip: '10.0.0.1', port: 80 }] });
    },
    bindAddress: '127.0.0.1',
    delayMs: 20,
    retryMs: 150,
    ...options,
  });
  toClose.push(s);
  await s.start();
  return { s, renders };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('UdpPushService (real UDP on 127.0.0.1)', () => {
  it('coalesces changes of a service into one packet and counts the ack', async () => {
    const c = await client();
    const { s, renders } = await service(() => [c.target()]);
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('ack', () => s.stats().acked === 1);
    await sleep(50);
    expect(c.packets).toHaveLength(1);
    expect(renders).toHaveLength(1);
    const { packet, from } = c.packets[0]!;
    expect(packet.type).toBe('dom');
    expect(typeof packet.data).toBe('string');
    expect(JSON.parse(packet.data as string)).toMatchObject({ name: 'DEFAULT_GROUP@@svc', clusters: 'DEFAULT' });
    expect(typeof packet.lastRefTime).toBe('number');
    expect(from.port).toBe(s.address()!.port);
    expect(s.pushState()).toEqual({ succeed: 1, total: 1, ratio: 1, reset: false });
    expect(s.stats()).toMatchObject({ total: 1, acked: 1, pending: 0, failed: 0, resends: 0 });
  });

  it('resends once after retryMs, then counts the push failed', async () => {
    const c = await client();
    c.autoAck = false;
    const failedTargets: PushTarget[] = [];
    const { s } = await service(() => [c.target()], { onFailed: (t) => failedTargets.push(t) });
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('failure', () => s.stats().failed === 1);
    expect(c.packets).toHaveLength(2);
    expect(c.packets[1]!.packet.lastRefTime).toBe(c.packets[0]!.packet.lastRefTime);
    expect(s.stats()).toMatchObject({ total: 1, failed: 1, resends: 1, pending: 0 });
    expect(failedTargets).toEqual([c.target()]);
    const state = s.pushState({ detail: true, reset: true });
    expect(state).toMatchObject({ succeed: 0, total: 1, ratio: 0, reset: true });
    expect(state.data).toEqual([
      expect.objectContaining({
        serviceName: 'DEFAULT_GROUP@@svc',
        addrStr: `127.0.0.1:${c.port}`,
        sends: 2,
        reason: 'no ack',
        lastRefTime: c.packets[0]!.packet.lastRefTime,
      }),
    ]);
    expect(s.pushState({ detail: true })).toEqual({ succeed: 0, total: 0, ratio: 0, reset: false, data: [] });
  });

  it('an ack for the resent packet still counts, and a late ack matches nothing', async () => {
    const c = await client();
    c.autoAck = false;
    const { s } = await service(() => [c.target()]);
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('resend', () => c.packets.length === 2);
    c.ack(c.packets[1]!.packet.lastRefTime, c.packets[1]!.from);
    await waitFor('ack', () => s.stats().acked === 1);
    c.ack(c.packets[1]!.packet.lastRefTime, c.packets[1]!.from);
    await waitFor('unmatched', () => s.stats().unmatchedAcks === 1);
    await sleep(200);
    expect(s.pushState()).toEqual({ succeed: 1, total: 1, ratio: 1, reset: false });
  });

  it('ignores an ack from another port', async () => {
    const c = await client();
    c.autoAck = false;
    const other = await client();
    const { s } = await service(() => [c.target()], { retryMs: 2000 });
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('packet', () => c.packets.length === 1);
    c.ack(c.packets[0]!.packet.lastRefTime, c.packets[0]!.from, other.socket);
    await waitFor('unmatched', () => s.stats().unmatchedAcks === 1);
    expect(s.stats()).toMatchObject({ acked: 0, pending: 1 });
  });

  it('gzips a large body, and the client gets it intact', async () => {
    const c = await client();
    const big = JSON.stringify({ name: 'DEFAULT_GROUP@@svc', hosts: Array.from({ length: 200 }, (_, i) => ({ ip: `10.0.${i >> 8}.${i & 255}`, port: 8080 })) });
    const { s } = await service(() => [c.target()], { render: () => big });
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('ack', () => s.stats().acked === 1);
    expect(isGzipped(c.packets[0]!.raw)).toBe(true);
    expect(c.packets[0]!.packet.data).toBe(big);
  });

  it('renders once per clusters/agent and sends each subscriber its own view', async () => {
    const a = await client();
    const b = await client();
    const a2 = await client();
    const { s, renders } = await service(() => [a.target(), a2.target(), b.target({ clusters: 'c1,c2' })]);
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('acks', () => s.stats().acked === 3);
    expect(renders.map((r) => r.clusters).sort()).toEqual(['DEFAULT', 'c1,c2']);
    expect(JSON.parse(b.packets[0]!.packet.data as string).clusters).toBe('c1,c2');
    expect(JSON.parse(a2.packets[0]!.packet.data as string).clusters).toBe('DEFAULT');
  });

  it('replaces an unacked packet by a newer one for the same subscriber and service', async () => {
    const c = await client();
    c.autoAck = false;
    const { s } = await service(() => [c.target()], { retryMs: 300 });
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('first', () => c.packets.length === 1);
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('second', () => c.packets.length === 2);
    const [first, second] = c.packets.map((p) => p.packet.lastRefTime as number);
    expect(second).toBeGreaterThan(first!);
    await waitFor('failure', () => s.stats().failed === 1);
    // Only the newer packet was resent; the older one is counted superseded, not failed.
    expect(c.packets.map((p) => p.packet.lastRefTime)).toEqual([first, second, second]);
    expect(s.stats()).toMatchObject({ total: 2, superseded: 1, failed: 1, resends: 1 });
  });

  it('sends nothing while pushEnabled is off, nor to subscribers the source no longer lists', async () => {
    const c = await client();
    let enabled = false;
    let live = true;
    const { s, renders } = await service(() => (live ? [c.target()] : []), { isEnabled: () => enabled });
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await sleep(100);
    enabled = true;
    live = false;
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await sleep(100);
    expect(c.packets).toHaveLength(0);
    expect(renders).toHaveLength(0);
    expect(s.stats()).toMatchObject({ total: 0, scheduledServices: 0 });
  });

  it('skips subscribers without an address or a valid port', async () => {
    const c = await client();
    const { s, renders } = await service(() => [c.target({ address: '' }), c.target({ port: 0 }), c.target({ port: 70000 })]);
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await sleep(80);
    expect(c.packets).toHaveLength(0);
    expect(renders).toHaveLength(0);
    expect(s.stats().total).toBe(0);
  });

  it('skips a subscriber when render returns undefined or throws', async () => {
    const c = await client();
    let mode = 0;
    const { s } = await service(() => [c.target()], {
      render: () => {
        if (mode === 0) return undefined;
        throw new Error('render bug');
      },
    });
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await sleep(80);
    mode = 1;
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await sleep(80);
    expect(c.packets).toHaveLength(0);
    expect(s.stats().total).toBe(0);
  });

  it('fails at once a packet too large for a datagram', async () => {
    const c = await client();
    // Random bytes as base64: gzip cannot shrink 120 KB of it below 64 KB.
    const noise = randomBytes(90_000).toString('base64');
    const { s } = await service(() => [c.target()], { render: () => noise });
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('failure', () => s.stats().failed === 1);
    expect(s.pushState({ detail: true }).data?.[0]?.reason).toMatch(/^packet too large/);
    expect(c.packets).toHaveLength(0);
  });

  it('consumes core SubscriberRegistry through subscriberSourceOf and stops at expiry', async () => {
    const c = await client();
    const registry = new SubscriberRegistry();
    let now = 0;
    registry.record({
      addrStr: `127.0.0.1:${c.port}`,
      agent: 'Nacos-Java-Client:v1.0.0',
      app: 'DEFAULT',
      ip: '127.0.0.1',
      port: c.port,
      namespaceId: 'public',
      serviceName: 'DEFAULT_GROUP@@svc',
      cluster: 'DEFAULT',
      lastRefTime: 0,
    });
    const s = new UdpPushService({
      subscribers: subscriberSourceOf(registry, () => now, () => 10_000),
      render: (req) => JSON.stringify({ name: req.serviceName, clusters: req.clusters, hosts: [] }),
      bindAddress: '127.0.0.1',
      delayMs: 10,
    });
    toClose.push(s);
    await s.start();
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await waitFor('ack', () => s.stats().acked === 1);
    now = 10_001; // no poll for longer than pushCacheMillis: a zombie
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await sleep(80);
    expect(c.packets).toHaveLength(1);
  });

  it('close cancels scheduled pushes and is idempotent', async () => {
    const c = await client();
    const { s } = await service(() => [c.target()], { delayMs: 50 });
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await s.close();
    await s.close();
    s.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    await sleep(100);
    expect(c.packets).toHaveLength(0);
  });

  it('start rejects when the port is taken', async () => {
    const { s } = await service(() => []);
    const other = new UdpPushService({ subscribers: { subscribersOf: () => [] }, render: () => '', bindAddress: '127.0.0.1', port: s.address()!.port });
    toClose.push(other);
    await expect(other.start()).rejects.toThrow('cannot bind the UDP push socket');
  });
});
