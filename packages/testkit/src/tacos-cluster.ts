import { freePort } from './ports';
import { type TacosProcess, startTacos } from './tacos-process';
import { removeDir, tempDir } from './temp-dir';

/** Options for {@link startTacosCluster}. */
export interface StartClusterOptions {
  /** Number of members (default 3). */
  size?: number;
  /** The cluster secret every member shares (default: a test secret). */
  secret?: string;
  /** Extra flags for every member. */
  args?: string[];
  /** Extra environment for every member. */
  env?: Record<string, string>;
  /** How long each member may take to become ready (default 45 s). */
  readyTimeoutMs?: number;
}

/** A cluster of real server processes on 127.0.0.1, started by {@link startTacosCluster}. */
export interface TacosCluster {
  /** The members, in the order of `members`. */
  readonly nodes: TacosProcess[];
  /** The `--members` value: `127.0.0.1:p1,127.0.0.1:p2,...`. */
  readonly members: string;
  /** Resumes paused members, stops every member and removes their data dirs. Safe to call twice. */
  stop(): Promise<void>;
}

/** The default secret of test clusters (never use it outside tests). */
export const TEST_CLUSTER_SECRET = 'testkit-cluster-secret-0123456789abcdef';

/**
 * Starts `size` members at once on distinct free ports (readiness needs a Raft leader, which needs a
 * majority, so they must start together) and resolves when every one is ready. Each member gets its
 * own temp data dir; `restart()` on a member keeps it.
 */
export async function startTacosCluster(options: StartClusterOptions = {}): Promise<TacosCluster> {
  const size = options.size ?? 3;
  const ports = new Set<number>();
  for (let i = 0; i < 50 && ports.size < size; i++) ports.add(await freePort());
  if (ports.size < size) throw new Error(`could not find ${size} distinct free ports`);
  const members = [...ports].map((port) => `127.0.0.1:${port}`).join(',');
  const dataDirs: string[] = [];
  const started = await Promise.allSettled(
    [...ports].map((port) => {
      const dataDir = tempDir('tacos-cluster-');
      dataDirs.push(dataDir);
      return startTacos({
        port,
        dataDir,
        args: ['--members', members, '--cluster-secret', options.secret ?? TEST_CLUSTER_SECRET, ...(options.args ?? [])],
        env: options.env,
        readyTimeoutMs: options.readyTimeoutMs ?? 45_000,
      });
    }),
  );
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const node of nodes) {
      node.signal('SIGCONT');
      await node.stop();
    }
    for (const dir of dataDirs) removeDir(dir);
  };
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  return { nodes, members, stop };
}
