import type { KvInput, KvOutput, Operation } from '../linearizability';
import type { Ready } from '../raw-node';
import { mayPrecedeWrite, RawNode } from '../raw-node';
import { MemoryStorage } from '../storage';
import { ENTRY_TYPES, type Entry, encodeConfState, type HardState, type Message } from '../types';
import { KvStateMachine } from './kv';
import { mulberry32 } from './rng';

/** Fault and workload knobs of a simulation. */
export interface SimOptions {
  seed: number;
  nodes?: number;
  steps?: number;
  dropRate?: number;
  dupRate?: number;
  crashRate?: number;
  partitionRate?: number;
  proposeRate?: number;
  readRate?: number;
  /** Compact after this many applied entries (exercises InstallSnapshot). */
  compactEvery?: number;
  /** Proposals per batch when proposing (batching). */
  batch?: number;
  /** Disable all faults (throughput runs). */
  noFaults?: boolean;
  /** Start the last node outside the group and let the leader add, promote and remove members. */
  membershipChanges?: boolean;
  /** Probability per step of a leader transfer request. */
  transferRate?: number;
}

/** What a simulation did. */
export interface SimStats {
  steps: number;
  messagesDelivered: number;
  dropped: number;
  duplicated: number;
  crashes: number;
  restarts: number;
  partitions: number;
  lostUnsyncedWrites: number;
  invariantChecks: number;
  commits: number;
  snapshotsSent: number;
  leadersElected: number;
  confChanges: number;
  transfers: number;
}

interface SimNode {
  id: string;
  storage: MemoryStorage;
  raw?: RawNode;
  sm: KvStateMachine;
  /** Ready taken but not yet persisted ("in the page cache"): lost on a crash. */
  inflight?: Ready;
  /** Proposals waiting for their entry to apply: index → op. */
  pending: Map<number, { term: number; op: number }>;
  /** Reads waiting: context → op, index once known. */
  reads: Map<string, { op: number; index?: number }>;
  appliedIndex: number;
  /** Committed entries of `inflight` applied when its write started (already durable here). */
  early?: number;
  /** A commit-only hard state not written on its own (RaftNode defers it to the next write). */
  unsavedHard?: HardState;
}

interface Flight {
  msg: Message;
  at: number;
}

/** Raised when a safety invariant breaks; the message says which and where. */
export class InvariantError extends Error {}

/**
 * A deterministic Raft cluster simulator: N RawNodes on MemoryStorage, a network that loses,
 * duplicates, delays and reorders messages, partitions, crashes (losing un-persisted Readies)
 * and restarts, clients issuing KV operations. After every step it checks the safety
 * invariants of Raft (Figure 3 of the paper) on the nodes the step touched, and records a
 * client history for the linearizability checker. Everything is driven by one seed.
 */
export class Simulator {
  readonly rng: () => number;
  readonly nodes: SimNode[] = [];
  readonly stats: SimStats = {
    steps: 0,
    messagesDelivered: 0,
    dropped: 0,
    duplicated: 0,
    crashes: 0,
    restarts: 0,
    partitions: 0,
    lostUnsyncedWrites: 0,
    invariantChecks: 0,
    commits: 0,
    snapshotsSent: 0,
    leadersElected: 0,
    confChanges: 0,
    transfers: 0,
  };
  readonly history: Operation<KvInput, KvOutput>[] = [];
  private net: Flight[] = [];
  private now = 0;
  private readonly leaders = new Map<number, string>();
  /** index → "term:hash" of committed entries, as first seen committed anywhere. */
  private readonly committed = new Map<number, string>();
  /** "index:term" → term of index-1 and content, for the Log Matching property. */
  private readonly seen = new Map<string, string>();
  /** index → content hash applied by anyone (State Machine Safety). */
  private readonly applied = new Map<number, string>();
  private maxCommitted = 0;
  private partition: Set<string> | undefined;
  /** index → (step, result) of the first time anyone applied it. */
  private readonly firstApplied = new Map<number, { at: number; result: KvOutput }>();
  /** Where each put was appended (index, term), to learn the fate of unanswered ones. */
  private readonly placed = new Map<number, { index: number; term: number }>();
  private partitionUntil = 0;
  private opSeq = 0;
  private valueSeq = 0;
  private readonly o: Required<SimOptions>;

