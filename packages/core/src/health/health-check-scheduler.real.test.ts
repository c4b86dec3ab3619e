import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  type CheckInstance,
  type ClusterCheckSpec,
  type ClusterRef,
  type HealthCheckHost,
  HealthCheckScheduler,
  type SchedulerTimers,
} from './health-check-scheduler';

/** Real timers running 20x faster, so rounds of 1–5 s take 50–250 ms (probe timeouts stay real). */
const FAST_TIMERS: SchedulerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms / 20),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

function listen(port = 0): Promise<number> {
  const server = net.createServer((sock) => sock.destroy());
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closedPort(): Promise<number> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Clusters of real loopback instances; flips are applied in place. */
function hostOf(clusters: Map<string, CheckInstance[]>): HealthCheckHost & { flips: number } {
  const host = {
    flips: 0,
    clusterSpec(ref: ClusterRef): ClusterCheckSpec | undefined {
      const instances = clusters.get(ref.clusterName);
      if (!instances) return undefined;
      return { healthChecker: { type: 'TCP' }, checkPort: 80, useIPPort4Check: true, instances };
    },
    isEnabled: () => true,
    onHealthChange(ref: ClusterRef, who: { ip: string; port: number }, healthy: boolean) {
      host.flips++;
      const inst = clusters.get(ref.clusterName)?.find((i) => i.port === who.port);
      if (inst) inst.healthy = healthy;
    },
  };
  return host;
}

describe('HealthCheckScheduler (real loopback sockets)', () => {
  jest.setTimeout(30_000);

  it('turns an instance behind a closed port unhealthy, and healthy again once the port opens', async () => {
    const port = await closedPort();
    const inst: CheckInstance = { ip: '127.0.0.1', port, healthy: true, marked: false };
    const host = hostOf(new Map([['DEFAULT', [inst]]]));
    const s = new HealthCheckScheduler({ host, timers: FAST_TIMERS });
    s.watch({ namespaceId: 'public', serviceName: 'DEFAULT_GROUP@@svc', clusterName: 'DEFAULT' });
    s.start();
    try {
      await waitFor('unhealthy', () => !inst.healthy, 5000);
      await listen(port);
      await waitFor('healthy again', () => inst.healthy, 5000);
      expect(host.flips).toBe(2);
    } finally {
      s.stop();
    }
  });

  it('checks 400 targets with bounded concurrency and little event-loop delay', async () => {
    const clusters = new Map<string, CheckInstance[]>();
    const openPorts: number[] = [];
    for (let i = 0; i < 300; i++) openPorts.push(await listen());
    const closedPorts: number[] = [];
    for (let i = 0; i < 100; i++) closedPorts.push(await closedPort());
    const all = [
      ...openPorts.map((port) => ({ ip: '127.0.0.1', port, healthy: true, marked: false })),
      ...closedPorts.map((port) => ({ ip: '127.0.0.1', port, healthy: true, marked: false })),
    ];
    // 40 clusters of 10, open and closed ones mixed.
    for (let c = 0; c < 40; c++) clusters.set(`c${c}`, all.filter((_, i) => i % 40 === c));
    const host = hostOf(clusters);
    const s = new HealthCheckScheduler({ host, timers: FAST_TIMERS, maxConcurrent: 32 });
    for (const name of clusters.keys()) s.watch({ namespaceId: 'public', serviceName: 'DEFAULT_GROUP@@svc', clusterName: name });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    s.start();
    try {
      const closedSet = new Set(closedPorts);
      await waitFor(
        'closed ports unhealthy',
        () => all.every((i) => i.healthy !== closedSet.has(i.port)),
        15_000,
      );
      // A few more rounds for every cluster (intervals ≤ 5000/20 ms).
      const before = s.stats().completed;
      await waitFor('more rounds', () => s.stats().completed >= before + 800, 15_000);
      delay.disable();
      const stats = s.stats();
      const p99 = delay.percentile(99) / 1e6;
      const max = delay.max / 1e6;
      if (process.env.HEALTH_FIGURES) {
        process.stdout.write(`400 targets: ${JSON.stringify(stats)} loop delay p99=${p99.toFixed(1)}ms max=${max.toFixed(1)}ms\n`);
      }
      expect(stats.maxActive).toBeLessThanOrEqual(32);
      expect(stats.maxActive).toBeGreaterThan(1);
      expect(all.filter((i) => i.healthy).length).toBe(300);
      // Loose: a stalled loop would show hundreds of ms; a 2-core shared box needs headroom.
      expect(p99).toBeLessThan(200);
    } finally {
      s.stop();
      delay.disable();
    }
  });
});
