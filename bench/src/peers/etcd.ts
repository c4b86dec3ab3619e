import { join } from 'node:path';
import { freePort, removeDir, tempDir } from '@tacos/testkit';
import { getText } from '../http-get';
import { type ManagedProcess, type ProcessGroup, waitReady } from '../procs';
import { type BidiStream, bytesField, decodeFields, GrpcConnection, varintField } from './grpc';

/** A running etcd cluster (1 or 3 members) on 127.0.0.1, started by {@link startEtcd}. */
export interface EtcdCluster {
  /** `127.0.0.1:port` gRPC endpoint of each member. */
  readonly endpoints: string[];
  readonly members: ManagedProcess[];
  stop(): Promise<void>;
}

/**
 * Starts etcd with `size` members on free loopback ports, data in a fresh temp dir, each member
 * pinned to `cpu`. Resolves once every member reports healthy (a leader is elected). etcd fsyncs
 * its WAL before acknowledging a write: that is its default and is left on.
 */
export async function startEtcd(group: ProcessGroup, size: number, cpu: string): Promise<EtcdCluster> {
  const dir = group.trackDir(tempDir('tacos-bench-etcd-'));
  const nodes: { name: string; client: number; peer: number }[] = [];
  for (let i = 0; i < size; i++) {
    nodes.push({ name: `m${i + 1}`, client: await freePort(), peer: await freePort() });
  }
  const initialCluster = nodes.map((n) => `${n.name}=http://127.0.0.1:${n.peer}`).join(',');
  const members = nodes.map((n) =>
    group.spawn(
      `etcd ${n.name}`,
      'etcd',
      [
        '--name',
        n.name,
        '--data-dir',
        join(dir, n.name),
        '--listen-client-urls',
        `http://127.0.0.1:${n.client}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${n.client}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${n.peer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${n.peer}`,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        'tacos-bench',
        '--logger',
        'zap',
        '--log-level',
        'error',
      ],
      { cpu },
    ),
  );
  const stop = async () => {
    await Promise.all(members.map((m) => m.stop()));
    removeDir(dir);
  };
  try {
    for (const [i, n] of nodes.entries()) {
      await waitReady(members[i]!, async () => (await getText(`http://127.0.0.1:${n.client}/health`)).includes('"true"'), {
        timeoutMs: 30_000,
        what: `etcd ${n.name} to be healthy`,
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints: nodes.map((n) => `127.0.0.1:${n.client}`), members, stop };
}

// etcd v3 API (package etcdserverpb) field numbers used below, from etcd's published rpc.proto:
//   PutRequest { key = 1; value = 2; lease = 3 }            RangeRequest { key = 1; range_end = 2 }
//   RangeResponse { header = 1; kvs = 2 (repeated) }        LeaseGrantRequest { TTL = 1 }
//   LeaseGrantResponse { ID = 2; TTL = 3; error = 4 }       LeaseKeepAliveRequest { ID = 1 }
//   LeaseRevokeRequest { ID = 1 }
// Range is left linearizable (serializable = 7 is not set), etcd's default.
const PUT = '/etcdserverpb.KV/Put';
const RANGE = '/etcdserverpb.KV/Range';
const LEASE_GRANT = '/etcdserverpb.Lease/LeaseGrant';
const LEASE_KEEP_ALIVE = '/etcdserverpb.Lease/LeaseKeepAlive';
const LEASE_REVOKE = '/etcdserverpb.Lease/LeaseRevoke';

/** The end of the key range holding every key that starts with `prefix` (prefix + 1 in its last byte). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key
}

/**
 * One benchmark "connection" to etcd: one HTTP/2 connection carrying etcd's v3 gRPC API, the way
 * each client process of a real deployment has its own. Calls are issued one at a time by the
 * closed loop; the keep-alive stream is opened on first use and reused.
 */
export class EtcdConnection {
  private readonly grpc: GrpcConnection;
  private keepAlive: BidiStream | undefined;
  private keepAliveWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(endpoint: string) {
    this.grpc = new GrpcConnection(endpoint);
  }

  /** Waits for the connection, so connection set-up is not measured. */
  ready(timeoutMs = 10_000): Promise<void> {
    return this.grpc.ready(timeoutMs);
  }

  async put(key: string, value: Buffer | string, lease?: bigint): Promise<void> {
    const parts = [bytesField(1, key), bytesField(2, value)];
    if (lease !== undefined) parts.push(varintField(3, lease));
    await this.grpc.unary(PUT, Buffer.concat(parts));
  }

  /** Range over every key with the given prefix; resolves with the number of keys returned. */
  async rangePrefix(prefix: string): Promise<number> {
    const key = Buffer.from(prefix);
    const reply = await this.grpc.unary(RANGE, Buffer.concat([bytesField(1, key), bytesField(2, prefixEnd(key))]));
    return decodeFields(reply).filter((f) => f.field === 2).length;
  }

  /** Grants a lease with the given TTL in seconds; resolves with its id. */
  async leaseGrant(ttlSeconds: number): Promise<bigint> {
    const reply = decodeFields(await this.grpc.unary(LEASE_GRANT, varintField(1, ttlSeconds)));
    const error = reply.find((f) => f.field === 4)?.value;
    if (Buffer.isBuffer(error) && error.length > 0) throw new Error(`LeaseGrant: ${error.toString()}`);
    const id = reply.find((f) => f.field === 2)?.value;
    if (typeof id !== 'bigint') throw new Error('LeaseGrant: no lease id in the reply');
    return id;
  }

  /** Revokes lease `id`: etcd deletes the keys attached to it (a client closing its session). */
  async leaseRevoke(id: bigint): Promise<void> {
    await this.grpc.unary(LEASE_REVOKE, varintField(1, id));
  }

  /** Sends one keep-alive for `id` on this connection's keep-alive stream and waits for its answer. */
  keepAliveOnce(id: bigint): Promise<void> {
    this.keepAlive ??= this.grpc.stream(
      LEASE_KEEP_ALIVE,
      () => {
        const waiter = this.keepAliveWaiter;
        this.keepAliveWaiter = undefined;
        waiter?.resolve();
      },
      (error) => {
        this.keepAlive = undefined;
        const waiter = this.keepAliveWaiter;
        this.keepAliveWaiter = undefined;
        waiter?.reject(error);
      },
    );
    const stream = this.keepAlive;
    return new Promise<void>((resolve, reject) => {
      this.keepAliveWaiter = { resolve, reject };
      stream.send(varintField(1, id));
    });
  }

  close(): void {
    this.keepAlive?.close();
    this.keepAlive = undefined;
    this.grpc.close();
  }
}
