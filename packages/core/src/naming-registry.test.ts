import { gunzipSync } from 'node:zlib';
import { FakeClock } from './clock';
import type { ListRequest } from './naming-registry';
import { isPushCapable, NamingRegistry, wantsGroupedNames } from './naming-registry';
import { instanceWrite } from './testing/instance-write';
import { type RaftRegistry, startRaftRegistry } from './testing/raft-registry';

const SVC = 'DEFAULT_GROUP@@order';
const JAVA = 'Nacos-Java-Client:v1.0.0';

const write = instanceWrite;

function listReq(over: Partial<ListRequest> = {}): ListRequest {
  return {
    namespaceId: 'public',
    serviceName: SVC,
    clusters: '',
    healthyOnly: false,
    userAgent: JAVA,
    clientIP: '',
    udpPort: 0,
    app: '',
    env: '',
    ...over,
  };
}

interface ListBody {
  hosts: Array<{ ip: string; port: number; healthy: boolean; valid: boolean; serviceName: string; clusterName: string; enabled: boolean }>;
  name: string;
  dom: string;
  clusters: string;
  cacheMillis: number;
  lastRefTime: number;
  checksum: string;
  reachProtectionThreshold: boolean;
  reachProtectThreshold: boolean;
}

let clock: FakeClock;
let rr: RaftRegistry;
let registry: NamingRegistry;

function list(over: Partial<ListRequest> = {}): ListBody {
  return JSON.parse(registry.listInstances(listReq(over))) as ListBody;
}

beforeEach(async () => {
  clock = new FakeClock();
  rr = await startRaftRegistry({ clock });
  registry = rr.registry;
});

afterEach(async () => {
  await rr.stop();
});

describe('user agents', () => {
  it('groups names only for Java clients >= 1.0.0 and pushes to known clients', () => {
    expect(wantsGroupedNames('Nacos-Java-Client:v1.0.0')).toBe(true);
    expect(wantsGroupedNames('Nacos-Java-Client:v0.9.0')).toBe(false);
    expect(wantsGroupedNames('curl/8')).toBe(false);
    expect(isPushCapable('Nacos-Java-Client:v1.0.0')).toBe(true);
    expect(isPushCapable('Nacos-Go-Client:v1.0.0')).toBe(true);
    expect(isPushCapable('curl/8')).toBe(false);
  });
});

