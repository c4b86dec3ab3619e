import { DistroNode, type DistroConfig, type OwnershipChange } from './distro-node';
import { isDistroError } from './errors';
import { type Member, StaticMembership } from './membership';
import type { DistroChange } from './processor';
import { InMemoryNetwork } from './simulation/in-memory-network';
import { VirtualTime } from './simulation/virtual-time';
import { MemoryStorage } from './storage';
import { javaStringHashCode } from './java-hash';

const TYPE = 'test';
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const ADDRS = ['a:1', 'b:1', 'c:1'];

interface TestNode {
  node: DistroNode;
  storage: MemoryStorage;
  membership: StaticMembership;
  changes: DistroChange[];
}

/** A cluster of DistroNodes on one virtual timeline and an in-memory network. */
class Cluster {
  readonly time = new VirtualTime(1_000_000);
  readonly net = new InMemoryNetwork();
  readonly nodes = new Map<string, TestNode>();

  constructor(
    readonly addrs: string[],
    readonly config: Partial<DistroConfig> = {},
  ) {}

  boot(address: string): TestNode {
    this.nodes.get(address)?.node.stop();
    const membership = new StaticMembership(this.addrs.map((a): Member => ({ address: a, state: 'UP' })));
    const storage = new MemoryStorage();
    const changes: DistroChange[] = [];
    const node = new DistroNode({
      self: address,
      transport: this.net.transportFor(address),
      membership,
      clock: this.time.clock(),
      storage,
      config: this.config,
      processors: [{ type: TYPE, apply: (c) => changes.push(c) }],
    });
    this.net.register(address, (req) => node.handle(req));
    node.start();
    const t = { node, storage, membership, changes };
    this.nodes.set(address, t);
    return t;
  }

  bootAll(): void {
    for (const a of this.addrs) this.boot(a);
  }

  n(address: string): DistroNode {
    return this.nodes.get(address)!.node;
  }

  /** A key whose owner (all members healthy) is `owner`. */
  keyOwnedBy(owner: string, prefix = 'k'): string {
    const sorted = [...this.addrs].sort();
    for (let i = 0; i < 10_000; i++) {
      const key = `${prefix}${i}`;
      if (sorted[Math.abs(javaStringHashCode(key) % 2147483647) % sorted.length] === owner) return key;
    }
    throw new Error('no key found');
  }

  value(address: string, key: string): string | undefined {
    return dec(this.n(address).get(TYPE, key)?.value);
  }

  async run(ms: number): Promise<void> {
    await this.time.runFor(ms);
  }
}

