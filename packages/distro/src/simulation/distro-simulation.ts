import { DEFAULT_DISTRO_CONFIG, type DistroConfig, DistroNode } from '../distro-node';
import { isDistroError } from '../errors';
import { type Member, type MemberState, StaticMembership } from '../membership';
import type { DistroChange } from '../processor';
import { MemoryStorage } from '../storage';
import { compareEntries, compareVersions, makeEntry, type Version, type VersionedEntry } from '../versioned-entry';
import { SeededRandom } from './seeded-random';
import { type NetworkFaults, SimNetwork } from './sim-network';
import { VirtualTime } from './virtual-time';

/** Knobs of one simulated run; everything not given is drawn from the seed. */
export interface DistroSimulationOptions {
  readonly seed: number;
  /** Members (3–5 drawn from the seed when absent). */
  readonly nodes?: number;
  /** Virtual time with writes and faults. Default 60 s. */
  readonly chaosMs?: number;
  /** Virtual time after healing (no faults, no writes) before convergence is checked. Default 120 s. */
  readonly quietMs?: number;
  /** Distinct keys written. Default 30. */
  readonly keys?: number;
  /** Overrides of the drawn distro config. */
  readonly config?: Partial<DistroConfig>;
}

/** Figures and findings of a run. `violations` is empty when every invariant held. */
export interface DistroSimulationReport {
  readonly seed: number;
  readonly nodes: number;
  readonly events: number;
  readonly writes: number;
  readonly removes: number;
  readonly crashes: number;
  readonly partitions: number;
  /** Members added to the member list during the run (scale-out). */
  readonly joins: number;
  /** False suspicions injected (one member's probes of a reachable peer fail for a while). */
  readonly suspicions: number;
  readonly viewChanges: number;
  readonly applyChecks: number;
  readonly readinessChecks: number;
  readonly drops: number;
  readonly liveKeysAtEnd: number;
  readonly network: SimNetwork['stats'];
  readonly violations: readonly string[];
}

const TYPE = 'sim';
const MAX_VIOLATIONS = 20;

interface SimMember {
  readonly address: string;
  readonly skewMs: number;
  alive: boolean;
  node: DistroNode | undefined;
  storage: MemoryStorage;
  membership: StaticMembership;
  /** The processor's view: what core would hold, rebuilt from apply calls only. */
  view: Map<string, VersionedEntry>;
  startedAt: number;
  /** Virtual time this member's healthy list last changed (including its boot). */
  viewChangedAt: number;
  /** Consecutive failed probes per peer, as Nacos' member report counts them. */
  probeFailures: Map<string, number>;
  incarnation: number;
}

/**
 * A deterministic, seeded simulation of a distro cluster (the raft package's harness idea, for AP
 * data): N members on virtual time over a lossy network, each with its own clock skew and its own
 * failure-detector view of the others. During the chaos phase clients write and delete keys on the
 * members that think they own them, while the seed drives crashes (ephemeral data lost), restarts,
 * partitions, false suspicions (asymmetric views), a member joining the member list (half the
 * seeds), and message loss, duplication, delay and reordering. Then everything heals and the
 * cluster runs quietly.
 *
 * Invariants, checked as the run goes:
 * 1. every processor apply is strictly newer (merge order) than the key's previous entry on that
 *    member incarnation, and `previous` matches what the processor last saw;
 * 2. a verify drop happens only when the dropping member's healthy list has been unchanged for
 *    `membershipSettleMs`, and only for a key some client deleted at a newer version;
 * 3. a (re)started member is not ready until it loaded a snapshot, all peers were starting too,
 *    or `loadTimeoutMs` passed;
 * and at the end:
 * 4. all members hold the same live key → (version, bytes) map, and each processor view equals
 *    its member's storage;
 * 5. every key has exactly one responsible member.
 */
