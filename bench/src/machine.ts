import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** What the figures were measured on, recorded in every report. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  etcd?: string;
  zookeeper?: string;
  /** 1-minute load average when the run started: above ~0.5 other work was competing for the cores. */
  loadAverageAtStart: number;
  pinned: boolean;
}

function firstLine(cmd: string, args: string[]): string | undefined {
  const out = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (out.status !== 0) return undefined;
  return out.stdout.split('\n')[0]?.trim() || undefined;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // not Linux: fall back to os.cpus()
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** Collects the machine description (spawns `etcd --version` and dpkg-query, bounded by 10 s each). */
export function describeMachine(pinned: boolean): MachineInfo {
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    etcd: firstLine('etcd', ['--version'])?.replace(/^etcd Version:\s*/, ''),
    zookeeper: firstLine('dpkg-query', ['-W', 'zookeeper'])?.split('\t')[1],
    loadAverageAtStart: loadavg()[0] ?? 0,
    pinned,
  };
}

/** One line for the console and the README. */
export function machineLine(m: MachineInfo): string {
  return (
    `${m.cores} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}` +
    `${m.etcd ? `, etcd ${m.etcd}` : ''}${m.zookeeper ? `, ZooKeeper ${m.zookeeper}` : ''}` +
    `; load average ${m.loadAverageAtStart.toFixed(2)} at start` +
    (m.pinned ? '; servers on core 0, load generator on core 1' : '; NOT pinned (taskset or a second core missing)')
  );
}
