import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's `zookeeper` package puts the server jar. */
export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

/** Whether a peer can run here, and why not. */
export interface PeerAvailability {
  etcd: string | true;
  zookeeper: string | true;
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function check(): PeerAvailability {
  return {
    etcd: hasCommand('etcd') ? true : 'etcd not installed (Debian package etcd-server)',
    zookeeper:
      hasCommand('java') && existsSync(ZOOKEEPER_JAR) ? true : 'ZooKeeper not installed (Debian package zookeeper)',
  };
}

/**
 * Makes sure the peers' Debian packages are installed, installing the missing ones with apt-get
 * (`etcd-server`, `zookeeper`; the benchmark runs as root on a fresh machine). Never throws:
 * a peer that still can't run comes back with the reason, and its rows are skipped. Bounded: the
 * install is given at most 10 minutes.
 */
export function ensurePeers(log: (line: string) => void): PeerAvailability {
  const before = check();
  const missing: string[] = [];
  if (before.etcd !== true) missing.push('etcd-server');
  if (before.zookeeper !== true) missing.push('zookeeper');
  if (missing.length === 0) return before;
  if (!hasCommand('apt-get')) {
    log(`peers: apt-get is not available, so ${missing.join(' and ')} can't be installed; their rows are skipped`);
    return before;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    log(`peers: installing ${missing.join(', ')} needs root; run 'sudo apt-get install -y ${missing.join(' ')}' first`);
    return before;
  }
  log(`peers: installing ${missing.join(', ')} with apt-get (once per machine)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts = { stdio: 'inherit' as const, env, timeout: 600_000 };
  const update = spawnSync('apt-get', ['update', '-qq'], opts);
  if (update.status !== 0) log('peers: apt-get update failed; trying the install anyway');
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], opts);
  if (install.status !== 0) log(`peers: apt-get install ${missing.join(' ')} failed (exit ${install.status})`);
  const after = check();
  for (const [peer, status] of Object.entries(after)) {
    if (status !== true) log(`peers: ${peer} unavailable: ${status}; its rows are skipped`);
  }
  return after;
}
