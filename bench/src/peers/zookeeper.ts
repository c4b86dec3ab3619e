import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, removeDir, tempDir } from '@tacos/testkit';
import * as zk from 'node-zookeeper-client';
import { ZOOKEEPER_JAR } from '../install';
import { type ManagedProcess, type ProcessGroup, waitReady } from '../procs';

/** A running ZooKeeper standalone server or ensemble on 127.0.0.1, started by {@link startZooKeeper}. */
export interface ZooKeeperCluster {
  /** `127.0.0.1:port` client endpoint of each server. */
  readonly endpoints: string[];
  readonly members: ManagedProcess[];
  stop(): Promise<void>;
}

/** Sends a four-letter-word command and resolves with the reply (bounded by `timeoutMs`). */
export function fourLetterWord(port: number, word: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${word}: timeout`)));
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
    });
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

/**
 * Starts ZooKeeper from Debian's jar with `size` servers (1 = standalone) on free loopback ports,
 * data in a fresh temp dir, each JVM pinned to `cpu`. Its defaults are kept, notably
 * `forceSync=yes` (the transaction log is fsync'd before a write is acknowledged). Resolves once
 * every server answers `srvr` with a mode (standalone, leader or follower).
 */
export async function startZooKeeper(group: ProcessGroup, size: number, cpu: string): Promise<ZooKeeperCluster> {
  const dir = group.trackDir(tempDir('tacos-bench-zk-'));
  const nodes: { id: number; client: number; quorum: number; election: number }[] = [];
  for (let i = 0; i < size; i++) {
    nodes.push({ id: i + 1, client: await freePort(), quorum: await freePort(), election: await freePort() });
  }
  const members = nodes.map((n) => {
    const home = join(dir, `s${n.id}`);
    mkdirSync(join(home, 'data'), { recursive: true });
    const lines = [
      'tickTime=2000',
      'initLimit=10',
      'syncLimit=5',
      `dataDir=${join(home, 'data')}`,
      `clientPort=${n.client}`,
      'clientPortAddress=127.0.0.1',
      'maxClientCnxns=0',
      'admin.enableServer=false',
      '4lw.commands.whitelist=srvr,ruok',
    ];
    if (size > 1) {
      for (const m of nodes) lines.push(`server.${m.id}=127.0.0.1:${m.quorum}:${m.election}`);
      writeFileSync(join(home, 'data', 'myid'), `${n.id}\n`);
    }
    const cfg = join(home, 'zoo.cfg');
    writeFileSync(cfg, `${lines.join('\n')}\n`);
    return group.spawn(
      `zookeeper ${n.id}`,
      'java',
      [
        '-cp',
        ZOOKEEPER_JAR,
        `-Dzookeeper.log.dir=${home}`,
        '-Dzookeeper.admin.enableServer=false',
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        cfg,
      ],
      { cpu, cwd: home },
    );
  });
  const stop = async () => {
    await Promise.all(members.map((m) => m.stop()));
    removeDir(dir);
  };
  try {
    for (const [i, n] of nodes.entries()) {
      await waitReady(
        members[i]!,
        async () => /Mode: (standalone|leader|follower)/.test(await fourLetterWord(n.client, 'srvr')),
        { timeoutMs: 60_000, intervalMs: 200, what: `ZooKeeper server ${n.id} to serve` },
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints: nodes.map((n) => `127.0.0.1:${n.client}`), members, stop };
}

function done<T>(resolve: (v: T) => void, reject: (e: Error) => void) {
  return (error: Error | zk.Exception | null, value: T) => {
    if (error) reject(error instanceof Error ? error : new Error(String(error)));
    else resolve(value);
  };
}

/**
 * One benchmark "connection" to ZooKeeper: one client session over one TCP connection to one
 * server (node-zookeeper-client, pure JS, the ZooKeeper binary protocol). Ephemeral nodes it
 * creates live as long as its session.
 */
export class ZooKeeperConnection {
  private readonly client: zk.Client;

  constructor(endpoint: string) {
    this.client = zk.createClient(endpoint, { sessionTimeout: 30_000, retries: 0 });
  }

  /** Connects and waits for the session (bounded by `timeoutMs`). */
  connect(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('ZooKeeper session: timeout')), timeoutMs);
      this.client.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.connect();
    });
  }

  create(path: string, data: Buffer, mode: number): Promise<string> {
    return new Promise((resolve, reject) => this.client.create(path, data, mode, done(resolve, reject)));
  }

  createEphemeral(path: string, data: Buffer): Promise<string> {
    return this.create(path, data, zk.CreateMode.EPHEMERAL);
  }

  /** Creates a persistent node, and its parents; an existing node is fine. */
  mkdirp(path: string): Promise<string> {
    return new Promise((resolve, reject) => this.client.mkdirp(path, done(resolve, reject)));
  }

  getChildren(path: string): Promise<string[]> {
    return new Promise((resolve, reject) =>
      this.client.getChildren(path, (error, children) => done(resolve, reject)(error, children)),
    );
  }

  close(): void {
    this.client.close();
  }
}