describe('instance/list', () => {
  it('answers the minimal body with empty hosts for an unknown service', () => {
    expect(registry.listInstances(listReq({ clusters: 'A' }))).toBe(
      '{"name":"DEFAULT_GROUP@@order","clusters":"A","cacheMillis":3000,"hosts":[]}',
    );
  });

  it('lists registered instances with Nacos fields, grouped names for Java clients', async () => {
    await registry.registerInstance(write({ metadata: { k: 'v' } }));
    const body = list();
    expect(body.name).toBe(SVC);
    expect(body.dom).toBe(SVC);
    expect(body.hosts).toHaveLength(1);
    expect(body.hosts[0]).toMatchObject({
      ip: '10.0.0.5',
      port: 8080,
      healthy: true,
      valid: true,
      instanceId: '10.0.0.5#8080#DEFAULT#DEFAULT_GROUP@@order',
      serviceName: SVC,
      metadata: { k: 'v' },
      instanceHeartBeatInterval: 5000,
      instanceHeartBeatTimeOut: 15000,
      ipDeleteTimeout: 30000,
    });
    expect(body.hosts[0]).not.toHaveProperty('instanceIdGenerator');
    expect(body.checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(body.lastRefTime).toBe(clock.wallNow());
    const curl = list({ userAgent: 'curl/8' });
    expect(curl.name).toBe(SVC);
    expect(curl.dom).toBe('order');
    expect(curl.hosts[0]?.serviceName).toBe('order');
  });

  it('filters clusters and echoes the clusters string', async () => {
    await registry.registerInstance(write({ clusterName: 'A' }));
    await registry.registerInstance(write({ ip: '10.0.0.6', clusterName: 'B' }));
    expect(list({ clusters: 'A' }).hosts.map((h) => h.clusterName)).toEqual(['A']);
    expect(list({ clusters: 'A,B' }).clusters).toBe('A,B');
    expect(list({ clusters: 'A,B' }).hosts).toHaveLength(2);
    expect(list({ clusters: 'C' }).hosts).toHaveLength(0);
  });

  it('leaves out disabled instances, and unhealthy ones with healthyOnly', async () => {
    await registry.registerInstance(write({ ip: '10.0.0.1' }));
    await registry.registerInstance(write({ ip: '10.0.0.2', enabled: false }));
    await registry.registerInstance(write({ ip: '10.0.0.3', healthy: false }));
    expect(list().hosts.map((h) => h.ip)).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(list({ healthyOnly: true }).hosts.map((h) => h.ip)).toEqual(['10.0.0.1']);
  });

  it('applies the protect threshold and says so', async () => {
    await registry.registerInstance(write({ ip: '10.0.0.1', healthy: false }));
    await registry.registerInstance(write({ ip: '10.0.0.2', healthy: false }));
    let body = list({ healthyOnly: true });
    expect(body.reachProtectionThreshold).toBe(true);
    expect(body.reachProtectThreshold).toBe(true);
    expect(body.hosts.map((h) => h.healthy)).toEqual([true, true]);
    await registry.registerInstance(write({ ip: '10.0.0.3' }));
    body = list();
    expect(body.reachProtectionThreshold).toBe(false);
    expect(body.hosts.map((h) => h.healthy)).toEqual([false, false, true]);
    await registry.updateService({ namespaceId: 'public', serviceName: SVC, protectThreshold: 0.5, metadata: {}, selector: { type: 'none' } });
    expect(list().reachProtectThreshold).toBe(true); // 1/3 <= 0.5
    await registry.updateService({ namespaceId: 'public', serviceName: SVC, protectThreshold: -1, metadata: {}, selector: { type: 'none' } });
    await registry.patchInstance({ namespaceId: 'public', serviceName: SVC, ip: '10.0.0.3', port: 8080, clusterName: 'DEFAULT', healthy: false });
    expect(list().reachProtectThreshold).toBe(false); // negative disables
  });

  it('registers an ephemeral instance synchronously, with the same checks as registerInstance', () => {
    registry.registerEphemeralInstance(write({ ip: '10.0.5.1' }));
    expect(list().hosts.map((h) => h.ip)).toEqual(['10.0.5.1']);
    expect(() => registry.registerEphemeralInstance(write({ ip: 'not an ip' }))).toThrow(/ip/i);
    expect(() => registry.registerEphemeralInstance(write({ port: 70000 }))).toThrow(/port/);
  });

  it('caches the body per version and splices lastRefTime', async () => {
    await registry.registerInstance(write());
    const a = registry.listInstances(listReq());
    clock.advance(7);
    const b = registry.listInstances(listReq());
    expect(b.replace(/"lastRefTime":\d+/, '')).toBe(a.replace(/"lastRefTime":\d+/, ''));
    expect((JSON.parse(b) as ListBody).lastRefTime - (JSON.parse(a) as ListBody).lastRefTime).toBe(7);
    const before = (JSON.parse(a) as ListBody).checksum;
    await registry.registerInstance(write({ ip: '10.0.0.9' }));
    expect(list().checksum).not.toBe(before);
  });

  it('gives the same body gzip-compressed to clients that accept it, from 1 KB, with a fresh lastRefTime', async () => {
    await registry.registerInstance(write());
    // One instance: under LIST_GZIP_MIN_BYTES, sent plain even when gzip is accepted.
    expect(registry.listAnswer(listReq(), true).gzip).toBeUndefined();
    for (let i = 1; i <= 30; i++) await registry.registerInstance(write({ ip: `10.0.1.${i}` }));
    const first = registry.listAnswer(listReq(), true);
    expect(first.gzip).toBeDefined();
    expect(gunzipSync(first.gzip!).toString()).toBe(first.body);
    expect(first.gzip!.length * 4).toBeLessThan(first.body.length);
    clock.advance(5);
    const second = registry.listAnswer(listReq(), true);
    const text = gunzipSync(second.gzip!).toString();
    expect(text).toBe(second.body);
    expect((JSON.parse(text) as ListBody).lastRefTime - (JSON.parse(first.body) as ListBody).lastRefTime).toBe(5);
    // Not accepted: text only. A change: the gzip follows the new version.
    expect(registry.listAnswer(listReq(), false).gzip).toBeUndefined();
    await registry.registerInstance(write({ ip: '10.0.2.1' }));
    expect((JSON.parse(gunzipSync(registry.listAnswer(listReq(), true).gzip!).toString()) as ListBody).hosts).toHaveLength(32);
  });

  it('answers cacheMillis 10000 to push clients and records them as subscribers', async () => {
    await registry.registerInstance(write());
    expect(list().cacheMillis).toBe(3000);
    const body = list({ udpPort: 5555, clientIP: '', remoteAddress: '127.0.0.1', clusters: 'DEFAULT' });
    expect(body.cacheMillis).toBe(10000);
    expect(list({ udpPort: 5555, userAgent: 'curl/8' }).cacheMillis).toBe(3000);
    const subs = registry.listSubscribers('public', SVC, 1, 10);
    expect(subs.count).toBe(1);
    expect(subs.subscribers[0]).toMatchObject({ addrStr: '127.0.0.1:5555', ip: '127.0.0.1', port: 5555, cluster: 'DEFAULT' });
    // Live for pushCacheMillis + 2 s after the last poll.
    clock.advance(12_000);
    expect(registry.listSubscribers('public', SVC, 1, 10).count).toBe(1);
    clock.advance(1);
    expect(registry.listSubscribers('public', SVC, 1, 10).count).toBe(0);
  });
});

describe('hooks for push and health checks', () => {
  it('renders push bodies with the push cache time and records no subscriber', async () => {
    await registry.registerInstance(write({ healthy: false }));
    await registry.registerInstance(write({ ip: '10.0.0.6' }));
    const body = JSON.parse(registry.renderPushBody('public', SVC, 'DEFAULT', JAVA)) as ListBody;
    expect(body).toMatchObject({ name: SVC, clusters: 'DEFAULT', cacheMillis: 10000 });
    expect(body.hosts.map((h) => h.healthy)).toEqual([false, true]);
    expect(registry.subscribers.size).toBe(0);
  });

  it('sets health for checkers, leaving marked instances alone', async () => {
    await registry.registerInstance(write({ ephemeral: false }));
    const ref = { namespaceId: 'public', serviceName: SVC, ip: '10.0.0.5', port: 8080, clusterName: 'DEFAULT' };
    expect(registry.setInstanceHealth(ref, false, false)).toBe(true);
    expect(registry.setInstanceHealth(ref, false, false)).toBe(false);
    expect(registry.setInstanceHealth(ref, true, true)).toBe(false);
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_false']);
    const inst = registry.state.getService('public', SVC)?.persistent.values().next().value;
    if (inst) inst.marked = true;
    expect(registry.setInstanceHealth(ref, false, true)).toBe(false);
  });
});

describe('register, update, patch, deregister', () => {
  it('keeps the health and id of an existing instance on re-register', async () => {
    await registry.registerInstance(write());
    clock.advance(15_001);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_false']);
    await registry.registerInstance(write({ weight: 3, healthy: true }));
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_false']);
    expect((list().hosts[0] as unknown as { weight: number }).weight).toBe(3);
  });

  it('clamps tiny weights and validates fields', async () => {
    await registry.registerInstance(write({ weight: 0.001 }));
    expect((list().hosts[0] as unknown as { weight: number }).weight).toBe(0.01);
    await expect(registry.registerInstance(write({ clusterName: 'bad_name' }))).rejects.toThrow('cluster name can only have');
    await expect(registry.registerInstance(write({ port: 65536 }))).rejects.toThrow("Param 'port' is illegal");
    await expect(registry.registerInstance(write({ serviceName: 'DEFAULT_GROUP@@a b' }))).rejects.toThrow('dom name');
  });

  it('PUT requires an existing instance for Java clients only', async () => {
    await expect(registry.updateInstance(write(), true)).rejects.toThrow('service not found, namespace: public, service: DEFAULT_GROUP@@order');
    await registry.registerInstance(write());
    await expect(registry.updateInstance(write({ ip: '10.0.0.7' }), true)).rejects.toThrow('instance not exist: Instance{');
    await registry.updateInstance(write({ ip: '10.0.0.7' }), false);
    expect(list().hosts).toHaveLength(2);
  });

  it('PATCH merges given fields and refuses unknown instances', async () => {
    await registry.registerInstance(write({ metadata: { a: '1' }, weight: 2 }));
    await registry.patchInstance({ namespaceId: 'public', serviceName: SVC, ip: '10.0.0.5', port: 8080, clusterName: 'DEFAULT', enabled: false });
    expect(registry.getInstance({ namespaceId: 'public', serviceName: SVC, ip: '10.0.0.5', port: 8080, clusterName: 'DEFAULT' })).toMatchObject({
      weight: 2,
      metadata: { a: '1' },
    });
    expect(list().hosts).toHaveLength(0);
    await expect(
      registry.patchInstance({ namespaceId: 'public', serviceName: SVC, ip: '1.1.1.1', port: 1, clusterName: 'DEFAULT' }),
    ).rejects.toThrow('instance not found');
  });

  it('deregisters both kinds; missing ones are fine', async () => {
    await registry.registerInstance(write());
    await registry.registerInstance(write({ ip: '10.0.0.6', ephemeral: false }));
    const ref = { namespaceId: 'public', serviceName: SVC, port: 8080, clusterName: 'DEFAULT' };
    await registry.deregisterInstance({ ...ref, ip: '10.0.0.6' }, true); // wrong kind: nothing
    expect(list().hosts).toHaveLength(2);
    await registry.deregisterInstance({ ...ref, ip: '10.0.0.6' }, false);
    await registry.deregisterInstance({ ...ref, ip: '10.0.0.5' }, true);
    await registry.deregisterInstance({ ...ref, ip: '10.0.0.5', serviceName: 'G@@none' }, true);
    expect(list().hosts).toHaveLength(0);
  });

  it('GET /instance 404s with Nacos texts', async () => {
    const ref = { namespaceId: 'public', serviceName: SVC, ip: '10.0.0.5', port: 8080, clusterName: 'DEFAULT' };
    expect(() => registry.getInstance(ref)).toThrow('no service DEFAULT_GROUP@@order found!');
    await registry.registerInstance(write({ clusterName: 'A' }));
    expect(() => registry.getInstance(ref)).toThrow('no ips found for cluster DEFAULT in service DEFAULT_GROUP@@order');
    expect(() => registry.getInstance({ ...ref, clusterName: 'A', port: 1 })).toThrow('no matched ip found!');
    expect(registry.getInstance({ ...ref, clusterName: 'A' })).toMatchObject({ service: SVC, ip: '10.0.0.5', healthy: true });
  });

  it('keeps namespaces apart without validating them, and keeps ids on update', async () => {
    await registry.registerInstance(write({ namespaceId: 'any thing' }));
    await registry.registerInstance(write({ ip: '10.0.0.6' }));
    expect(registry.statuses(`any thing##${SVC}`).ips).toEqual(['10.0.0.5:8080_true']);
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.6:8080_true']);
    const md = { 'preserved.instance.id.generator': 'snowflake' };
    await registry.registerInstance(write({ ip: '10.0.0.7', metadata: md }));
    await registry.registerInstance(write({ ip: '10.0.0.7', metadata: { ...md, k: 'v' }, weight: 2 }));
    const ref = { namespaceId: 'public', serviceName: SVC, ip: '10.0.0.7', port: 8080, clusterName: 'DEFAULT' };
    expect(registry.getInstance(ref)).toMatchObject({ instanceId: '0', weight: 2 });
  });

  it('uses snowflake ids when asked', async () => {
    const md = { 'preserved.instance.id.generator': 'snowflake' };
    await registry.registerInstance(write({ metadata: md }));
    await registry.registerInstance(write({ ip: '10.0.0.6', metadata: md }));
    expect(list().hosts.map((h) => (h as unknown as { instanceId: string }).instanceId)).toEqual(['0', '1']);
  });
});

describe('beats and expiry (fake clock)', () => {
  const beatReq = { namespaceId: 'public', serviceName: SVC, clusterName: 'DEFAULT', ip: '10.0.0.5', port: 8080 };

  it('answers 20404 to a light beat for an unknown instance', () => {
    expect(registry.beat(beatReq)).toEqual({ clientBeatInterval: 5000, code: 20404 });
  });

  it('re-registers from a full beat, with the beat winning over query params', () => {
    const result = registry.beat({
      ...beatReq,
      ip: '',
      port: 0,
      beat: { ip: '127.0.0.9', port: 1234, cluster: 'C1', weight: 2, metadata: { k: 'v' } },
    });
    expect(result).toEqual({ clientBeatInterval: 5000, code: 10200, lightBeatEnabled: true });
    const host = list().hosts[0] as unknown as Record<string, unknown>;
    expect(host).toMatchObject({ ip: '127.0.0.9', port: 1234, clusterName: 'C1', weight: 2, metadata: { k: 'v' }, healthy: true });
  });

  it('turns silent instances unhealthy after 15 s and removes them after 30 s', async () => {
    await registry.registerInstance(write());
    clock.advance(15_000);
    registry.tick();
    expect(list().hosts[0]?.healthy).toBe(true); // exactly 15 s is not "more than"
    clock.advance(1);
    registry.tick();
    expect(list({ healthyOnly: false }).hosts[0]?.healthy).toBe(true); // protection: all unhealthy → shown healthy
    expect(list().reachProtectThreshold).toBe(true);
    expect(registry.statuses(`public##${SVC}`).ips).toEqual(['10.0.0.5:8080_false']);
    clock.advance(14_999);
    registry.tick();
    expect(list().hosts).toHaveLength(1);
    clock.advance(1);
    registry.tick();
    expect(list().hosts).toHaveLength(0);
    expect(registry.state.instanceCount).toBe(0);
    expect(registry.state.expiry.size).toBe(0);
  });

  it('renews leases on beats and flips unhealthy instances back', async () => {
    await registry.registerInstance(write());
    clock.advance(10_000);
    expect(registry.beat(beatReq).code).toBe(10200);
    clock.advance(10_000);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_true']);
    clock.advance(6_000);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_false']);
    registry.beat(beatReq);
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_true']);
    clock.advance(29_000);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_false']);
    clock.advance(2_000);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual([]);
  });

  it('honours preserved.* overrides and answers the custom interval', async () => {
    await registry.registerInstance(
      write({
        metadata: {
          'preserved.heart.beat.interval': '1000',
          'preserved.heart.beat.timeout': '3000',
          'preserved.ip.delete.timeout': '6000',
        },
      }),
    );
    expect(registry.beat(beatReq).clientBeatInterval).toBe(1000);
    clock.advance(3_001);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_false']);
    clock.advance(3_000);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual([]);
  });

  it('removes directly when the delete timeout is shorter than the heart-beat timeout', async () => {
    await registry.registerInstance(write({ metadata: { 'preserved.ip.delete.timeout': '2000' } }));
    clock.advance(2_001);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual([]);
  });

  it('leaves marked instances alone and does nothing with the health-check switch off', async () => {
    await registry.registerInstance(write());
    const inst = registry.state.getService('public', SVC)?.ephemeral.values().next().value;
    if (!inst) throw new Error('missing');
    inst.marked = true;
    clock.advance(40_000);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_true']);
    inst.marked = false;
    await registry.updateSwitch('check', 'false', false);
    const deadline = inst.deadline;
    clock.advance(40_000);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_true']);
    // Switched off, the expiry heap is left alone (no re-queueing of every instance).
    expect(inst.deadline).toBe(deadline);
    await registry.updateSwitch('check', 'true', false);
    // Back on, an instance silent past its delete timeout goes at the next tick.
    clock.advance(1);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual([]);
  });

  it('never expires persistent instances', async () => {
    await registry.registerInstance(write({ ephemeral: false }));
    clock.advance(100_000);
    registry.tick();
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_true']);
  });

  it('tells listeners about changes', async () => {
    const seen: string[] = [];
    const off = registry.onServiceChanged((ns, name) => seen.push(`${ns}/${name}`));
    await registry.registerInstance(write());
    clock.advance(15_001);
    registry.tick();
    off();
    await registry.registerInstance(write({ ip: '10.0.0.6' }));
    expect(seen).toEqual([`public/${SVC}`, `public/${SVC}`]);
  });
});

describe('statuses and metadata batch', () => {
  it('404s for unknown services', () => {
    expect(() => registry.statuses('public##G@@x')).toThrow('service: G@@x not found.');
  });

  it('merges and removes metadata keys on selected instances', async () => {
    await registry.registerInstance(write({ metadata: { a: '1' } }));
    await registry.registerInstance(write({ ip: '10.0.0.6', ephemeral: false }));
    const put = await registry.batchMetadata('public', SVC, { b: '2' }, false, { consistencyType: 'persist' });
    expect(put.updated).toEqual(['10.0.0.6:8080:unknown:DEFAULT:false']);
    const all = await registry.batchMetadata('public', SVC, { c: '3' }, false, {});
    expect(all.updated).toHaveLength(2);
    await registry.batchMetadata('public', SVC, { a: '' }, true, {
      instances: [{ ip: '10.0.0.5', port: 8080, clusterName: 'DEFAULT', ephemeral: true }],
    });
    const hosts = list().hosts as unknown as Array<{ ip: string; metadata: Record<string, string> }>;
    expect(hosts.find((h) => h.ip === '10.0.0.5')?.metadata).toEqual({ c: '3' });
    expect(hosts.find((h) => h.ip === '10.0.0.6')?.metadata).toEqual({ b: '2', c: '3' });
    await expect(registry.batchMetadata('public', 'G@@none', {}, false, {})).rejects.toThrow('service not found');
  });

  it('changes nothing when Raft refuses the persistent part', async () => {
    await registry.registerInstance(write({ metadata: { a: '1' } }));
    await registry.registerInstance(write({ ip: '10.0.0.6', ephemeral: false }));
    registry.setProposer({ propose: () => Promise.reject(Object.assign(new Error('no leader'), { code: 'NOT_LEADER' })) });
    await expect(registry.batchMetadata('public', SVC, { b: '2' }, false, {})).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect((list().hosts as unknown as Array<{ metadata: Record<string, string> }>).map((h) => h.metadata)).toEqual([{ a: '1' }, {}]);
  });
});

describe('services, clusters, health, catalog', () => {
  const svc = { namespaceId: 'public', serviceName: SVC, protectThreshold: 0.3, metadata: { m: '1' }, selector: { type: 'none' as const } };

  it('creates, reads, updates, lists and removes services', async () => {
    await registry.createService(svc);
    await expect(registry.createService(svc)).rejects.toThrow('specified service already exists, serviceName : DEFAULT_GROUP@@order');
    expect(registry.getService('public', SVC)).toMatchObject({ name: 'order', groupName: 'DEFAULT_GROUP', protectThreshold: 0.3, metadata: { m: '1' } });
    await registry.updateService({ ...svc, protectThreshold: 0.5, metadata: {} });
    expect(registry.getService('public', SVC)).toMatchObject({ protectThreshold: 0.5, metadata: {} });
    await expect(registry.updateService({ ...svc, serviceName: 'G@@x' })).rejects.toThrow('service G@@x not found!');
    await registry.createService({ ...svc, serviceName: 'G1@@pay' });
    expect(registry.listServices('public', 'DEFAULT_GROUP', 1, 10)).toEqual({ count: 1, doms: ['order'] });
    expect(registry.listServices('public', '*', 1, 1)).toEqual({ count: 2, doms: ['order'] });
    expect(registry.listServices('public', '*', 2, 1)).toEqual({ count: 2, doms: ['pay'] });
    expect(registry.serviceNames('', '')).toEqual({ services: { public: ['order', 'pay'] }, count: 1 });
    expect(registry.serviceNames('public', 'pa')).toEqual({ services: { public: ['pay'] }, count: 1 });
    await registry.registerInstance(write());
    await registry.removeService('public', SVC);
    expect(() => registry.getService('public', SVC)).toThrow('service DEFAULT_GROUP@@order is not found!');
    expect(registry.state.instanceCount).toBe(0);
    await expect(registry.removeService('public', SVC)).rejects.toThrow('specified service not exist, serviceName : DEFAULT_GROUP@@order');
  });

  it('updates clusters and allows manual health only with the NONE checker', async () => {
    await registry.registerInstance(write());
    const ref = { namespaceId: 'public', serviceName: SVC, ip: '10.0.0.5', port: 8080, clusterName: 'DEFAULT' };
    expect(() => registry.updateHealth(ref, false)).toThrow('health check is still working, service: DEFAULT_GROUP@@order');
    await registry.updateCluster({
      namespaceId: 'public',
      serviceName: SVC,
      clusterName: 'DEFAULT',
      checkPort: 81,
      useInstancePort4Check: false,
      healthChecker: { type: 'NONE' },
      metadata: { c: '1' },
    });
    registry.updateHealth(ref, false);
    expect(registry.statuses(SVC).ips).toEqual(['10.0.0.5:8080_false']);
    expect(registry.catalogService('public', SVC)).toMatchObject({
      service: { name: 'order', groupName: 'DEFAULT_GROUP' },
      clusters: [{ name: 'DEFAULT', healthChecker: { type: 'NONE' }, defaultCheckPort: 81, useIPPort4Check: false, metadata: { c: '1' } }],
    });
    await expect(
      registry.updateCluster({ namespaceId: 'public', serviceName: 'G@@x', clusterName: 'A', checkPort: 1, useInstancePort4Check: true, healthChecker: { type: 'TCP' }, metadata: {} }),
    ).rejects.toThrow('service not found:G@@x');
  });

  it('lists the catalog with filters', async () => {
    await registry.registerInstance(write());
    await registry.registerInstance(write({ serviceName: 'G1@@pay', ip: '10.0.0.7', healthy: false }));
    await registry.createService({ ...svc, serviceName: 'G1@@empty' });
    const q = { namespaceId: 'public', pageNo: 1, pageSize: 10, serviceNameParam: '', groupNameParam: '', instance: '', hasIpCount: false };
    expect(registry.catalogServices(q).count).toBe(3);
    expect(registry.catalogServices({ ...q, hasIpCount: true }).count).toBe(2);
    expect(registry.catalogServices({ ...q, groupNameParam: 'G1', hasIpCount: true }).serviceList).toEqual([
      { name: 'pay', groupName: 'G1', clusterCount: 1, ipCount: 1, healthyInstanceCount: 0, triggerFlag: 'true' },
    ]);
    expect(registry.catalogServices({ ...q, instance: '10.0.0.5:8080' }).serviceList.map((s) => s.name)).toEqual(['order']);
    expect(registry.catalogServicesWithInstances({ ...q, serviceNameParam: 'ord' })).toEqual([
      {
        serviceName: 'order',
        groupName: 'DEFAULT_GROUP',
        clusterMap: { DEFAULT: { hosts: [{ ip: '10.0.0.5', port: 8080, valid: true, weight: 1, enabled: true, metadata: {} }] } },
        metadata: {},
      },
    ]);
    const inst = registry.catalogInstances('public', SVC, 'DEFAULT', 1, 10);
    expect(inst.count).toBe(1);
    expect(inst.list[0]).toMatchObject({ ip: '10.0.0.5', lastBeat: clock.wallNow(), marked: false, app: 'DEFAULT' });
    expect(() => registry.catalogInstances('public', SVC, 'X', 1, 10)).toThrow('cluster X is not found!');
    expect(() => registry.catalogInstances('public', 'G@@x', 'X', 1, 10)).toThrow('service G@@x is not found!');
  });
});

describe('namespaces and switches', () => {
  it('creates, updates and deletes namespaces with 400s for refusals', async () => {
    expect(registry.listNamespaces()).toEqual([{ namespace: '', namespaceShowName: 'public', quota: 200, configCount: 0, type: 0 }]);
    expect(await registry.createNamespace('dev', 'Dev', 'd')).toBe('dev');
    const generated = await registry.createNamespace('', 'Gen', '');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await expect(registry.createNamespace('dev', 'Dev', '')).rejects.toThrow('namespace dev already exists');
    await expect(registry.createNamespace('a b', 'x', '')).rejects.toThrow("Param 'customNamespaceId' is illegal");
    await expect(registry.createNamespace('public', 'x', '')).rejects.toThrow('already exists');
    expect(registry.getNamespace('dev')).toEqual({ namespace: 'dev', namespaceShowName: 'Dev', quota: 200, configCount: 0, type: 2, namespaceDesc: 'd' });
    await registry.updateNamespace('dev', 'Development', 'x');
    expect(registry.listNamespaces().map((n) => n.namespaceShowName)).toEqual(['public', 'Development', 'Gen']);
    await expect(registry.updateNamespace('nope', 'x', '')).rejects.toThrow('namespace nope does not exist');
    await expect(registry.deleteNamespace('public')).rejects.toThrow('cannot be deleted');
    await registry.deleteNamespace('dev');
    expect(registry.namespaceExists('dev')).toBe(false);
    expect(() => registry.getNamespace('dev')).toThrow('namespace dev is not found');
  });

  it('stores switches through Raft and changes answers', async () => {
    await registry.updateSwitch('defaultCacheMillis', '2000', false);
    expect(registry.switches.defaultCacheMillis).toBe(2000);
    expect(list().cacheMillis).toBe(2000);
    await expect(registry.updateSwitch('nope', '1', false)).rejects.toThrow('unknown switch entry: nope');
    await registry.updateSwitch('overriddenServerStatus', 'DOWN', true);
    expect(registry.metrics().status).toBe('DOWN');
  });

  it('reports metrics', async () => {
    await registry.registerInstance(write());
    expect(registry.metrics()).toMatchObject({ status: 'UP', serviceCount: 1, instanceCount: 1 });
  });
});

describe('without a proposer', () => {
  it('refuses persistent writes with 503 and is not ready', async () => {
    const bare = new NamingRegistry({ clock });
    expect(bare.isReady()).toBe(false);
    await expect(bare.registerInstance(write({ ephemeral: false }))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await bare.registerInstance(write());
    expect(bare.state.instanceCount).toBe(1);
  });
});

describe('memory sharing', () => {
  it('shares equal metadata and derives simple ids without storing them', async () => {
    const md = { 'preserved.heart.beat.timeout': '3600000' };
    await registry.registerInstance(write({ ip: '10.0.0.1', metadata: { ...md } }));
    await registry.registerInstance(write({ ip: '10.0.0.2', metadata: { ...md } }));
    const [a, b] = [...(registry.state.getService('public', SVC)?.ephemeral.values() ?? [])];
    expect(a?.metadata).toBe(b?.metadata);
    expect(Object.isFrozen(a?.metadata)).toBe(true);
    expect(a?.customId).toBeUndefined();
    expect(a?.instanceId).toBe('10.0.0.1#8080#DEFAULT#DEFAULT_GROUP@@order');
    // Changing one instance's metadata leaves the other alone.
    await registry.patchInstance({ namespaceId: 'public', serviceName: SVC, ip: '10.0.0.1', port: 8080, clusterName: 'DEFAULT', metadata: { x: '1' } });
    expect(b?.metadata).toEqual(md);
  });
});
