import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { freePort, removeDir, tempDir, waitFor } from '@tacos/testkit';
import { getText } from '../http-get';
import type { ManagedProcess, ProcessGroup } from '../procs';

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
  const dir = tempDir('tacos-bench-etcd-');
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
      await waitFor(
        async () => {
          if (members[i]!.hasExited()) throw new Error(`etcd exited:\n${members[i]!.output()}`);
          return (await getText(`http://127.0.0.1:${n.client}/health`)).includes('"true"');
        },
        { timeoutMs: 30_000, intervalMs: 100, what: `etcd ${n.name} to be healthy` },
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints: nodes.map((n) => `127.0.0.1:${n.client}`), members, stop };
}

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;
interface KvStub extends grpc.Client {
  Range(req: object, cb: Callback<{ kvs: unknown[]; count: string }>): void;
  Put(req: object, cb: Callback<unknown>): void;
}
interface LeaseStub extends grpc.Client {
  LeaseGrant(req: object, cb: Callback<{ ID: string; error: string }>): void;
  LeaseKeepAlive(): grpc.ClientDuplexStream<{ ID: string }, { ID: string; TTL: string }>;
}
type StubCtor<T> = new (address: string, creds: grpc.ChannelCredentials, options: object) => T;

let stubs: { KV: StubCtor<KvStub>; Lease: StubCtor<LeaseStub> } | undefined;
function loadStubs() {
  if (!stubs) {
    // proto/ sits beside src/ and dist/, so the same relative path works from both.
    const definition = protoLoader.loadSync(resolve(__dirname, '..', '..', 'proto', 'etcd-kv-lease.proto'), {
      keepCase: true,
      longs: String,
      defaults: false,
    });
    const pkg = grpc.loadPackageDefinition(definition).etcdserverpb as unknown as {
      KV: StubCtor<KvStub>;
      Lease: StubCtor<LeaseStub>;
    };
    stubs = { KV: pkg.KV, Lease: pkg.Lease };
  }
  return stubs;
}

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    fn((error, value) => (error ? reject(error) : resolvePromise(value as T)));
  });
}

/**
 * One benchmark "connection" to etcd: its own gRPC channel (own TCP connection, not shared with
 * the other connections), the way each client process of a real deployment has its own. Calls are
 * issued one at a time by the closed loop.
 */
export class EtcdConnection {
  private readonly kv: KvStub;
  private readonly lease: LeaseStub;
  private keepAlive: grpc.ClientDuplexStream<{ ID: string }, { ID: string; TTL: string }> | undefined;
  private keepAliveWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(endpoint: string) {
    const { KV, Lease } = loadStubs();
    const creds = grpc.credentials.createInsecure();
    // A local subchannel pool keeps grpc-js from sharing one TCP connection among all the stubs.
    const options = { 'grpc.use_local_subchannel_pool': 1 };
    this.kv = new KV(endpoint, creds, options);
    this.lease = new Lease(endpoint, creds, options);
  }

  /** Waits for the channels to be connected, so connection set-up is not measured. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      [this.kv, this.lease].map(
        (c) => new Promise<void>((res, rej) => c.waitForReady(deadline, (e) => (e ? rej(e) : res()))),
      ),
    );
  }

  put(key: string, value: string, lease?: string): Promise<unknown> {
    return call((cb) => this.kv.Put({ key: Buffer.from(key), value: Buffer.from(value), lease }, cb));
  }

  /** Range over every key with the given prefix; resolves with the number of keys returned. */
  async rangePrefix(prefix: string): Promise<number> {
    const key = Buffer.from(prefix);
    const end = Buffer.from(key);
    end[end.length - 1]!++;
    const res = await call<{ kvs: unknown[] }>((cb) => this.kv.Range({ key, range_end: end }, cb));
    return res.kvs?.length ?? 0;
  }

  /** Grants a lease with the given TTL in seconds; resolves with its id. */
  async leaseGrant(ttlSeconds: number): Promise<string> {
    const res = await call<{ ID: string; error: string }>((cb) => this.lease.LeaseGrant({ TTL: ttlSeconds }, cb));
    if (res.error) throw new Error(`LeaseGrant: ${res.error}`);
    return res.ID;
  }

  /** Sends one keep-alive for `id` on this connection's keep-alive stream and waits for its answer. */
  keepAliveOnce(id: string): Promise<void> {
    if (!this.keepAlive) {
      const stream = this.lease.LeaseKeepAlive();
      stream.on('data', () => {
        const waiter = this.keepAliveWaiter;
        this.keepAliveWaiter = undefined;
        waiter?.resolve();
      });
      stream.on('error', (error: Error) => {
        this.keepAlive = undefined;
        const waiter = this.keepAliveWaiter;
        this.keepAliveWaiter = undefined;
        waiter?.reject(error);
      });
      this.keepAlive = stream;
    }
    const stream = this.keepAlive;
    return new Promise<void>((res, rej) => {
      this.keepAliveWaiter = { resolve: res, reject: rej };
      stream.write({ ID: id });
    });
  }

  close(): void {
    this.keepAlive?.cancel();
    this.keepAlive = undefined;
    this.kv.close();
    this.lease.close();
  }
}
