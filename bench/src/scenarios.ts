import type { Op } from './loop';
import { EtcdConnection } from './peers/etcd';
import { hostCount, instanceAddress, TacosConnection } from './peers/tacos';
import { ZooKeeperConnection } from './peers/zookeeper';

/** A system under test. */
export type System = 'Tacos' | 'etcd' | 'ZooKeeper';

/** Single node or a 3-member cluster, all on 127.0.0.1. */
export type Topology = 'standalone' | '3 nodes';

/** Connections opened and fixtures created for one measurement; `close` releases them. */
export interface Prepared {
  op: Op;
  close(): Promise<void>;
}

/** One side of a pair: how to open connections to a running system and what one request is. */
export interface Subject {
  system: System;
  /** What one request does, e.g. "lease-grant+put". */
  label: string;
  /** Opens `connections` connections (round-robin over `endpoints`) and creates fixtures. `tag` is unique per measurement. */
  prepare(endpoints: string[], connections: number, tag: string): Promise<Prepared>;
}

/** A Tacos operation measured against one or more peers doing the equivalent work. */
export interface Pair {
  id: 'register-ephemeral' | 'register-persistent' | 'list-100' | 'beat';
  title: string;
  tacos: Subject;
  peers: Subject[];
}

/** Instances per service in the register scenarios, so services stay a realistic size. */
const PER_SERVICE = 100;
/** etcd lease TTL for ephemeral registrations, in seconds (long enough to outlive a measurement). */
const LEASE_TTL = 60;
/** Bound on the clean-up (lease revocation, deregistration) when a measurement closes. */
const CLEANUP_TIMEOUT_MS = 60_000;

/**
 * A `close` that first cleans up what a measurement left, as its clients would when leaving cleanly
 * (Tacos deregisters ephemeral instances, etcd revokes leases; ZooKeeper deletes a closed session's
 * ephemeral nodes by itself), then closes the connections. The clean-up is spread over the
 * connections and bounded in time (what is left stays, or expires); it is never measured. Left to
 * expire, etcd's leases were revoked 60 s later, in whichever row ran then, and Tacos instances (health
 * checks off) piled up into millions by the third run.
 */
export function cleaningCloser<C extends { close(): void }, T>(
  conns: C[],
  left: T[],
  cleanup: (conn: C, item: T) => Promise<void>,
  timeoutMs = CLEANUP_TIMEOUT_MS,
): () => Promise<void> {
  return async () => {
    const deadline = Date.now() + timeoutMs;
    let next = 0;
    await Promise.all(
      conns.map(async (conn) => {
        while (next < left.length && Date.now() < deadline) {
          await cleanup(conn, left[next++]!).catch(() => undefined);
        }
      }),
    );
    for (const c of conns) c.close();
  };
}

/**
 * Distinct instances across the whole benchmark process, so no register request ever updates an
 * instance that an earlier measurement created (an update may be cheaper than an insert).
 */
let nextInstance = 0;
function nextAddress(): { n: number; ip: string; port: number } {
  const n = nextInstance++;
  return { n, ...instanceAddress(n) };
}

/** A small JSON value like the instance record a registry keeps, stored by the key-value peers. */
function instanceValue(ip: string, port: number): Buffer {
  return Buffer.from(JSON.stringify({ ip, port, weight: 1, healthy: true, enabled: true, cluster: 'DEFAULT' }));
}

function pick(endpoints: string[], connection: number): string {
  return endpoints[connection % endpoints.length]!;
}

async function openTacos(endpoints: string[], connections: number): Promise<TacosConnection[]> {
  return Array.from({ length: connections }, (_, c) => new TacosConnection(pick(endpoints, c)));
}

async function openEtcd(endpoints: string[], connections: number): Promise<EtcdConnection[]> {
  const conns = Array.from({ length: connections }, (_, c) => new EtcdConnection(pick(endpoints, c)));
  try {
    await Promise.all(conns.map((c) => c.ready()));
  } catch (error) {
    for (const c of conns) c.close();
    throw error;
  }
  return conns;
}

async function openZooKeeper(endpoints: string[], connections: number): Promise<ZooKeeperConnection[]> {
  const conns = Array.from({ length: connections }, (_, c) => new ZooKeeperConnection(pick(endpoints, c)));
  try {
    await Promise.all(conns.map((c) => c.connect()));
  } catch (error) {
    for (const c of conns) c.close();
    throw error;
  }
  return conns;
}