describe('DistroNode', () => {
  it('standalone: ready at once; put, get, remove; processor sees each change', () => {
    const c = new Cluster(['a:1']);
    const { node, changes } = c.boot('a:1');
    expect(node.readiness()).toEqual({ ready: true, reason: 'standalone' });
    const v1 = node.put(TYPE, 'k', enc('one'));
    const v2 = node.put(TYPE, 'k', enc('two'));
    expect(v2.ts).toBeGreaterThan(v1.ts);
    expect(c.value('a:1', 'k')).toBe('two');
    node.remove(TYPE, 'k');
    expect(node.get(TYPE, 'k')).toBeUndefined();
    expect(changes.map((ch) => [ch.reason, dec(ch.value ?? undefined) ?? null])).toEqual([
      ['local', 'one'],
      ['local', 'two'],
      ['local', null],
    ]);
    expect(() => node.put('other', 'k', enc('x'))).toThrow(expect.objectContaining({ code: 'UNKNOWN_TYPE' }));
  });

  it('cold start: members that all start together become ready without waiting for the timeout', async () => {
    const c = new Cluster(ADDRS);
    c.bootAll();
    await c.run(100);
    for (const a of ADDRS) expect(c.n(a).isReady).toBe(true);
    expect(ADDRS.map((a) => c.n(a).readiness().reason).sort()).toContain('cold-start');
  });

  it('refuses writes for keys it does not own, naming the owner', async () => {
    const c = new Cluster(ADDRS);
    c.bootAll();
    await c.run(100);
    const key = c.keyOwnedBy('b:1');
    expect.assertions(3);
    try {
      c.n('a:1').put(TYPE, key, enc('x'));
    } catch (err) {
      expect(isDistroError(err, 'NOT_RESPONSIBLE')).toBe(true);
      expect((err as { owner?: string }).owner).toBe('b:1');
    }
    expect(c.n('b:1').isResponsible(key)).toBe(true);
  });

  it('syncs writes to every peer in one delayed batch, with the current values', async () => {
    const c = new Cluster(ADDRS);
    c.bootAll();
    await c.run(100);
    const keys = [c.keyOwnedBy('a:1', 'x'), c.keyOwnedBy('a:1', 'y'), c.keyOwnedBy('a:1', 'z')];
    const before = c.net.delivered.sync;
    for (const k of keys) c.n('a:1').put(TYPE, k, enc('v1'));
    c.n('a:1').put(TYPE, keys[0]!, enc('v2'));
    await c.run(900);
    expect(c.value('b:1', keys[0]!)).toBeUndefined();
    await c.run(200);
    expect(c.net.delivered.sync - before).toBe(2); // one batch per peer
    for (const peer of ['b:1', 'c:1']) {
      expect(c.value(peer, keys[0]!)).toBe('v2');
      expect(c.value(peer, keys[2]!)).toBe('v1');
    }
  });

  it('sends a full batch at batchSyncKeyCount without waiting for the delay', async () => {
    const c = new Cluster(ADDRS, { batchSyncKeyCount: 2, syncDelayMs: 60_000 });
    c.bootAll();
    await c.run(100);
    const [k1, k2, k3] = [c.keyOwnedBy('a:1', 'p'), c.keyOwnedBy('a:1', 'q'), c.keyOwnedBy('a:1', 'r')];
    c.n('a:1').put(TYPE, k1, enc('1'));
    await c.run(10);
    expect(c.value('b:1', k1)).toBeUndefined();
    c.n('a:1').put(TYPE, k2, enc('2'));
    c.n('a:1').put(TYPE, k3, enc('3'));
    await c.run(10);
    expect([c.value('b:1', k1), c.value('b:1', k2), c.value('b:1', k3)]).toEqual(['1', '2', undefined]);
  });

  it('validates its config', () => {
    const make = (config: Partial<DistroConfig>) => () =>
      new DistroNode({ self: 'a:1', transport: new InMemoryNetwork().transportFor('a:1'), membership: new StaticMembership([]), clock: new VirtualTime().clock(), config });
    expect(make({ verifyIntervalMs: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(make({ batchSyncKeyCount: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(make({ syncDelayMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(make({})).not.toThrow();
  });

  it('never lets an older version overwrite a newer one', async () => {
    const c = new Cluster(ADDRS);
    c.bootAll();
    await c.run(100);
    const b = c.n('b:1');
    const newer = { type: TYPE, key: 'k', version: { ts: 10, origin: 'a:1' }, value: enc('new') };
    const older = { type: TYPE, key: 'k', version: { ts: 9, origin: 'c:1' }, value: enc('old') };
    b.handle({ kind: 'sync', from: 'a:1', entries: [newer] });
    b.handle({ kind: 'sync', from: 'c:1', entries: [older, { ...older, value: null }] });
    b.handle({ kind: 'sync', from: 'a:1', entries: [newer] });
    expect(c.value('b:1', 'k')).toBe('new');
    expect(c.nodes.get('b:1')!.changes).toHaveLength(1);
    expect(b.stats().staleIgnored).toBe(3);
  });

  it('retries a failed sync with backoff until the peer is reachable again', async () => {
    const c = new Cluster(ADDRS, { syncRetryDelayMs: 2000 });
    c.bootAll();
    await c.run(100);
    const key = c.keyOwnedBy('a:1');
    c.net.cut('a:1', 'b:1');
    c.n('a:1').put(TYPE, key, enc('v'));
    await c.run(4000); // first try at 1 s fails; retry at 3 s fails; next at 7 s
    expect(c.value('b:1', key)).toBeUndefined();
    expect(c.value('c:1', key)).toBe('v');
    c.net.restore('a:1', 'b:1');
    await c.run(4000);
    expect(c.value('b:1', key)).toBe('v');
    expect(c.n('a:1').stats().syncBatchesFailed).toBe(2);
  });

  it('a restarted member is not ready until it loads a snapshot, then has the data', async () => {
    const c = new Cluster(ADDRS);
    c.bootAll();
    await c.run(100);
    const key = c.keyOwnedBy('a:1');
    c.n('a:1').put(TYPE, key, enc('v'));
    await c.run(2000);
    c.net.isolate('c:1');
    const restarted = c.boot('c:1').node;
    expect(restarted.isReady).toBe(false);
    expect(() => restarted.put(TYPE, c.keyOwnedBy('c:1'), enc('x'))).toThrow(expect.objectContaining({ code: 'NOT_READY' }));
    await c.run(10_000);
    expect(restarted.isReady).toBe(false);
    c.net.healAll();
    await c.run(6000); // next load round
    expect(restarted.readiness()).toEqual({ ready: true, reason: 'loaded' });
    expect(c.value('c:1', key)).toBe('v');
    expect(c.nodes.get('c:1')!.changes.map((ch) => ch.reason)).toEqual(['snapshot']);
  });

  it('becomes ready after the load timeout, and still loads once peers answer', async () => {
    const c = new Cluster(ADDRS, { loadTimeoutMs: 8000 });
    c.bootAll();
    await c.run(100);
    const key = c.keyOwnedBy('b:1');
    c.n('b:1').put(TYPE, key, enc('v'));
    await c.run(2000);
    c.net.isolate('c:1');
    const restarted = c.boot('c:1').node;
    let readyAt = -1;
    void restarted.whenReady().then(() => {
      readyAt = c.time.now;
    });
    const startedAt = c.time.now;
    await c.run(7999);
    expect(restarted.isReady).toBe(false);
    await c.run(1);
    expect(restarted.readiness()).toEqual({ ready: true, reason: 'timeout' });
    expect(readyAt - startedAt).toBe(8000);
    c.net.healAll();
    await c.run(6000);
    expect(restarted.readiness().reason).toBe('loaded');
    expect(c.value('c:1', key)).toBe('v');
  });

  it('verify repairs a peer that lost a key, and the owner learns a newer version held by a peer', async () => {
    const c = new Cluster(ADDRS);
    c.bootAll();
    await c.run(100);
    const key = c.keyOwnedBy('a:1');
    c.n('a:1').put(TYPE, key, enc('v'));
    await c.run(2000);
    c.nodes.get('b:1')!.storage.delete(TYPE, key); // lost behind distro's back
    const k2 = c.keyOwnedBy('a:1', 'p');
    // c:1 holds a newer version than the owner, e.g. written during a partition.
    c.n('c:1').handle({ kind: 'sync', from: 'x', entries: [{ type: TYPE, key: k2, version: { ts: c.time.now + 5, origin: 'c:1' }, value: enc('newer') }] });
    await c.run(12_000);
    expect(c.value('b:1', key)).toBe('v');
    expect(c.value('a:1', k2)).toBe('newer');
    expect(c.value('b:1', k2)).toBe('newer');
  });

  it('deletes replicate as tombstones; purged deletions are dropped from stale peers only once membership is stable', async () => {
    const c = new Cluster(ADDRS, { tombstoneTtlMs: 20_000, membershipSettleMs: 10_000 });
    c.bootAll();
    await c.run(100);
    const key = c.keyOwnedBy('a:1');
    c.n('a:1').put(TYPE, key, enc('v'));
    await c.run(2000);
    c.net.cut('a:1', 'c:1');
    c.n('a:1').remove(TYPE, key);
    await c.run(2000);
    expect(c.value('b:1', key)).toBeUndefined();
    expect(c.value('c:1', key)).toBe('v');
    await c.run(30_000); // tombstone purged on a:1 and b:1
    expect(c.nodes.get('a:1')!.storage.get(TYPE, key)).toBeUndefined();
    // Membership flaps on c:1 just before the link heals: no deletes while it settles.
    c.nodes.get('c:1')!.membership.setState('b:1', 'SUSPICIOUS');
    c.nodes.get('c:1')!.membership.setState('b:1', 'DOWN');
    c.nodes.get('c:1')!.membership.setState('b:1', 'UP');
    c.net.restore('a:1', 'c:1');
    await c.run(6000);
    expect(c.value('c:1', key)).toBe('v');
    await c.run(10_000);
    expect(c.value('c:1', key)).toBeUndefined();
    expect(c.nodes.get('c:1')!.changes.at(-1)!.reason).toBe('drop');
    expect(c.n('c:1').stats().droppedKeys).toBe(1);
  });

  it('moves ownership when a member goes down and back, and reports gained and lost keys', async () => {
    const c = new Cluster(ADDRS);
    c.bootAll();
    await c.run(100);
    const key = c.keyOwnedBy('c:1');
    c.n('c:1').put(TYPE, key, enc('v'));
    await c.run(2000);
    const events: OwnershipChange[] = [];
    for (const a of ['a:1', 'b:1']) c.n(a).onOwnershipChange((e) => events.push(e));
    for (const a of ['a:1', 'b:1']) c.nodes.get(a)!.membership.setState('c:1', 'DOWN');
    const newOwner = ['a:1', 'b:1'].find((a) => c.n(a).isResponsible(key))!;
    expect(newOwner).toBeDefined();
    expect(events).toEqual([{ gained: [{ type: TYPE, key }], lost: [], healthy: ['a:1', 'b:1'] }]);
    c.n(newOwner).put(TYPE, key, enc('v2'));
    for (const a of ['a:1', 'b:1']) c.nodes.get(a)!.membership.setState('c:1', 'UP');
    expect(events.at(-1)).toEqual({ gained: [], lost: [{ type: TYPE, key }], healthy: ADDRS });
    await c.run(8000);
    for (const a of ADDRS) expect(c.value(a, key)).toBe('v2');
  });

  it('maps keys to owners through routingKeyOf, so the namespace does not move a service', async () => {
    const time = new VirtualTime();
    const net = new InMemoryNetwork();
    const membership = new StaticMembership(ADDRS.map((a): Member => ({ address: a, state: 'UP' })));
    const node = new DistroNode({
      self: 'a:1',
      transport: net.transportFor('a:1'),
      membership,
      clock: time.clock(),
      routingKeyOf: (_type, key) => key.slice(key.indexOf('##') + 2),
    });
    expect(node.ownerOf('DEFAULT_GROUP@@demo')).toBe('b:1');
    expect(node.isResponsibleFor(TYPE, 'public##DEFAULT_GROUP@@demo')).toBe(false);
    expect(node.isResponsibleFor(TYPE, 'dev##DEFAULT_GROUP@@demo')).toBe(false);
    const mine = ['x', 'y', 'z', 'w', 'v'].map((s) => `ns##${s}`).find((k) => node.isResponsibleFor(TYPE, k));
    expect(node.isResponsible(mine!.slice(4))).toBe(true);
  });

  it('rejects a checksum whose batch names another sender', async () => {
    const c = new Cluster(ADDRS);
    c.bootAll();
    await c.run(100);
    const batch = { from: 'c:1', viewDigest: '', authoritative: true, purgeHorizon: 0, entries: [], batchDigest: '' };
    expect(() => c.n('a:1').handle({ kind: 'checksum', from: 'b:1', batch })).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });

  it('stop rejects whenReady waiters and ignores late replies', async () => {
    const c = new Cluster(ADDRS);
    c.bootAll();
    await c.run(100);
    c.net.isolate('c:1');
    const restarted = c.boot('c:1').node;
    const waiting = restarted.whenReady();
    restarted.stop();
    await expect(waiting).rejects.toMatchObject({ code: 'STOPPED' });
    expect(() => restarted.handle({ kind: 'snapshot', from: 'a:1' })).toThrow(expect.objectContaining({ code: 'STOPPED' }));
    await c.run(60_000);
    expect(restarted.readiness()).toEqual({ ready: false, reason: 'stopped' });
  });
});
