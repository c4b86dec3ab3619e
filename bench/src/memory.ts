import { performance } from 'node:perf_hooks';
import { runClosedLoop } from './loop';
import { instanceAddress, startTacosServers, TacosConnection } from './peers/tacos';
import type { ProcessGroup } from './procs';
import { rssBytes } from './procs';
import type { MemoryPoint } from './report';

/** Result of the memory phase. */
export interface MemoryResult {
  baselineRss?: number;
  points: MemoryPoint[];
  /** How many of the first service's instances were still listed at the end (expiry check). */
  oldestServiceListed?: number;
  note?: string;
}

const PER_SERVICE = 100;
const CONNECTIONS = 64;
/**
 * Nacos's per-instance overrides of the beat and delete timeouts (one hour), so that instances
 * registered early are still there when RSS is read a few minutes later without the benchmark
 * having to beat a million instances. The two metadata entries make the figure slightly pessimistic.
 */
const KEEP_METADATA = JSON.stringify({
  'preserved.heart.beat.timeout': '3600000',
  'preserved.ip.delete.timeout': '3600000',
});

/**
 * Starts a fresh standalone Tacos (pinned to `cpu`), registers ephemeral instances over 64
 * connections, 100 per service, and reads the server's VmRSS each time the count reaches a target.
 * Bounded by `timeMs` overall: a target not reached in time is reported with the count reached.
 * Instances are not beaten; they carry `preserved.*` metadata that stretches their timeouts to an
 * hour, and the result says how many of the first service's instances were still listed at the end.
 */
export async function measureMemory(
  group: ProcessGroup,
  targets: number[],
  timeMs: number,
  cpu: string,
  log: (line: string) => void,
): Promise<MemoryResult> {
  const servers = await startTacosServers(group, 1, cpu);
  const pid = servers.members[0]!.child.pid!;
  const conns = Array.from({ length: CONNECTIONS }, () => new TacosConnection(servers.endpoints[0]!));
  const start = performance.now();
  const result: MemoryResult = { baselineRss: rssBytes(pid), points: [] };
  try {
    let registered = 0;
    for (const target of [...targets].sort((a, b) => a - b)) {
      const remainingMs = timeMs - (performance.now() - start);
      if (registered < target && remainingMs > 0) {
        const loop = await runClosedLoop(
          async (c) => {
            const n = registered++;
            const { ip, port } = instanceAddress(n);
            await conns[c]!.register(`bench.mem.${Math.floor(n / PER_SERVICE)}`, ip, port, true, KEEP_METADATA);
          },
          { connections: CONNECTIONS, warmupMs: 0, durationMs: remainingMs, maxOps: target - registered },
        );
        // `registered` counts requests issued; failed ones did not register anything.
        registered -= loop.errors;
        if (loop.stoppedBy === 'errors' || loop.stoppedBy === 'stuck') {
          result.note = `registration stopped (${loop.stoppedBy}: ${loop.firstError ?? ''})`;
        }
      }
      const point: MemoryPoint = {
        target,
        registered,
        rssBytes: rssBytes(pid),
        atSeconds: (performance.now() - start) / 1000,
      };
      result.points.push(point);
      log(
        `memory: ${registered.toLocaleString('en-US')} ephemeral instances after ${point.atSeconds.toFixed(1)} s, ` +
          `RSS ${((point.rssBytes ?? 0) / 2 ** 20).toFixed(1)} MiB`,
      );
      if (registered < target) {
        result.note ??= `time bound of ${Math.round(timeMs / 1000)} s reached before ${target.toLocaleString('en-US')} instances`;
        break;
      }
    }
    result.oldestServiceListed = await conns[0]!.list('bench.mem.0').catch(() => undefined);
  } finally {
    for (const c of conns) c.close();
    await servers.stop();
  }
  return result;
}