  constructor(options: SimOptions) {
    this.o = {
      nodes: 3,
      steps: 2000,
      dropRate: 0.05,
      dupRate: 0.02,
      crashRate: 0.002,
      partitionRate: 0.002,
      proposeRate: 0.15,
      readRate: 0.05,
      compactEvery: 40,
      batch: 1,
      noFaults: false,
      membershipChanges: false,
      transferRate: 0.002,
      ...options,
    };
    if (this.o.noFaults) {
      this.o.dropRate = 0;
      this.o.dupRate = 0;
      this.o.crashRate = 0;
      this.o.partitionRate = 0;
    }
    this.rng = mulberry32(options.seed);
    const ids = Array.from({ length: this.o.nodes }, (_, i) => `n${i + 1}`);
    // With membership changes the last node starts outside the group, with an empty log.
    const founders = this.o.membershipChanges ? ids.slice(0, -1) : ids;
    for (const id of ids) {
      const storage = new MemoryStorage();
      if (founders.includes(id)) {
        storage.saveSync({
          entries: [{ term: 1, index: 1, type: ENTRY_TYPES.CONFIG, data: encodeConfState({ voters: founders, learners: [] }) }],
          hardState: { term: 1, vote: '', commit: 1 },
        });
      }
      const node: SimNode = { id, storage, sm: new KvStateMachine(), pending: new Map(), reads: new Map(), appliedIndex: 0 };
      this.nodes.push(node);
      this.boot(node);
    }
  }

  private boot(n: SimNode): void {
    n.sm = new KvStateMachine();
    const snap = n.storage.snapshot();
    if (snap.meta.index > 0) n.sm.restore(snap.data);
    n.appliedIndex = snap.meta.index;
    n.raw = new RawNode({
      id: n.id,
      storage: n.storage,
      electionTicks: 10,
      heartbeatTicks: 1,
      random: this.rng,
      applied: snap.meta.index,
      maxInflight: 8,
      maxMsgBytes: 4096,
    });
  }

  /** Runs `steps` steps. Throws InvariantError on the first violation. */
  run(steps = this.o.steps): SimStats {
    for (let i = 0; i < steps; i++) this.step();
    return this.stats;
  }

  /**
   * Lets the cluster settle without faults: runs until a leader exists and every member applied
   * the same entries (checked every 50 steps), for at most `steps` steps.
   */
  settle(steps = 5000): void {
    this.partition = undefined;
    for (const n of this.nodes) if (!n.raw) this.restart(n);
    const saved = { ...this.o };
    this.o.dropRate = 0;
    this.o.dupRate = 0;
    this.o.crashRate = 0;
    this.o.partitionRate = 0;
    this.o.proposeRate = 0;
    this.o.readRate = 0;
    for (let i = 0; i < steps; i++) {
      this.step();
      if (i >= 100 && i % 50 === 0 && this.isConverged()) break;
    }
    Object.assign(this.o, saved);
  }

  private isConverged(): boolean {
    try {
      this.checkConverged();
      return true;
    } catch {
      return false;
    }
  }