function closer(conns: { close(): void }[]): () => Promise<void> {
  return async () => {
    for (const c of conns) c.close();
  };
}

const tacosRegister = (ephemeral: boolean): Subject => ({
  system: 'Tacos',
  label: ephemeral ? 'register ephemeral' : 'register persistent',
  prepare: async (endpoints, connections) => {
    const conns = await openTacos(endpoints, connections);
    const prefix = ephemeral ? 'bench.eph' : 'bench.per';
    const registered: { service: string; ip: string; port: number }[] = [];
    return {
      op: async (c) => {
        const { n, ip, port } = nextAddress();
        const service = `${prefix}.${Math.floor(n / PER_SERVICE)}`;
        await conns[c]!.register(service, ip, port, ephemeral);
        if (ephemeral) registered.push({ service, ip, port });
      },
      close: cleaningCloser(conns, registered, (conn, r) => conn.deregister(r.service, r.ip, r.port, true)),
    };
  },
});

const etcdPut = (withLease: boolean): Subject => ({
  system: 'etcd',
  label: withLease ? 'lease-grant+put' : 'put',
  prepare: async (endpoints, connections) => {
    const conns = await openEtcd(endpoints, connections);
    const prefix = withLease ? 'bench.eph' : 'bench.per';
    const leases: bigint[] = [];
    return {
      op: async (c) => {
        const { n, ip, port } = nextAddress();
        const conn = conns[c]!;
        const key = `/services/${prefix}.${Math.floor(n / PER_SERVICE)}/${ip}:${port}`;
        // An ephemeral registration in etcd is two round trips: a lease, then a put bound to it.
        const lease = withLease ? await conn.leaseGrant(LEASE_TTL) : undefined;
        if (lease !== undefined) leases.push(lease);
        await conn.put(key, instanceValue(ip, port).toString(), lease);
      },
      close: cleaningCloser(conns, leases, (conn, id) => conn.leaseRevoke(id)),
    };
  },
});

const zkCreateEphemeral: Subject = {
  system: 'ZooKeeper',
  label: 'create-ephemeral',
  prepare: async (endpoints, connections, tag) => {
    const conns = await openZooKeeper(endpoints, connections);
    const parent = `/bench/eph/${tag}`;
    await conns[0]!.mkdirp(parent);
    return {
      op: async (c) => {
        const { ip, port } = nextAddress();
        await conns[c]!.createEphemeral(`${parent}/${ip}:${port}`, instanceValue(ip, port));
      },
      close: closer(conns),
    };
  },
};

const LIST_SIZE = 100;

const tacosList: Subject = {
  system: 'Tacos',
  label: 'instance/list of 100',
  prepare: async (endpoints, connections, tag) => {
    const conns = await openTacos(endpoints, connections);
    const service = `bench.list.${tag}`;
    // Ephemeral like real registrations; a measurement is far shorter than the 15 s beat timeout,
    // so all 100 stay healthy and listed while it runs.
    for (let i = 0; i < LIST_SIZE; i++) {
      const { ip, port } = nextAddress();
      await conns[0]!.register(service, ip, port, true);
    }
    // Other members of a cluster get the list by Distro sync (batched, ~1 s): wait, bounded, until every
    // endpoint the generator will ask lists all of them, so no run measures a half-replicated list.
    const deadline = Date.now() + 15_000;
    for (const endpoint of endpoints) {
      const probe = new TacosConnection(endpoint);
      try {
        let listed = await probe.list(service);
        while (listed !== LIST_SIZE && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          listed = await probe.list(service);
        }
        if (listed !== LIST_SIZE) throw new Error(`list fixture: expected ${LIST_SIZE} hosts on ${endpoint}, got ${listed}`);
      } finally {
        probe.close();
      }
    }
    const request = conns[0]!.listRequest(service);
    const fullSize = (await conns[0]!.sendRaw(request)).length;
    let answered = 0;
    return {
      // The generator sends the reference client's headers (it accepts gzip, and Tacos sends lists
      // of 1 KB or more gzipped) and checks status and size of every answer; every 64th answer is
      // also gunzipped and parsed in full and must list all 100 hosts. Decoding every answer would
      // make the single generator core, not the server, the bottleneck.
      op: async (c) => {
        const body = await conns[c]!.sendRaw(request);
        if (body.length < fullSize / 2) throw new Error(`list: answer shrank from ${fullSize} to ${body.length} bytes`);
        if (++answered % 64 === 0) {
          const hosts = hostCount(body);
          if (hosts !== LIST_SIZE) throw new Error(`list: expected ${LIST_SIZE} hosts, got ${hosts}`);
        }
      },
      close: closer(conns),
    };
  },
};

