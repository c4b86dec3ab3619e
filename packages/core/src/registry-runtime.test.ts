import * as dgram from 'node:dgram';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { decodeDatagram } from './push';
import type { InstanceWrite } from './naming-registry';
import { RegistryRuntime } from './registry-runtime';
import { instanceWrite } from './testing/instance-write';
import { type RaftRegistry, startRaftRegistry } from './testing/raft-registry';

const SVC = 'DEFAULT_GROUP@@rt';
const JAVA = 'Nacos-Java-Client:v1.0.0';

function write(over: Partial<InstanceWrite> = {}): InstanceWrite {
  // Loopback only: the runtime health-checks persistent instances for real.
  return instanceWrite({ serviceName: SVC, ip: '127.0.0.1', port: 1, ...over });
}

function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

let raft: RaftRegistry;
let runtime: RegistryRuntime;

beforeEach(async () => {
  raft = await startRaftRegistry();
  runtime = new RegistryRuntime({
    registry: raft.registry,
    push: { bindAddress: '127.0.0.1', delayMs: 20, retryMs: 300 },
    // First round after 2 s (random 0), then the adaptive interval.
    health: { random: () => 0 },
  });
  await runtime.start();
});

afterEach(async () => {
  await runtime.close();
  await raft.stop();
});