  step(): void {
    this.now++;
    this.stats.steps++;
    const r = this.rng();
    const live = this.nodes.filter((n) => n.raw);
    if (this.partition && this.now >= this.partitionUntil) this.partition = undefined;
    if (r < this.o.crashRate && live.length > 0) {
      this.crash(this.pick(live));
    } else if (r < this.o.crashRate * 2) {
      const down = this.nodes.filter((n) => !n.raw);
      if (down.length > 0) this.restart(this.pick(down));
    } else if (r < this.o.crashRate * 2 + this.o.partitionRate && !this.partition) {
      this.partition = new Set(this.nodes.filter(() => this.rng() < 0.5).map((n) => n.id));
      this.partitionUntil = this.now + 50 + Math.floor(this.rng() * 300);
      this.stats.partitions++;
    }
    if (this.o.membershipChanges && this.rng() < 0.004) this.changeMembership();
    if (this.rng() < this.o.transferRate) this.transfer();
    // Clients.
    if (this.rng() < this.o.proposeRate) this.clientPut();
    if (this.rng() < this.o.readRate) this.clientGet();
    // Each live node: tick sometimes, deliver some messages, process its Ready in two phases.
    for (const n of this.nodes) {
      if (!n.raw) continue;
      if (this.now % 5 === 0) n.raw.tick();
    }
    this.deliver();
    for (const n of this.nodes) {
      if (!n.raw) continue;
      if (n.inflight) this.flush(n);
      else if (n.raw.hasReady()) {
        n.inflight = n.raw.ready();
        this.startWrite(n);
        // Usually the write completes in the same step; sometimes it stays in flight a step.
        if (this.rng() < 0.7) this.flush(n);
      }
    }
    this.checkLeaders();
  }

  private pick<T>(list: T[]): T {
    return list[Math.floor(this.rng() * list.length)];
  }

  private crash(n: SimNode): void {
    if (n.inflight && (n.inflight.entries.length > 0 || n.inflight.hardState)) this.stats.lostUnsyncedWrites++;
    n.raw = undefined;
    n.inflight = undefined;
    n.early = undefined;
    n.unsavedHard = undefined;
    for (const p of n.pending.values()) this.history[p.op].ret = Number.POSITIVE_INFINITY;
    n.pending.clear();
    for (const r of n.reads.values()) this.abandon(r.op);
    n.reads.clear();
    this.stats.crashes++;
  }

  private restart(n: SimNode): void {
    this.boot(n);
    this.stats.restarts++;
  }

  private abandon(op: number): void {
    // A read that never answered has no effect: drop it from the history.
    this.history[op].ret = -1;
  }

  private leader(): SimNode | undefined {
    const leaders = this.nodes.filter((n) => n.raw?.raft.role === 'LEADER');
    return leaders.length > 0 ? this.pick(leaders) : undefined;
  }

  /** One single-member change: add a learner, promote a learner, or remove a voter. */
  private changeMembership(): void {
    const n = this.leader();
    if (!n?.raw) return;
    const { voters, learners } = n.raw.raft.confState();
    const outside = this.nodes.map((x) => x.id).filter((id) => !voters.includes(id) && !learners.includes(id));
    let next: { voters: string[]; learners: string[] };
    if (learners.length > 0) {
      const l = this.pick(learners);
      const pr = n.raw.raft.prs.get(l);
      // Promote only a learner that caught up (it must not slow down commits when it votes).
      if (!pr || pr.match < n.raw.raft.log.committed) return;
      next = { voters: [...voters, l], learners: learners.filter((x) => x !== l) };
    } else if (outside.length > 0 && this.rng() < 0.6) {
      next = { voters, learners: [...learners, this.pick(outside)] };
    } else if (voters.length > 3) {
      next = { voters: voters.filter((v) => v !== this.pick(voters)), learners };
    } else return;
    try {
      n.raw.proposeConfState(next);
      this.stats.confChanges++;
    } catch {
      // refused (another change pending): fine
    }
  }

  private transfer(): void {
    const n = this.leader();
    if (!n?.raw) return;
    const others = n.raw.raft.voters.filter((v) => v !== n.id);
    if (others.length === 0) return;
    n.raw.transferLeader(this.pick(others));
    this.stats.transfers++;
  }