const etcdRange: Subject = {
  system: 'etcd',
  label: 'range of 100 keys',
  prepare: async (endpoints, connections, tag) => {
    const conns = await openEtcd(endpoints, connections);
    const prefix = `/services/bench.list.${tag}/`;
    for (let i = 0; i < LIST_SIZE; i++) {
      const { ip, port } = nextAddress();
      await conns[0]!.put(`${prefix}${ip}:${port}`, instanceValue(ip, port).toString());
    }
    return {
      op: async (c) => {
        const n = await conns[c]!.rangePrefix(prefix);
        if (n !== LIST_SIZE) throw new Error(`range: expected ${LIST_SIZE} keys, got ${n}`);
      },
      close: closer(conns),
    };
  },
};

const zkGetChildren: Subject = {
  system: 'ZooKeeper',
  label: 'getChildren of 100',
  prepare: async (endpoints, connections, tag) => {
    const conns = await openZooKeeper(endpoints, connections);
    const parent = `/bench/list/${tag}`;
    await conns[0]!.mkdirp(parent);
    for (let i = 0; i < LIST_SIZE; i++) {
      const { ip, port } = nextAddress();
      await conns[0]!.createEphemeral(`${parent}/${ip}:${port}`, instanceValue(ip, port));
    }
    const names = await conns[0]!.getChildren(parent);
    if (names.length !== LIST_SIZE) throw new Error(`getChildren fixture: expected ${LIST_SIZE}, got ${names.length}`);
    return {
      op: async (c) => {
        const n = await conns[c]!.countChildren(parent);
        if (n !== LIST_SIZE) throw new Error(`getChildren: expected ${LIST_SIZE}, got ${n}`);
      },
      close: closer(conns),
    };
  },
};

const tacosBeat: Subject = {
  system: 'Tacos',
  label: 'beat',
  prepare: async (endpoints, connections, tag) => {
    const conns = await openTacos(endpoints, connections);
    const service = `bench.beat.${tag}`;
    const requests = await Promise.all(
      conns.map(async (conn) => {
        const { ip, port } = nextAddress();
        await conn.register(service, ip, port, true);
        return conn.beatRequest(service, ip, port);
      }),
    );
    return {
      op: (c) => conns[c]!.sendBeat(requests[c]!),
      close: closer(conns),
    };
  },
};

const etcdKeepAlive: Subject = {
  system: 'etcd',
  label: 'lease keep-alive',
  prepare: async (endpoints, connections, tag) => {
    const conns = await openEtcd(endpoints, connections);
    const leases = await Promise.all(
      conns.map(async (conn, c) => {
        const id = await conn.leaseGrant(LEASE_TTL);
        const { ip, port } = nextAddress();
        await conn.put(`/services/bench.beat.${tag}/${c}`, instanceValue(ip, port).toString(), id);
        return id;
      }),
    );
    return {
      op: (c) => conns[c]!.keepAliveOnce(leases[c]!),
      close: cleaningCloser(conns, leases, (conn, id) => conn.leaseRevoke(id)),
    };
  },
};

/** The scenarios of issue 8, each Tacos operation with the peers doing the equivalent work. */
export const PAIRS: readonly Pair[] = [
  {
    id: 'register-ephemeral',
    title: 'register ephemeral',
    tacos: tacosRegister(true),
    peers: [etcdPut(true), zkCreateEphemeral],
  },
  { id: 'register-persistent', title: 'register persistent', tacos: tacosRegister(false), peers: [etcdPut(false)] },
  { id: 'list-100', title: 'list 100 instances', tacos: tacosList, peers: [etcdRange, zkGetChildren] },
  { id: 'beat', title: 'beat', tacos: tacosBeat, peers: [etcdKeepAlive] },
];