describe('RegistryRuntime push', () => {
  it('pushes a change to the poll source address, not the claimed clientIP, and counts the ack', async () => {
    const registry = raft.registry;
    const client = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
    const packets: Array<{ type: string; data: string; lastRefTime: number }> = [];
    client.on('message', (msg, rinfo) => {
      const packet = decodeDatagram(msg) as unknown as { type: string; data: string; lastRefTime: number };
      packets.push(packet);
      client.send(JSON.stringify({ type: 'push-ack', lastRefTime: packet.lastRefTime, data: '' }), rinfo.port, rinfo.address);
    });
    try {
      const udpPort = (client.address() as AddressInfo).port;
      // A claimed clientIP nobody listens on (TEST-NET-1); the source address must win.
      registry.listInstances({
        namespaceId: 'public',
        serviceName: SVC,
        clusters: 'DEFAULT',
        healthyOnly: false,
        userAgent: JAVA,
        clientIP: '192.0.2.1',
        udpPort,
        app: '',
        env: '',
        remoteAddress: '::ffff:127.0.0.1',
      });
      expect(registry.listSubscribers('public', SVC, 1, 10).subscribers[0]).toEqual({
        addrStr: `192.0.2.1:${udpPort}`,
        agent: JAVA,
        app: '',
        ip: '192.0.2.1',
        port: udpPort,
        namespaceId: 'public',
        serviceName: SVC,
        cluster: 'DEFAULT',
      });
      await registry.registerInstance(write({ ip: '10.1.1.1', port: 80 }));
      await waitUntil('a push', () => packets.length > 0, 3000);
      const body = JSON.parse(packets[0]!.data) as { name: string; clusters: string; cacheMillis: number; hosts: Array<{ ip: string }> };
      expect(packets[0]!.type).toBe('dom');
      expect(body).toMatchObject({ name: SVC, clusters: 'DEFAULT', cacheMillis: 10000 });
      expect(body.hosts.map((h) => h.ip)).toEqual(['10.1.1.1']);
      await waitUntil('the ack', () => runtime.push.stats().acked === 1, 3000);
      expect(runtime.push.pushState()).toMatchObject({ succeed: 1, total: 1, ratio: 1 });
    } finally {
      client.close();
    }
  });

  it('does not push when the pushEnabled switch is off', async () => {
    const registry = raft.registry;
    const client = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
    let received = 0;
    client.on('message', () => received++);
    try {
      await registry.updateSwitch('pushEnabled', 'false', true);
      registry.listInstances({
        namespaceId: 'public',
        serviceName: SVC,
        clusters: '',
        healthyOnly: false,
        userAgent: JAVA,
        clientIP: '127.0.0.1',
        udpPort: (client.address() as AddressInfo).port,
        app: '',
        env: '',
      });
      await registry.registerInstance(write({ ip: '10.1.1.2', port: 80 }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received).toBe(0);
      expect(runtime.push.stats().total).toBe(0);
    } finally {
      client.close();
    }
  });
});

describe('RegistryRuntime health checks', () => {
  it('turns a persistent instance behind a closed port unhealthy, and healthy once it listens again', async () => {
    const registry = raft.registry;
    await registry.updateSwitch('healthCheckTimes', '1', true);
    let server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const healthy = () => registry.getInstance({ namespaceId: 'public', serviceName: SVC, ip: '127.0.0.1', port, clusterName: 'DEFAULT' }).healthy;
    try {
      await registry.registerInstance(write({ port, ephemeral: false }));
      expect(runtime.healthChecks.isWatching({ namespaceId: 'public', serviceName: SVC, clusterName: 'DEFAULT' })).toBe(true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Refused connect = FAIL_NOW: unhealthy at the first round (2 s).
      await waitUntil('unhealthy', () => healthy() === false, 6000);
      server = createServer();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
      await waitUntil('healthy again', () => healthy() === true, 8000);
      expect(runtime.healthChecks.rtStats({ namespaceId: 'public', serviceName: SVC, clusterName: 'DEFAULT' })?.checkRtLast).toBeGreaterThanOrEqual(0);
    } finally {
      server.close();
    }
  }, 20_000);

  it('leaves NONE clusters to PUT /health and ignores ephemeral-only services', async () => {
    const registry = raft.registry;
    await registry.registerInstance(write({ ip: '10.1.1.3', port: 80 }));
    expect(runtime.healthChecks.stats().clusters).toBe(0);
    await registry.registerInstance(write({ serviceName: 'DEFAULT_GROUP@@none', ip: '127.0.0.1', port: 9, ephemeral: false }));
    await registry.updateCluster({
      namespaceId: 'public',
      serviceName: 'DEFAULT_GROUP@@none',
      clusterName: 'DEFAULT',
      checkPort: 80,
      useInstancePort4Check: true,
      healthChecker: { type: 'NONE' },
      metadata: {},
    });
    const ref = { namespaceId: 'public', serviceName: 'DEFAULT_GROUP@@none', ip: '127.0.0.1', port: 9, clusterName: 'DEFAULT' };
    registry.updateHealth(ref, false);
    expect(registry.getInstance(ref).healthy).toBe(false);
    registry.updateHealth(ref, true);
    expect(registry.getInstance(ref).healthy).toBe(true);
  });
});

describe('RegistryRuntime in cluster mode', () => {
  const ref = (port: number) => ({ namespaceId: 'public', serviceName: SVC, ip: '127.0.0.1', port, clusterName: 'DEFAULT' });

  it('reports its own flips to onHealthChange, and does not probe what it is not responsible for', async () => {
    const registry = raft.registry;
    await runtime.close();
    const changes: unknown[] = [];
    let responsible = false;
    runtime = new RegistryRuntime({
      registry,
      push: { bindAddress: '127.0.0.1' },
      health: { random: () => 0 },
      isResponsible: () => responsible,
      onHealthChange: (change) => changes.push(change),
    });
    await runtime.start();
    await registry.updateSwitch('healthCheckTimes', '1', true);
    // Nothing listens on a port of a closed server: a refused connect.
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await registry.registerInstance(write({ port, ephemeral: false }));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(runtime.stats().healthChecks.started).toBe(0);
    expect(registry.getInstance(ref(port)).healthy).toBe(true);
    responsible = true;
    await waitUntil('unhealthy', () => registry.getInstance(ref(port)).healthy === false, 6000);
    expect(runtime.stats().healthChecks.started).toBeGreaterThan(0);
    expect(changes).toEqual([{ ...ref(port), healthy: false }]);
  }, 15_000);

  it('lists the checked health of owned services (verdicts only) and applies remote results to TCP/HTTP clusters only', async () => {
    const registry = raft.registry;
    await runtime.close();
    // 7001 answers, 7003 does not (refused: unhealthy at once).
    let responsible = true;
    runtime = new RegistryRuntime({
      registry,
      push: { bindAddress: '127.0.0.1' },
      health: { random: () => 0, probe: async ({ port }) => (port === 7003 ? { status: 'FAIL_NOW', rtMs: 1 } : { status: 'OK', rtMs: 1 }) },
      isResponsible: () => responsible,
    });
    await runtime.start();
    await registry.registerInstance(write({ port: 7001, ephemeral: false }));
    await registry.registerInstance(write({ serviceName: 'DEFAULT_GROUP@@other', port: 7003, ephemeral: false }));
    await registry.registerInstance(write({ serviceName: 'DEFAULT_GROUP@@eph', port: 7004 }));
    // Nothing checked yet: no verdicts to report.
    expect(runtime.checkedInstanceHealth(() => true)).toEqual([]);
    await waitUntil('first round', () => runtime.stats().healthChecks.completed >= 2, 5000);
    expect(runtime.checkedInstanceHealth((_ns, name) => name === SVC)).toEqual([{ ...ref(7001), healthy: true }]);
    expect(runtime.checkedInstanceHealth(() => true)).toEqual([
      { ...ref(7001), healthy: true },
      { ...ref(7003), serviceName: 'DEFAULT_GROUP@@other', healthy: false },
    ]);
    // Not responsible any more: the verdicts go at the next round.
    responsible = false;
    await waitUntil('next round', () => runtime.checkedInstanceHealth((_ns, name) => name === SVC).length === 0, 5000);
    await runtime.close();

    expect(runtime.applyRemoteHealth({ ...ref(7001), healthy: false })).toBe(true);
    expect(registry.getInstance(ref(7001)).healthy).toBe(false);
    expect(runtime.applyRemoteHealth({ ...ref(7001), healthy: false })).toBe(false);
    // Unknown instance, or an ephemeral one: nothing happens.
    expect(runtime.applyRemoteHealth({ ...ref(7999), healthy: false })).toBe(false);
    expect(runtime.applyRemoteHealth({ ...ref(7004), serviceName: 'DEFAULT_GROUP@@eph', healthy: false })).toBe(false);

    await registry.updateCluster({
      namespaceId: 'public',
      serviceName: SVC,
      clusterName: 'DEFAULT',
      checkPort: 80,
      useInstancePort4Check: true,
      healthChecker: { type: 'NONE' },
      metadata: {},
    });
    // Manual health (NONE) is not the checker's business.
    expect(runtime.applyRemoteHealth({ ...ref(7001), healthy: true })).toBe(false);
    expect(runtime.checkedInstanceHealth((_ns, name) => name === SVC)).toEqual([]);
  }, 15_000);
});