  private clientPut(): void {
    const n = this.leader();
    if (!n?.raw) return;
    const count = this.o.batch;
    const datas: Uint8Array[] = [];
    const ops: number[] = [];
    for (let i = 0; i < count; i++) {
      const input: KvInput = { op: 'put', key: `k${Math.floor(this.rng() * 3)}`, value: `v${++this.valueSeq}` };
      datas.push(KvStateMachine.encode(input));
      ops.push(this.history.push({ input, call: this.now, ret: Number.POSITIVE_INFINITY }) - 1);
    }
    try {
      const { index, term } = n.raw.propose(...datas);
      ops.forEach((op, i) => {
        n.pending.set(index + i, { term, op });
        this.placed.set(op, { index: index + i, term });
      });
    } catch {
      for (const op of ops) this.history[op].ret = -1; // refused: never took effect
    }
  }

  private clientGet(): void {
    const n = this.leader();
    if (!n?.raw) return;
    const input: KvInput = { op: 'get', key: `k${Math.floor(this.rng() * 3)}` };
    const op = this.history.push({ input, call: this.now, ret: Number.POSITIVE_INFINITY }) - 1;
    const ctx = `r${++this.opSeq}`;
    n.reads.set(ctx, { op });
    n.raw.readIndex(ctx);
  }

  private send(msgs: Message[]): void {
    for (const m of msgs) {
      if (m.type === 'Snap') this.stats.snapshotsSent++;
      if (this.rng() < this.o.dropRate) {
        this.stats.dropped++;
        continue;
      }
      const copies = this.rng() < this.o.dupRate ? 2 : 1;
      if (copies === 2) this.stats.duplicated++;
      for (let c = 0; c < copies; c++) this.net.push({ msg: m, at: this.now + 1 + Math.floor(this.rng() * 8) });
    }
  }

  private deliver(): void {
    const due: Flight[] = [];
    const later: Flight[] = [];
    for (const f of this.net) (f.at <= this.now ? due : later).push(f);
    this.net = later;
    // Shuffle: reordering.
    for (let i = due.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [due[i], due[j]] = [due[j], due[i]];
    }
    for (const { msg } of due) {
      const to = this.nodes.find((n) => n.id === msg.to);
      if (!to?.raw) continue;
      if (this.partition && this.partition.has(msg.from) !== this.partition.has(msg.to)) continue;
      this.stats.messagesDelivered++;
      to.raw.step(msg);
    }
  }

  /**
   * The host's write starts (RaftNode.handleReady): committed entries this member already holds
   * durably, and that the Ready does not rewrite, are applied (and their proposers answered) while
   * the write is in flight; a Ready whose only durable change is the commit index writes nothing.
   */
  private startWrite(n: SimNode): void {
    const rd = n.inflight!;
    // As RaftNode: a leader's AppendEntries, heartbeats and snapshots leave before the write, which
    // may then be lost in a crash (the write stays in flight for a step now and then).
    this.send(rd.messages.filter(mayPrecedeWrite));
    let early = 0;
    if (!rd.snapshot && rd.committedEntries.length > 0) {
      const stable = Math.min(n.storage.lastIndex(), rd.entries.length > 0 ? rd.entries[0].index - 1 : Number.POSITIVE_INFINITY);
      while (early < rd.committedEntries.length && rd.committedEntries[early].index <= stable) early++;
    }
    for (let i = 0; i < early; i++) this.apply(n, rd.committedEntries[i]);
    n.early = early;
    if (early > 0) this.answerReads(n);
  }

