// The beat tracker alone, in this process: @tacos/core's NamingRegistry with N ephemeral instances,
// beaten directly (no HTTP), with its expiry timer running. Separates "the tracker keeps up" from
// "HTTP on a shared core keeps up".
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { repoPath } from '@tacos/testkit';
import { instanceAddress } from '../peers/tacos';
import { serviceOf } from './beats';

/** The part of @tacos/core's NamingRegistry used here (bench does not depend on core; it loads the build). */
interface CoreRegistry {
  registerInstance(req: Record<string, unknown>): Promise<void>;
  beat(req: { namespaceId: string; serviceName: string; clusterName: string; ip: string; port: number }): { code: number };
  start(): void;
  stop(): void;
  state: { instanceCount: number };
}

/** Figures of the in-process tracker run. */
export interface TrackerResult {
  instances: number;
  /** Beats per second with beats sent as fast as one core runs them (batches of 1,000 per macrotask). */
  maxRate: number;
  /** Paced at N/period per second for the duration: achieved rate and event-loop delay meanwhile. */
  pacedRate: number;
  pacedLoopDelayP99Ms: number;
  pacedLoopDelayMaxMs: number;
  /** Instances that expired during the paced run (should be 0). */
  lost: number;
}

/**
 * Registers `count` instances in a fresh registry, measures the maximum beat rate for `maxMs`, then
 * beats at `count / periodMs` for `pacedMs` (10 ms ticks) under `monitorEventLoopDelay`.
 */
export async function measureTracker(count: number, periodMs: number, maxMs: number, pacedMs: number): Promise<TrackerResult> {
  const core = require(repoPath('packages', 'core', 'dist', 'index.js')) as { NamingRegistry: new (o?: Record<string, unknown>) => CoreRegistry };
  const registry = new core.NamingRegistry({ expiryCheckMs: 500 });
  const beats: Array<{ namespaceId: string; serviceName: string; clusterName: string; ip: string; port: number }> = [];
  for (let n = 0; n < count; n++) {
    const { ip, port } = instanceAddress(n);
    const serviceName = `DEFAULT_GROUP@@${serviceOf(n)}`;
    await registry.registerInstance({
      namespaceId: 'public',
      serviceName,
      ip,
      port,
      clusterName: 'DEFAULT',
      weight: 1,
      enabled: true,
      healthy: true,
      ephemeral: true,
      metadata: {},
      app: 'DEFAULT',
    });
    beats.push({ namespaceId: 'public', serviceName, clusterName: 'DEFAULT', ip, port });
  }
  registry.start();
  try {
    // Max: batches of 1,000 beats per macrotask so the expiry timer still gets its turns.
    let done = 0;
    const maxStart = performance.now();
    await new Promise<void>((resolve) => {
      const batch = () => {
        for (let i = 0; i < 1000; i++) registry.beat(beats[done++ % count]!);
        if (performance.now() - maxStart < maxMs) setImmediate(batch);
        else resolve();
      };
      batch();
    });
    const maxRate = (done * 1000) / (performance.now() - maxStart);

    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const target = (count * 1000) / periodMs;
    let sent = 0;
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (now - start >= pacedMs) {
          resolve();
          return;
        }
        const due = Math.floor(((now - start) * target) / 1000);
        while (sent < due) registry.beat(beats[sent++ % count]!);
        setTimeout(tick, 10);
      };
      tick();
    });
    histogram.disable();
    const pacedRate = (sent * 1000) / (performance.now() - start);
    return {
      instances: count,
      maxRate,
      pacedRate,
      pacedLoopDelayP99Ms: histogram.percentile(99) / 1e6,
      pacedLoopDelayMaxMs: histogram.max / 1e6,
      lost: count - registry.state.instanceCount,
    };
  } finally {
    registry.stop();
  }
}
