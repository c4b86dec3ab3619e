import type { InstanceHealth } from '@tacos/core';
import { decodeHealthReport, HealthSync, type HealthSyncOptions } from './health-sync';
import { PEER_PATHS, type PeerCall, type PeerResponse } from './peer-http';

const A = '127.0.0.1:8001';
const B = '127.0.0.1:8002';
const C = '127.0.0.1:8003';

function health(port: number, healthy: boolean, serviceName = 'DEFAULT_GROUP@@a'): InstanceHealth {
  return { namespaceId: 'public', serviceName, clusterName: 'DEFAULT', ip: '127.0.0.1', port, healthy };
}

/** A member's in-memory health table, as RegistryRuntime would hold it. */
class Table {
  readonly rows = new Map<string, InstanceHealth>();
  set(h: InstanceHealth): boolean {
    const key = `${h.serviceName}/${h.port}`;
    const old = this.rows.get(key);
    if (!old || old.healthy === h.healthy) return false;
    this.rows.set(key, { ...h });
    return true;
  }
  add(h: InstanceHealth): void {
    this.rows.set(`${h.serviceName}/${h.port}`, { ...h });
  }
  healthyOf(port: number, serviceName = 'DEFAULT_GROUP@@a'): boolean | undefined {
    return this.rows.get(`${serviceName}/${port}`)?.healthy;
  }
}

interface Sent {
  to: string;
  full: boolean;
  results: InstanceHealth[];
}

/** Members wired in memory: requests go straight to the receiver's route handler. */
function network(owners: Record<string, string>, over: Partial<HealthSyncOptions> = {}) {
  const tables = new Map<string, Table>();
  const syncs = new Map<string, HealthSync>();
  const sent: Sent[] = [];
  const down = new Set<string>();
  let clock = 0;
  for (const self of [A, B, C]) {
    const table = new Table();
    tables.set(self, table);
    syncs.set(
      self,
      new HealthSync({
        self,
        peers: () => [A, B, C],
        ownerOf: (serviceName) => owners[serviceName],
        fullState: (owns) => [...table.rows.values()].filter((h) => owns(h.namespaceId, h.serviceName)).map((h) => ({ ...h })),
        apply: (result) => table.set(result),
        now: () => clock,
        client: {
          request: async (member: string, call: PeerCall): Promise<PeerResponse> => {
            expect(call.path).toBe(PEER_PATHS.INSTANCE_HEALTH);
            if (down.has(member)) throw new Error(`${member} refused the connection`);
            const body = Buffer.from(call.body as string);
            const report = decodeHealthReport(body);
            sent.push({ to: member, full: report?.full ?? false, results: report?.results ?? [] });
            const reply = await syncs.get(member)!.route.handler({ method: 'POST', url: call.path, path: call.path, peer: self, body, headers: {} });
            return { status: reply.status, headers: {}, body: Buffer.from(String(reply.body ?? '')) };
          },
        },
        ...over,
      }),
    );
  }
  return {
    tables,
    syncs,
    sent,
    down,
    tick: (ms: number) => {
      clock += ms;
    },
    /** Every member holds the instance, healthy. */
    seed: (...list: InstanceHealth[]) => {
      for (const t of tables.values()) for (const h of list) t.add(h);
    },
  };
}