  private flush(n: SimNode): void {
    const rd = n.inflight!;
    n.inflight = undefined;
    const raw = n.raw!;
    if (rd.snapshot || rd.entries.length > 0 || rd.mustSync) {
      n.storage.saveSync({ hardState: rd.hardState ?? n.unsavedHard, entries: rd.entries, snapshot: rd.snapshot });
      n.unsavedHard = undefined;
    } else if (rd.hardState) {
      n.unsavedHard = rd.hardState;
    }
    this.checkLog(n, rd.entries);
    this.send(rd.messages.filter((m) => !mayPrecedeWrite(m)));
    if (rd.snapshot) {
      n.sm.restore(rd.snapshot.data);
      n.appliedIndex = rd.snapshot.meta.index;
      for (const [index, p] of n.pending) {
        if (index <= rd.snapshot.meta.index) {
          this.history[p.op].ret = Number.POSITIVE_INFINITY;
          n.pending.delete(index);
        }
      }
    }
    for (let i = n.early ?? 0; i < rd.committedEntries.length; i++) this.apply(n, rd.committedEntries[i]);
    n.early = undefined;
    for (const rs of rd.readStates) {
      const r = n.reads.get(rs.context);
      if (r) r.index = rs.index;
    }
    raw.advance(rd);
    this.checkCommitted(n);
    this.answerReads(n);
    // Compaction (the host's choice): snapshot the state machine, keep a few entries.
    if (n.appliedIndex - n.storage.snapshot().meta.index >= this.o.compactEvery && !rd.snapshot) {
      const index = n.appliedIndex;
      const term = raw.raft.log.term(index);
      if (term !== undefined && index <= n.storage.lastIndex()) {
        n.storage.compactSync({ meta: { index, term, confState: raw.raft.confState() }, data: n.sm.snapshot() }, Math.max(n.storage.firstIndex() - 1, index - 5));
      }
    }
  }

  private apply(n: SimNode, e: Entry): void {
    if (e.index !== n.appliedIndex + 1) throw new InvariantError(`${n.id} applied ${e.index} after ${n.appliedIndex} (gap)`);
    n.appliedIndex = e.index;
    const h = `${e.term}:${e.type}:${Buffer.from(e.data).toString('base64')}`;
    this.stats.invariantChecks++;
    const other = this.applied.get(e.index);
    if (other === undefined) {
      this.applied.set(e.index, h);
      this.stats.commits++;
    } else if (other !== h) {
      throw new InvariantError(`State Machine Safety: ${n.id} applied ${h} at ${e.index}, another member applied ${other}`);
    }
    let result: unknown;
    if (e.type === ENTRY_TYPES.COMMAND) result = n.sm.apply(e.data, e.index);
    if (!this.firstApplied.has(e.index)) this.firstApplied.set(e.index, { at: this.now, result: (result ?? null) as KvOutput });
    const p = n.pending.get(e.index);
    if (p) {
      n.pending.delete(e.index);
      const op = this.history[p.op];
      if (p.term === e.term) {
        op.output = result as KvOutput;
        op.ret = this.now;
      }
      else op.ret = -1; // overwritten by another leader: it never took effect
    }
  }

  private answerReads(n: SimNode): void {
    for (const [ctx, r] of n.reads) {
      if (r.index !== undefined && n.appliedIndex >= r.index) {
        const op = this.history[r.op];
        op.output = n.sm.data.get(op.input.key) ?? null;
        op.ret = this.now;
        n.reads.delete(ctx);
      }
    }
  }

  /** Election Safety (§5.2): at most one leader per term. */
  private checkLeaders(): void {
    for (const n of this.nodes) {
      if (n.raw?.raft.role !== 'LEADER') continue;
      this.stats.invariantChecks++;
      const term = n.raw.raft.term;
      const other = this.leaders.get(term);
      if (other === undefined) {
        this.leaders.set(term, n.id);
        this.stats.leadersElected++;
        this.checkLeaderCompleteness(n);
      } else if (other !== n.id) {
        throw new InvariantError(`Election Safety: ${other} and ${n.id} are both leaders of term ${term}`);
      }
    }
  }

  /** Leader Completeness (§5.4): a new leader holds every committed entry. */
  private checkLeaderCompleteness(n: SimNode): void {
    const log = n.raw!.raft.log;
    for (let i = Math.max(log.firstIndex(), 1); i <= this.maxCommitted; i++) {
      this.stats.invariantChecks++;
      const want = this.committed.get(i);
      const t = log.term(i);
      if (want !== undefined && (t === undefined || String(t) !== want.split(':')[0])) {
        throw new InvariantError(`Leader Completeness: leader ${n.id} (term ${n.raw!.raft.term}) lacks committed entry ${i} (${want}); has term ${t}`);
      }
    }
  }