export async function runDistroSimulation(options: DistroSimulationOptions): Promise<DistroSimulationReport> {
  const rng = new SeededRandom(options.seed);
  const time = new VirtualTime(1_700_000_000_000);
  const n = options.nodes ?? rng.int(3, 5);
  const chaosMs = options.chaosMs ?? 60_000;
  const quietMs = options.quietMs ?? 120_000;
  const keyCount = options.keys ?? 30;
  const config: DistroConfig = {
    ...DEFAULT_DISTRO_CONFIG,
    syncDelayMs: rng.int(200, 1000),
    batchSyncKeyCount: rng.pick([2, 5, 1000]),
    syncRetryDelayMs: rng.int(500, 5000),
    syncRetryMaxDelayMs: 20_000,
    loadRetryDelayMs: rng.int(1000, 5000),
    loadTimeoutMs: rng.int(5000, 30_000),
    membershipSettleMs: 10_000,
    tombstoneTtlMs: rng.int(15_000, 120_000),
    ...options.config,
  };
  const faults: NetworkFaults = { lossRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 50, timeoutMs: 2000 };
  const net = new SimNetwork(time, rng, faults);
  const addresses = Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}:8848`);
  // Half the seeds start one member short and add it later (scale-out: the member list changes).
  const joiner = rng.chance(0.5) ? addresses[n - 1] : undefined;
  const configured = new Set(addresses.filter((a) => a !== joiner));
  /** False suspicions: observer → peer → until when the observer's probes of the peer fail. */
  const suspicions = new Map<string, Map<string, number>>();
  const violations: string[] = [];
  const violate = (msg: string) => {
    if (violations.length < MAX_VIOLATIONS) violations.push(`t=${time.now - 1_700_000_000_000}ms ${msg}`);
  };
  const counts = {
    writes: 0,
    removes: 0,
    crashes: 0,
    partitions: 0,
    joins: 0,
    suspicions: 0,
    viewChanges: 0,
    applyChecks: 0,
    readinessChecks: 0,
    drops: 0,
  };
  /** Newest version at which any client deleted each key. */
  const removedAt = new Map<string, Version>();

  const members = new Map<string, SimMember>();
  for (const address of addresses) {
    members.set(address, {
      address,
      skewMs: rng.int(-2000, 2000),
      alive: false,
      node: undefined,
      storage: new MemoryStorage(),
      membership: new StaticMembership([]),
      view: new Map(),
      startedAt: 0,
      viewChangedAt: 0,
      probeFailures: new Map(),
      incarnation: 0,
    });
  }

  const onApply = (m: SimMember, incarnation: number, c: DistroChange) => {
    if (m.incarnation !== incarnation) return;
    counts.applyChecks++;
    const entry = makeEntry(c.version, c.value);
    const last = m.view.get(c.key);
    if (last !== undefined && compareEntries(entry, last) <= 0) {
      violate(`${m.address} applied ${c.key}@${c.version.ts}/${c.version.origin}${c.value === null ? "(tombstone)" : ""} over newer-or-equal ${last.version.ts}/${last.version.origin}${last.tombstone ? "(tombstone)" : ""} (${c.reason}; stored ${m.storage.get(TYPE, c.key) ? "present" : "absent"})`);
    }
    // A purged tombstone leaves no `previous` behind; anything else must match what we last saw.
    const purged = c.previous === undefined && last?.tombstone === true;
    if (!purged && ((last?.version.ts ?? -1) !== (c.previous?.ts ?? -1) || last?.version.origin !== c.previous?.origin)) {
      violate(`${m.address} change.previous for ${c.key} does not match the processor's last version`);
    }
    if (c.reason === 'drop') {
      counts.drops++;
      if (time.now - m.viewChangedAt < config.membershipSettleMs) violate(`${m.address} dropped ${c.key} while its membership view was changing`);
      const removed = removedAt.get(c.key);
      if (removed === undefined || compareVersions(removed, c.version) <= 0) {
        violate(`${m.address} dropped live ${c.key}@${c.version.ts}/${c.version.origin} that no client deleted at a newer version`);
      }
    }
    m.view.set(c.key, entry);
  };

  const healthyOf = (m: SimMember) =>
    m.membership
      .members()
      .filter((x) => x.state !== 'DOWN')
      .map((x) => x.address)
      .sort()
      .join(',');

  /** Updates `m`'s view of its peers from ground truth, Nacos-style: 1 miss → SUSPICIOUS, 3 → DOWN. */
  const probe = (m: SimMember) => {
    if (!m.alive) return;
    const next: Member[] = addresses.filter((a) => configured.has(a) || a === m.address).map((a) => {
      if (a === m.address) return { address: a, state: 'UP' };
      const peer = members.get(a)!;
      const suspectedUntil = suspicions.get(m.address)?.get(a) ?? 0;
      const ok = peer.alive && net.connected(m.address, a) && suspectedUntil <= time.now;
      const failures = ok ? 0 : (m.probeFailures.get(a) ?? 0) + 1;
      m.probeFailures.set(a, failures);
      const state: MemberState = failures === 0 ? 'UP' : failures < 3 ? 'SUSPICIOUS' : 'DOWN';
      return { address: a, state };
    });
    const before = healthyOf(m);
    const current = m.membership.members();
    const changed = next.some((x, i) => current[i]?.address !== x.address || current[i]?.state !== x.state) || current.length !== next.length;
    if (!changed) return;
    // Record the change time before notifying, so drops during the notification see it.
    const after = next.filter((x) => x.state !== 'DOWN').map((x) => x.address).sort().join(',');
    if (after !== before) {
      m.viewChangedAt = time.now;
      counts.viewChanges++;
    }
    m.membership.set(next);
  };

  const boot = (m: SimMember) => {
    m.incarnation++;
    const incarnation = m.incarnation;
    m.alive = true;
    m.storage = new MemoryStorage();
    m.view = new Map();
    m.startedAt = time.now;
    m.viewChangedAt = time.now;
    m.probeFailures = new Map();
    // A booting member starts from its configured member list, everyone UP (cluster.conf).
    m.membership = new StaticMembership(addresses.filter((a) => configured.has(a)).map((a): Member => ({ address: a, state: 'UP' })));
    const node = new DistroNode({
      self: m.address,
      transport: net.transportFor(m.address),
      membership: m.membership,
      clock: time.clock(m.skewMs),
      storage: m.storage,
      config,
      processors: [{ type: TYPE, apply: (c) => onApply(m, incarnation, c) }],
    });
    m.node = node;
    net.register(m.address, (req) => node.handle(req));
    node.start();
  };

  const crash = (m: SimMember) => {
    m.node?.stop();
    m.node = undefined;
    m.alive = false;
    net.unregister(m.address);
    counts.crashes++;
  };

  const checkReadiness = () => {
    for (const m of members.values()) {
      if (!m.alive || m.node === undefined) continue;
      counts.readinessChecks++;
      const r = m.node.readiness();
      if (!r.ready) continue;
      if (r.reason === 'timeout' && time.now - m.startedAt < config.loadTimeoutMs) violate(`${m.address} ready by timeout too early`);
      if (r.reason === 'loaded' && m.node.stats().snapshotLoads < 1) violate(`${m.address} claims loaded without a snapshot`);
      if (r.reason === 'standalone') violate(`${m.address} ready as standalone in a cluster`);
    }
  };

  const keys = Array.from({ length: keyCount }, (_, i) => `DEFAULT_GROUP@@svc-${i}`);
  let writesEnabled = true;

  const clientWrite = () => {
    if (!writesEnabled) return;
    time.schedule(rng.int(20, 300), clientWrite);
    const live = [...members.values()].filter((m) => m.alive && m.node?.isReady);
    if (live.length === 0) return;
    const entry = rng.pick(live);
    const key = rng.pick(keys);
    // The server forwards to the owner it sees; model that forward (it fails across a partition).
    let target = entry;
    if (!entry.node!.isResponsible(key)) {
      const owner = members.get(entry.node!.ownerOf(key) ?? '');
      if (owner === undefined || !owner.alive || !owner.node?.isReady || !net.connected(entry.address, owner.address)) return;
      target = owner;
    }
    const node = target.node!;
    try {
      if (rng.chance(0.25)) {
        const v = node.remove(TYPE, key);
        counts.removes++;
        const prev = removedAt.get(key);
        if (prev === undefined || compareVersions(v, prev) > 0) removedAt.set(key, v);
      } else {
        node.put(TYPE, key, new TextEncoder().encode(`${target.address}#${counts.writes}`));
        counts.writes++;
      }
    } catch (err) {
      // The owner's own view may differ from the forwarder's: it refuses, as the server would.
      if (!isDistroError(err, 'NOT_RESPONSIBLE')) violate(`write failed unexpectedly: ${String(err)}`);
    }
  };

  const chaos = () => {
    if (!writesEnabled) return;
    time.schedule(rng.int(1000, 6000), chaos);
    const all = [...members.values()];
    const alive = all.filter((m) => m.alive);
    const dead = all.filter((m) => !m.alive && configured.has(m.address));
    switch (rng.int(0, 7)) {
      case 0:
        if (alive.length > 2) crash(rng.pick(alive));
        break;
      case 1:
        if (dead.length > 0) boot(rng.pick(dead));
        break;
      case 2: {
        const shuffled = [...addresses].sort(() => rng.next() - 0.5);
        const cut = rng.int(1, n - 1);
        net.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
        counts.partitions++;
        break;
      }
      case 3:
        net.heal();
        break;
      case 4: {
        if (joiner !== undefined && !configured.has(joiner)) {
          // Scale-out: the new member is added to everyone's member list and started.
          configured.add(joiner);
          boot(members.get(joiner)!);
          counts.joins++;
          break;
        }
        // A false suspicion: one member's probes of a reachable peer fail for a while (asymmetric views).
        const observer = rng.pick(addresses);
        const peer = rng.pick(addresses.filter((a) => a !== observer));
        const map = suspicions.get(observer) ?? new Map<string, number>();
        suspicions.set(observer, map);
        map.set(peer, time.now + rng.int(2000, 8000));
        counts.suspicions++;
        break;
      }
      default:
        net.faults = {
          ...net.faults,
          lossRate: rng.pick([0, 0.05, 0.2, 0.4]),
          duplicateRate: rng.pick([0, 0.05, 0.2]),
          maxDelayMs: rng.pick([20, 200, 1500]),
        };
    }
  };

  const probeLoop = (m: SimMember) => {
    time.schedule(rng.int(800, 1200), () => {
      probe(m);
      probeLoop(m);
    });
  };

  for (const m of members.values()) if (configured.has(m.address)) boot(m);
  for (const m of members.values()) probeLoop(m);
  time.schedule(rng.int(0, 300), clientWrite);
  time.schedule(rng.int(1000, 5000), chaos);

  let events = 0;
  const runUntil = async (until: number) => {
    for (;;) {
      const at = time.nextAt();
      if (at === undefined || at > until) break;
      time.step();
      events++;
      await new Promise<void>((r) => setImmediate(r));
      checkReadiness();
      if (events > 2_000_000) throw new Error(`seed ${options.seed}: event budget exceeded`);
    }
  };

  const start = time.now;
  await runUntil(start + chaosMs);

  // Heal: no more faults or writes, crashed members come back.
  writesEnabled = false;
  net.heal();
  net.faults = { ...net.faults, lossRate: 0, duplicateRate: 0, maxDelayMs: 50 };
  suspicions.clear();
  if (joiner !== undefined && !configured.has(joiner)) {
    configured.add(joiner);
    counts.joins++;
  }
  for (const m of members.values()) if (!m.alive) boot(m);
  await runUntil(start + chaosMs + quietMs);

  // Convergence.
  const liveOf = (m: SimMember) => {
    const out = new Map<string, string>();
    for (const [k, e] of m.storage.entries()) if (e.value !== null) out.set(k.key, `${e.version.ts}/${e.version.origin}/${e.digest}`);
    return out;
  };
  const all = [...members.values()];
  const reference = liveOf(all[0]!);
  for (const m of all) {
    if (!m.node?.isReady) violate(`${m.address} not ready after healing (${m.node?.readiness().reason})`);
    const mine = liveOf(m);
    for (const k of new Set([...reference.keys(), ...mine.keys()])) {
      if (reference.get(k) !== mine.get(k)) violate(`diverged on ${k}: ${all[0]!.address}=${reference.get(k)} ${m.address}=${mine.get(k)}`);
    }
    const viewLive = new Map<string, string>();
    for (const [k, e] of m.view) if (e.value !== null) viewLive.set(k, `${e.version.ts}/${e.version.origin}/${e.digest}`);
    if ([...viewLive].sort().join('|') !== [...mine].sort().join('|')) violate(`${m.address} processor view differs from its storage`);
  }
  for (const k of keys) {
    const owners = all.filter((m) => m.node?.isResponsible(k));
    if (owners.length !== 1) violate(`${k} has ${owners.length} responsible members after healing`);
  }
  for (const m of all) m.node?.stop();

  return {
    seed: options.seed,
    nodes: n,
    events,
    ...counts,
    liveKeysAtEnd: reference.size,
    network: { ...net.stats },
    violations,
  };
}