describe('HealthSync', () => {
  it('sends a full report to a peer seen for the first time, then the flips in batches (latest per instance)', async () => {
    const net = network({ 'DEFAULT_GROUP@@a': A });
    net.seed(health(1, true), health(2, true));
    const a = net.syncs.get(A)!;
    await a.flush();
    // First contact: full state (both healthy), nothing changes on B and C.
    expect(net.sent.map((s) => [s.to, s.full, s.results.length])).toEqual([
      [B, true, 2],
      [C, true, 2],
    ]);
    net.sent.length = 0;

    net.tables.get(A)!.set(health(1, false));
    a.record(health(1, false));
    net.tables.get(A)!.set(health(2, false));
    a.record(health(2, false));
    net.tables.get(A)!.set(health(2, true));
    a.record(health(2, true));
    expect(a.stats().pending).toBe(2);
    await a.flush();
    expect(net.sent).toEqual([
      { to: B, full: false, results: [health(1, false), health(2, true)] },
      { to: C, full: false, results: [health(1, false), health(2, true)] },
    ]);
    for (const m of [B, C]) {
      expect(net.tables.get(m)!.healthyOf(1)).toBe(false);
      expect(net.tables.get(m)!.healthyOf(2)).toBe(true);
    }
    // Nothing pending: nothing sent.
    net.sent.length = 0;
    await a.flush();
    expect(net.sent).toEqual([]);
    expect(net.syncs.get(B)!.stats()).toMatchObject({ applied: 1, ignored: 0 });
  });

  it('ignores results from a member that does not own the service in the receiver view', async () => {
    const net = network({ 'DEFAULT_GROUP@@a': A });
    net.seed(health(1, true));
    // C believes it owns the service (a stale or diverging view): its reports change nothing.
    const c = net.syncs.get(C)!;
    net.tables.get(C)!.set(health(1, false));
    await c.fullSync();
    expect(net.sent).toEqual([]); // C's own view: A owns it, so C's full report is empty.
    const reply = await net.syncs.get(B)!.route.handler({
      method: 'POST',
      url: PEER_PATHS.INSTANCE_HEALTH,
      path: PEER_PATHS.INSTANCE_HEALTH,
      peer: C,
      body: Buffer.from(JSON.stringify({ v: 1, full: false, results: [['public', 'DEFAULT_GROUP@@a', 'DEFAULT', '127.0.0.1', 1, 0]] })),
      headers: {},
    });
    expect(reply).toMatchObject({ status: 200, body: JSON.stringify({ applied: 0, ignored: 1 }) });
    expect(net.tables.get(B)!.healthyOf(1)).toBe(true);
    // A receiver never takes a report as coming from itself.
    expect(net.syncs.get(A)!.receive(A, [health(1, false)])).toEqual({ applied: 0, ignored: 1 });
  });

  it('converges a member that missed flips with the periodic full report, of owned services only', async () => {
    const net = network({ 'DEFAULT_GROUP@@a': A, 'DEFAULT_GROUP@@b': B });
    net.seed(health(1, true), health(2, true, 'DEFAULT_GROUP@@b'));
    const a = net.syncs.get(A)!;
    await a.fullSync();
    net.sent.length = 0;
    // C is down while A flips: the flip is lost for C (and B learns it).
    net.down.add(C);
    net.tables.get(A)!.set(health(1, false));
    // A's stale copy of B's service must not travel (A does not own it).
    net.tables.get(A)!.set(health(2, false, 'DEFAULT_GROUP@@b'));
    a.record(health(1, false));
    await a.flush();
    expect(net.tables.get(B)!.healthyOf(1)).toBe(false);
    expect(net.tables.get(C)!.healthyOf(1)).toBe(true);
    expect(a.stats().sendFailures).toBe(1);
    // Back up: the next flush gives C a full report (rate-limited by retryMs).
    net.down.delete(C);
    net.tick(1000);
    await a.flush();
    expect(net.tables.get(C)!.healthyOf(1)).toBe(true);
    net.tick(1000);
    await a.flush();
    expect(net.tables.get(C)!.healthyOf(1)).toBe(false);
    expect(net.sent.at(-1)).toEqual({ to: C, full: true, results: [health(1, false)] });
    expect(net.tables.get(C)!.healthyOf(2, 'DEFAULT_GROUP@@b')).toBe(true);
    // The periodic full report to everyone.
    net.sent.length = 0;
    await a.fullSync();
    expect(net.sent.map((s) => [s.to, s.full])).toEqual([
      [B, true],
      [C, true],
    ]);
  });

  it('bounds pending flips, report sizes and reports in flight', async () => {
    const net = network({ 'DEFAULT_GROUP@@a': A }, { maxPending: 3, maxResultsPerReport: 2 });
    const a = net.syncs.get(A)!;
    const list = [1, 2, 3, 4, 5].map((p) => health(p, true));
    net.seed(...list);
    await a.flush();
    // Full report of 5 results in reports of at most 2.
    expect(net.sent.filter((s) => s.to === B).map((s) => s.results.length)).toEqual([2, 2, 1]);
    net.sent.length = 0;
    for (const h of list) a.record({ ...h, healthy: false });
    expect(a.stats()).toMatchObject({ pending: 1, dropped: 4 });
    // Overflow: every known peer gets a full report instead of the batch.
    net.tick(5000);
    await a.flush();
    expect(net.sent.every((s) => s.full)).toBe(true);

    // A peer that hangs holds one report at most; flips meanwhile mark it as missing reports.
    const releases: Array<() => void> = [];
    const hanging = new HealthSync({
      self: A,
      peers: () => [B],
      ownerOf: () => A,
      fullState: () => [],
      apply: () => false,
      client: {
        request: () =>
          new Promise<PeerResponse>((resolve) => {
            releases.push(() => resolve({ status: 200, headers: {}, body: Buffer.alloc(0) }));
          }),
      },
    });
    await hanging.flush(); // first contact: an empty full report, so no request
    hanging.record(health(1, false));
    const first = hanging.flush();
    hanging.record(health(2, false));
    await hanging.flush();
    hanging.record(health(3, false));
    await hanging.flush();
    expect(releases).toHaveLength(1);
    releases[0]!();
    await first;
    expect(hanging.stats()).toMatchObject({ sentReports: 1, pending: 0 });
    hanging.stop();
    hanging.record(health(4, false));
    expect(hanging.stats().pending).toBe(0);
  });

  it('refuses malformed reports', () => {
    expect(decodeHealthReport('nope')).toBeUndefined();
    expect(decodeHealthReport(JSON.stringify({ v: 2, full: false, results: [] }))).toBeUndefined();
    expect(decodeHealthReport(JSON.stringify({ v: 1, full: false, results: [['public', 's', 'c', '1.1.1.1', 70000, 1]] }))).toBeUndefined();
    expect(decodeHealthReport(JSON.stringify({ v: 1, full: false, results: [['public', 's', 'c', '1.1.1.1', 80, true]] }))).toBeUndefined();
    const many = Array.from({ length: 3 }, () => ['public', 's', 'c', '1.1.1.1', 80, 1]);
    expect(decodeHealthReport(JSON.stringify({ v: 1, full: true, results: many }), 2)).toBeUndefined();
    expect(decodeHealthReport(JSON.stringify({ v: 1, full: true, results: many }))?.results).toHaveLength(3);
  });
});