  /** Log Matching (§5.3): same index and term ⇒ same entry and same preceding term. */
  private checkLog(n: SimNode, entries: Entry[]): void {
    for (const e of entries) {
      this.stats.invariantChecks++;
      const prevTerm = n.storage.term(e.index - 1);
      const h = `${prevTerm}:${e.type}:${Buffer.from(e.data).toString('base64')}`;
      const key = `${e.index}:${e.term}`;
      const other = this.seen.get(key);
      if (other === undefined) this.seen.set(key, h);
      else if (other !== h) throw new InvariantError(`Log Matching: ${n.id} holds ${key} as ${h}, another member as ${other}`);
    }
  }

  /** Committed entries never change or disappear (checked against this node's persisted log). */
  private checkCommitted(n: SimNode): void {
    // The persisted commit index: hard state and entries are saved together, so the stored log
    // is consistent up to it (the in-memory commit may already cover entries not yet written).
    const commit = n.storage.initialState().hardState.commit;
    const from = Math.max(n.storage.firstIndex(), 1);
    for (let i = Math.max(from, commit - 20); i <= Math.min(commit, n.storage.lastIndex()); i++) {
      this.stats.invariantChecks++;
      const t = n.storage.term(i);
      const h = `${t}:${n.storage.entries(i, i + 1)[0].data.byteLength}`;
      const other = this.committed.get(i);
      if (other === undefined) this.committed.set(i, h);
      else if (other !== h) throw new InvariantError(`Committed entry changed: ${n.id} has ${h} at ${i}, was ${other}`);
    }
    if (commit > this.maxCommitted) this.maxCommitted = commit;
  }

  /** After settle(): every live node applied the same prefix and the logs agree. */
  checkConverged(): void {
    // Members of the final configuration (removed nodes legitimately stop receiving the log).
    const leader = this.nodes.find((n) => n.raw?.raft.role === 'LEADER');
    if (!leader) throw new InvariantError('no leader after settling');
    const conf = leader.raw!.raft.confState();
    const members = this.nodes.filter((n) => conf.voters.includes(n.id) || conf.learners.includes(n.id));
    const maxApplied = Math.max(...members.map((n) => n.appliedIndex));
    for (const n of members) {
      if (n.appliedIndex !== maxApplied) throw new InvariantError(`${n.id} applied ${n.appliedIndex}, others ${maxApplied} after settling`);
    }
    const states = members.map((n) => JSON.stringify([...n.sm.data].sort()));
    if (new Set(states).size !== 1) throw new InvariantError(`state machines differ after settling: ${states.join(' | ')}`);
  }

  /** The client history (operations that never took effect removed). */
  clientHistory(): Operation<KvInput, KvOutput>[] {
    // An unanswered put whose entry was never applied anywhere (overwritten, or never committed)
    // certainly had no effect: drop it. One that was applied took effect by the time it was
    // first applied, with the result every member computed: complete it so. Both are sound
    // (a linearizable run stays linearizable) and keep the search from going exponential.
    this.history.forEach((op, i) => {
      if (op.ret !== Number.POSITIVE_INFINITY) return;
      if (op.input.op === 'get') {
        // An unanswered read constrains nothing.
        op.ret = -1;
        return;
      }
      const at = this.placed.get(i);
      const applied = at ? this.applied.get(at.index) : undefined;
      if (!at || !applied?.startsWith(`${at.term}:`)) {
        op.ret = -1;
        return;
      }
      const first = this.firstApplied.get(at.index)!;
      op.ret = first.at;
      op.output = first.result;
    });
    return this.history.filter((op) => op.ret !== -1);
  }
}
