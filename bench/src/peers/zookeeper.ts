import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, removeDir, tempDir } from '@tacos/testkit';
import { ZOOKEEPER_JAR } from '../install';
import { type ManagedProcess, type ProcessGroup, waitReady } from '../procs';
import {
  CREATE_MODE,
  closeRequest,
  connectRequest,
  createRequest,
  getChildrenRequest,
  pingRequest,
  RecordDecoder,
  readChildren,
  readConnectReply,
  readCreatedPath,
  readReplyHeader,
  XID,
  ZK_ERR,
} from './zk-protocol';

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

/** A ZooKeeper reply with a non-zero error code (KeeperException.Code). */
export class ZooKeeperError extends Error {
  constructor(readonly code: number) {
    super(`ZooKeeper error ${code}`);
  }
}

type Waiter = { resolve: (reply: [Buffer, number]) => void; reject: (error: Error) => void };

/**
 * One benchmark "connection" to ZooKeeper: one client session over one TCP connection to one
 * server, speaking the binary protocol directly (zk-protocol.ts). A small client rather than
 * node-zookeeper-client because that one cost ~32 µs of generator CPU per call, enough to make the
 * generator, not ZooKeeper, the limit of the getChildren rows at 64 connections. Ephemeral nodes it
 * creates live until `close()` ends the session.
 */
export class ZooKeeperConnection {
  private socket: Socket | undefined;
  private nextXid = 1;
  private readonly pending = new Map<number, Waiter>();
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly endpoint: string,
    private readonly sessionTimeoutMs = 30_000,
  ) {}

  /** Connects and establishes a session (bounded by `timeoutMs`). */
  connect(timeoutMs = 10_000): Promise<void> {
    const [host, port] = this.endpoint.split(':');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: host!, port: Number(port) });
      socket.setNoDelay(true);
      this.socket = socket;
      let established = false;
      const timer = setTimeout(() => fail(new Error(`ZooKeeper session with ${this.endpoint}: timeout`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        clearInterval(this.pingTimer);
        socket.destroy();
        if (!established) reject(error);
        const waiting = [...this.pending.values()];
        this.pending.clear();
        for (const w of waiting) w.reject(error);
      };
      const decoder = new RecordDecoder((record) => {
        if (!established) {
          const reply = readConnectReply(record);
          if (reply.timeoutMs <= 0) return fail(new Error('ZooKeeper refused the session'));
          established = true;
          clearTimeout(timer);
          // Pings keep the session alive between measurements; a third of the timeout, as clients do.
          this.pingTimer = setInterval(() => socket.write(pingRequest()), Math.max(1_000, reply.timeoutMs / 3));
          this.pingTimer.unref();
          resolve();
          return;
        }
        const header = readReplyHeader(record);
        if (header.xid === XID.ping || header.xid === XID.notification) return;
        const waiter = this.pending.get(header.xid);
        this.pending.delete(header.xid);
        if (header.err !== ZK_ERR.ok) waiter?.reject(new ZooKeeperError(header.err));
        else waiter?.resolve([record, header.bodyOffset]);
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          decoder.feed(chunk);
        } catch (error) {
          fail(error as Error);
        }
      });
      socket.on('error', fail);
      socket.on('close', () => fail(new Error('ZooKeeper connection closed')));
      socket.once('connect', () => socket.write(connectRequest(this.sessionTimeoutMs)));
    });
  }

  private call(build: (xid: number) => Buffer): Promise<[Buffer, number]> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.reject(new Error('ZooKeeper: not connected'));
    const xid = this.nextXid++;
    return new Promise((resolve, reject) => {
      this.pending.set(xid, { resolve, reject });
      socket.write(build(xid));
    });
  }

  async create(path: string, data: Buffer, mode: number): Promise<string> {
    const [record, offset] = await this.call((xid) => createRequest(xid, path, data, mode));
    return readCreatedPath(record, offset);
  }

  createEphemeral(path: string, data: Buffer): Promise<string> {
    return this.create(path, data, CREATE_MODE.ephemeral);
  }

  /** Creates a persistent node and its missing parents; existing nodes are fine. */
  async mkdirp(path: string): Promise<void> {
    const parts = path.split('/').filter((p) => p !== '');
    for (let i = 1; i <= parts.length; i++) {
      try {
        await this.create(`/${parts.slice(0, i).join('/')}`, Buffer.alloc(0), CREATE_MODE.persistent);
      } catch (error) {
        if (!(error instanceof ZooKeeperError && error.code === ZK_ERR.nodeExists)) throw error;
      }
    }
  }

  async getChildren(path: string): Promise<string[]> {
    const [record, offset] = await this.call((xid) => getChildrenRequest(xid, path));
    return readChildren(record, offset);
  }

  /**
   * getChildren, reading only how many names came back: decoding 100 strings per call would load
   * the generator (the Tacos list check likewise reads only the answer's size).
   */
  async countChildren(path: string): Promise<number> {
    const [record, offset] = await this.call((xid) => getChildrenRequest(xid, path));
    return record.readInt32BE(offset);
  }

  /** Ends the session (its ephemeral nodes go at once) and closes the socket. Does not wait. */
  close(): void {
    clearInterval(this.pingTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (socket && !socket.destroyed) {
      socket.write(closeRequest(this.nextXid++));
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    }
  }
}
