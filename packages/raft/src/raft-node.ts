import { RaftError } from './errors';
import { type CoreStatus, mayPrecedeWrite, type ProgressStatus, RawNode, type Ready } from './raw-node';
import type { RaftStorage } from './storage';
import type { Transport } from './transport';
import { encodeConfState, ENTRY_TYPES, type Entry, type HardState, type Logger, MESSAGE_TYPES, type Message, NOOP_LOGGER, type Role, ROLES } from './types';

/**
 * The replicated state machine, implemented by the host (core). Called by the driver only, never
 * concurrently, always in log order.
 */
export interface StateMachine {
  /**
   * Applies one committed command, in log order, exactly once per index in this process's life
   * (after `restore`, from the snapshot's index + 1). Must be deterministic: same commands, same
   * state on every member. Its return value resolves the proposer's promise on this node; if it
   * throws, that proposer's promise rejects with the error and the node carries on (the command
   * must then have had no effect, on every member alike).
   */
  apply(command: Uint8Array, index: number): unknown;
  /** The whole state as of the last applied index. */
  snapshot(): Uint8Array;
  /** Replaces the whole state with a snapshot taken by `snapshot` (possibly on another member). */
  restore(snapshot: Uint8Array): void;
}

/** Options of {@link RaftNode}. */
export interface RaftNodeOptions {
  /** This member's id, e.g. "127.0.0.1:8848". */
  id: string;
  /**
   * Initial voters, self included; used only when storage is empty (bootstrap). Every member of a
   * new group must get the same list. A member that will be added to an existing group later must
   * be started with `[]`: it then waits for the leader to send it the log.
   */
  peers: string[];
  /** `new MemoryStorage()` or `await LmdbStorage.open(dir)`. Owned by the node until `stop`. */
  storage: RaftStorage;
  /** In-memory for tests; the server provides HTTP. */
  transport: Transport;
  stateMachine: StateMachine;
  /** Milliseconds per tick. Default 100. */
  tickMs?: number;
  /** Election timeout in ticks, randomised in [n, 2n). Default 10. */
  electionTicks?: number;
  /** Heartbeat interval in ticks. Default 1. */
  heartbeatTicks?: number;
  /** Take a snapshot after this many applied entries (at least; see `snapshotLogRatio`). Default 10000. */
  snapshotEntries?: number;
  /**
   * A snapshot also waits until the entries applied since the previous one carry at least this many
   * times that snapshot's bytes. Taking one costs time in proportion to the whole state, so with a
   * fixed entry count a large state made every write pay for it (in a profile of a 3-node run, a
   * follower spent 15 % of its wall time snapshotting a 27,000-instance registry); with the ratio, snapshot work stays proportional
   * to what was written, and a restart replays at most about this many snapshots' worth of log. 0
   * counts entries only. Default 4: each write pays for a quarter of its bytes in snapshots (at 1, a
   * 100,000-instance registry spent ~0.3 s of CPU per member on each snapshot, every 100,000 writes),
   * against a restart replay of up to four snapshots' worth of log (about a second at that size).
   */
  snapshotLogRatio?: number;
  /** Entries kept in the log behind a snapshot for slow followers. Default min(1000, snapshotEntries / 2). */
  snapshotTrailingEntries?: number;
  /**
   * InstallSnapshot messages with more data than this are sent as SnapChunk pieces of this size
   * and reassembled by the receiving node before the core sees them. Default 1 MiB.
   */
  snapshotChunkBytes?: number;
  /**
   * Group commit across rounds (Nagle's algorithm for Raft): while a leader has appended entries
   * that are not committed yet, new proposals wait, and go out as one batch (one disk write per
   * member, one AppendEntries per follower) once the round in flight commits, or at once when this
   * many are waiting, or after {@link HOLD_TICKS} ticks. With three members on one busy core a
   * round's fixed costs (fsyncs, messages, wake-ups) dominate, and letting every event-loop turn
   * start its own round split the same load into ~17-entry batches (64 writers). An idle leader
   * (nothing in flight) appends at once, so a lone write waits for no one. 0 turns holding (and
   * `refillWaitMs`) off. Default 1024.
   */
  maxHeldProposals?: number;
  /**
   * After a round commits, the leader waits up to this long (ms) for as many new proposals as that
   * round had before it starts the next. The writers it just answered send their next calls
   * meanwhile; without the wait those calls reach the leader just after the next round left and
   * ride in the one after, so the load splits into two alternating half-size rounds. A round of
   * one entry waits for none. Measured with 64 writers (2 ms, nine tenths of the round): 3 members
   * on one core 6,212 → 7,681 writes/s, one member 21,220 → 26,398/s (holding on in both); 3 ms
   * and the whole round gave another ~5 % on 3 members, 1–4 % on one. 0 turns it off. Default 3.
   */
  refillWaitMs?: number;
  /** Logger for operational events. Default: silent. */
  logger?: Logger;
  /** Randomness for election timeouts. Default Math.random (only the driver uses it). */
  random?: () => number;
  /** Called once if the node stops itself because of a fatal error (storage failure). */
  onFatal?: (error: RaftError) => void;
  /**
   * A proposal not known committed this long (ms) after it was made is rejected with TIMEOUT; its
   * entry may still be committed and applied later. Checked on ticks (no timer per proposal), so
   * it fires up to a tick late. Default: proposals wait as long as leadership lasts.
   */
  commitTimeoutMs?: number;
}

/** What {@link RaftNode.status} reports. */
export interface RaftStatus {
  id: string;
  role: Role;
  term: number;
  /** '' when unknown. */
  leaderId: string;
  commitIndex: number;
  appliedIndex: number;
  /** Voters and learners. */
  members: string[];
  voters: string[];
  learners: string[];
  /** Index of the latest snapshot. */
  snapshotIndex: number;
  /** Replication progress per member; only on the leader. */
  progress?: Record<string, ProgressStatus>;
}

/** Longest wait of held proposals (see {@link RaftNodeOptions.maxHeldProposals}), in ticks: a round that cannot commit (no quorum) does not hold back the next. */
const HOLD_TICKS = 2;

interface PendingProposal {
  term: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** Set when leadership was lost: tick count after which the proposal is given up. */
  deadline?: number;
  /** Tick count after which the proposal is rejected with TIMEOUT (`commitTimeoutMs`). */
  expires?: number;
}

interface PendingRead {
  context: string;
  index?: number;
  deadline: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Runs a Raft member: owns the timer (tick every `tickMs`), the transport, the storage and the
 * state machine, and turns proposals into promises. For each Ready it persists hard state,
 * entries and snapshot in one fsync'd write *before* sending any message or applying anything
 * (the etcd-io/raft order), so nothing it acknowledges can be lost by a crash. Proposals that
 * arrive while a round is in flight wait for it and are batched into the next write and the next
 * round of AppendEntries (group commit; see `maxHeldProposals`).
 *
 * A storage failure is fatal: the node stops (status role stays as it was, every waiting call
 * rejects with STORAGE_FAILED, `onFatal` is called), because a member that cannot persist must
 * not vote or acknowledge again. Restart it (new process or new RaftNode) once storage is fixed.
 */
export class RaftNode {
  private readonly opts: Required<Omit<RaftNodeOptions, 'onFatal' | 'commitTimeoutMs'>> & Pick<RaftNodeOptions, 'onFatal' | 'commitTimeoutMs'>;
  private node: RawNode | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private scheduled = false;
  private processing: Promise<void> | undefined;
  private tickCount = 0;
  private readSeq = 0;
  private appliedIndex = 0;
  private snapshotIndex = 0;
  /** Size of the latest snapshot (taken, installed or loaded at start), and entry bytes applied since. */
  private snapshotBytes = 0;
  private appliedBytesSinceSnapshot = 0;
  private snapshotting = false;
  private readonly proposals = new Map<number, PendingProposal>();
  /** Tick count when the queued proposals began to wait for the round in flight; -1 when none wait. */
  private heldSince = -1;
  /** Proposals in the latest round this leader started, and the index of its last entry (0 once committed). */
  private lastRoundSize = 0;
  private roundEnd = 0;
  /** After a round committed: how many queued proposals start the next one, and whether the wait ran out. */
  private refill: { target: number; expired: boolean } | undefined;
  private queued: { command: Uint8Array; resolve: (value: unknown) => void; reject: (err: unknown) => void; expires?: number }[] = [];
  private reads: PendingRead[] = [];
  /** {@link waitApplied} callers, resolved as the applied index passes theirs. */
  private appliedWaiters: { index: number; resolve: (reached: boolean) => void; expires: number }[] = [];
  /** A hard state whose only change was the commit index, kept for the next durable write. */
  private unsavedHardState: HardState | undefined;
  private wasLeader = false;
  private fatal: RaftError | undefined;
  /** The snapshot being reassembled from SnapChunk messages (one at a time). */
  private chunks: { key: string; data: Uint8Array; seen: Set<number>; received: number } | undefined;

  constructor(options: RaftNodeOptions) {
    if (!options.id) throw new RaftError('INVALID_ARGUMENT', 'id must not be empty');
    const snapshotEntries = options.snapshotEntries ?? 10000;
    this.opts = {
      tickMs: 100,
      electionTicks: 10,
      heartbeatTicks: 1,
      snapshotTrailingEntries: Math.min(1000, Math.floor(snapshotEntries / 2)),
      snapshotChunkBytes: 1024 * 1024,
      maxHeldProposals: 1024,
      refillWaitMs: 3,
      logger: NOOP_LOGGER,
      random: Math.random,
      ...options,
      snapshotEntries,
      snapshotLogRatio: options.snapshotLogRatio ?? 4,
    };
  }

  /**
   * Opens storage state, restores the latest snapshot, re-applies committed entries, starts
   * ticking. A one-member group elects itself at once, so `propose` works right after `start`
   * resolves. Rejects CORRUPTED when the stored state is inconsistent, STORAGE_FAILED when a
   * write fails during start-up.
   */
  async start(): Promise<void> {
    if (this.started) throw new RaftError('INVALID_ARGUMENT', 'RaftNode.start called twice');
    this.started = true;
    const { storage, stateMachine, id, peers } = this.opts;
    const init = storage.initialState();
    const empty = storage.lastIndex() === 0 && storage.snapshot().meta.index === 0 && init.hardState.term === 0;
    if (empty && peers.length > 0) {
      // Bootstrap: entry 1 holds the initial membership, identical on every founding member
      // (sorted), so their logs match from the start (etcd bootstraps the same way).
      const entry: Entry = { term: 1, index: 1, type: ENTRY_TYPES.CONFIG, data: encodeConfState({ voters: peers, learners: [] }) };
      await storage.save({ entries: [entry], hardState: { term: 1, vote: '', commit: 1 } });
    }
    const snap = storage.snapshot();
    if (snap.meta.index > 0) stateMachine.restore(snap.data);
    this.appliedIndex = snap.meta.index;
    this.snapshotIndex = snap.meta.index;
    this.snapshotBytes = snap.data.byteLength;
    this.node = new RawNode({
      id,
      storage,
      electionTicks: this.opts.electionTicks,
      heartbeatTicks: this.opts.heartbeatTicks,
      random: this.opts.random,
      applied: snap.meta.index,
      logger: this.opts.logger,
    });
    this.opts.transport.onMessage((m) => this.receive(m));
    const st = this.node.status();
    if (st.voters.length === 1 && st.voters[0] === id) this.node.campaign();
    this.timer = setInterval(() => this.onTick(), this.opts.tickMs);
    this.timer.unref();
    // Replay committed entries (and, alone, become leader) before resolving.
    await this.drain();
    if (this.fatal) throw this.fatal;
  }

  /** Stops ticking and receiving, rejects waiting calls with STOPPED, waits for the write in flight, closes storage. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.opts.transport.onMessage(undefined);
    this.failAll(new RaftError('STOPPED', 'raft node stopped'));
    try {
      await this.processing;
    } catch {
      // already reported
    }
    if (this.unsavedHardState && !this.fatal) {
      // Best effort: a clean stop keeps the latest commit index (a crash would only lose it).
      await this.opts.storage.save({ hardState: this.unsavedHardState }).catch(() => undefined);
      this.unsavedHardState = undefined;
    }
    await this.opts.storage.close();
  }

  /**
   * Appends a command; resolves with the state machine's return value once the entry is committed
   * (fsync'd on a majority) and applied here. Rejects with RaftError: NOT_LEADER (`leaderId` says
   * where to go), PROPOSAL_DROPPED (leadership lost before this node learned the entry's fate:
   * the command may or may not have been applied), STOPPED.
   */
  propose(command: Uint8Array): Promise<unknown> {
    const node = this.live();
    if (!node) return Promise.reject(this.deadError());
    const st = node.raft;
    if (st.role !== ROLES.LEADER) {
      return Promise.reject(new RaftError('NOT_LEADER', `${this.opts.id} is not the leader`, { leaderId: st.lead || undefined }));
    }
    // Queued, then appended together with every other proposal of this event-loop turn (and, while
    // a round is in flight, of the turns until it commits): one log append, one disk write and one
    // AppendEntries per follower for the whole batch.
    const expires = this.opts.commitTimeoutMs === undefined ? undefined : this.ticksFromNow(this.opts.commitTimeoutMs);
    return new Promise((resolve, reject) => {
      this.queued.push({ command, resolve, reject, expires });
      this.schedule();
    });
  }

  /**
   * Whether the queued proposals wait instead of starting a round now (leader only): while a
   * round is in flight (`maxHeldProposals`, up to {@link HOLD_TICKS} ticks), then for the writers
   * that round answered to come back (`refillWaitMs`). Never once `maxHeldProposals` are queued.
   */
  private holding(node: RawNode): boolean {
    const { maxHeldProposals, refillWaitMs } = this.opts;
    const r = node.raft;
    if (maxHeldProposals <= 0 || r.role !== ROLES.LEADER) return false;
    if (this.roundEnd > 0 && r.log.committed >= this.roundEnd) {
      // The latest round committed and its writers are being answered. A closed-loop client sends
      // its next call once answered: wait for as many calls as the round had, on top of what is
      // queued already.
      this.roundEnd = 0;
      if (refillWaitMs > 0 && this.lastRoundSize > 1) {
        const refill = { target: this.queued.length + this.lastRoundSize, expired: false };
        this.refill = refill;
        setTimeout(() => {
          refill.expired = true;
          if (this.refill === refill) this.schedule();
        }, refillWaitMs).unref();
      }
    }
    if (this.queued.length === 0 || this.queued.length >= maxHeldProposals) return false;
    if (r.log.lastIndex() > r.log.committed) {
      if (this.heldSince < 0) this.heldSince = this.tickCount;
      return this.tickCount - this.heldSince < HOLD_TICKS;
    }
    const refill = this.refill;
    return refill !== undefined && !refill.expired && this.queued.length < refill.target;
  }

  /** Appends the queued proposals as one batch (group commit). */
  private flushProposals(node: RawNode): void {
    if (this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    this.lastRoundSize = batch.length;
    this.heldSince = -1;
    this.refill = undefined;
    let index: number;
    let term: number;
    try {
      ({ index, term } = node.propose(...batch.map((b) => b.command)));
      this.roundEnd = index + batch.length - 1;
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    batch.forEach((b, i) => {
      this.proposals.set(index + i, { term, resolve: b.resolve, reject: b.reject, expires: b.expires });
    });
  }

  /**
   * Resolves once the local state machine has applied everything committed when it was called
   * and leadership was confirmed by a quorum (Raft §8 ReadIndex); reads of local state after that
   * are linearizable. Rejects NOT_LEADER on followers (and when leadership is lost while waiting),
   * TIMEOUT if no quorum answered within two election timeouts, STOPPED.
   */
  readIndex(): Promise<void> {
    const node = this.live();
    if (!node) return Promise.reject(this.deadError());
    const st = node.status();
    if (st.role !== ROLES.LEADER) {
      return Promise.reject(new RaftError('NOT_LEADER', `${this.opts.id} is not the leader`, { leaderId: st.leaderId || undefined }));
    }
    const context = `${this.opts.id}/${++this.readSeq}`;
    return new Promise<void>((resolve, reject) => {
      this.reads.push({ context, deadline: this.tickCount + 2 * this.opts.electionTicks, resolve, reject });
      node.readIndex(context);
      this.schedule();
    });
  }

  /**
   * Adds `id` as a learner (it receives the log but does not vote), waits until it has caught up,
   * then promotes it to voter: one voter added at a time, never an unready one. Leader only.
   * Resolves when the promotion is applied here. Rejects NOT_LEADER, CONFIG_CHANGE_REFUSED, TIMEOUT.
   */
  async addMember(id: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const st = this.requireLeader();
    if (st.voters.includes(id)) return;
    if (!st.learners.includes(id)) await this.changeConf({ voters: st.voters, learners: [...st.learners, id] });
    for (;;) {
      const now = this.requireLeader();
      const pr = now.progress?.[id];
      if (pr && now.lastIndex - pr.match <= 1) break;
      if (Date.now() > deadline) throw new RaftError('TIMEOUT', `learner ${id} did not catch up in time`);
      await new Promise((r) => setTimeout(r, this.opts.tickMs));
    }
    const now = this.requireLeader();
    await this.changeConf({ voters: [...now.voters, id], learners: now.learners.filter((l) => l !== id) });
  }

  /** Removes voter or learner `id` through the log. Leader only. Resolves when applied here. */
  async removeMember(id: string): Promise<void> {
    const st = this.requireLeader();
    await this.changeConf({ voters: st.voters.filter((v) => v !== id), learners: st.learners.filter((l) => l !== id) });
  }

  /**
   * Asks the leader to hand leadership to voter `id` (thesis §3.10): it brings `id` up to date,
   * then tells it to campaign at once. Proposals are refused meanwhile. Resolves when this node
   * sees `id` as leader; rejects TIMEOUT after an election timeout and a bit.
   */
  async transferLeadership(id: string): Promise<void> {
    const node = this.live();
    if (!node) throw this.deadError();
    this.requireLeader();
    node.transferLeader(id);
    this.schedule();
    const deadline = this.tickCount + 2 * this.opts.electionTicks;
    while (node.status().leaderId !== id) {
      if (this.stopped) throw this.deadError();
      if (this.tickCount > deadline) throw new RaftError('TIMEOUT', `leadership transfer to ${id} did not complete`);
      await new Promise((r) => setTimeout(r, this.opts.tickMs / 2));
    }
  }

  /**
   * Resolves true once this member has applied `index` (at once if it already has), false after
   * `timeoutMs` (counted in ticks, up to a tick late; ticks run once started) or when the node
   * stops first. Never rejects. Lets a member that relayed a write to the leader answer only once
   * its own state shows that write (read-your-write), without polling.
   */
  waitApplied(index: number, timeoutMs: number): Promise<boolean> {
    if (this.appliedIndex >= index) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    // Timed out by the tick (a relayed write waits here on every member; a timer each cost more).
    const expires = this.ticksFromNow(timeoutMs);
    return new Promise<boolean>((resolve) => {
      this.appliedWaiters.push({ index, resolve, expires });
    });
  }

  /** The tick count at which `ms` will have passed for sure (ticks are counted once started). */
  private ticksFromNow(ms: number): number {
    return this.tickCount + Math.ceil(ms / this.opts.tickMs) + 1;
  }

  /**
   * Role, leader and applied index only: cheap enough for every request (unlike {@link status},
   * which copies the membership and, on the leader, every member's progress).
   */
  leadership(): { role: Role; leaderId: string; appliedIndex: number } {
    const r = this.node?.raft;
    return r ? { role: r.role, leaderId: r.lead, appliedIndex: this.appliedIndex } : { role: ROLES.FOLLOWER, leaderId: '', appliedIndex: 0 };
  }

  /** A point-in-time view of this member. */
  status(): RaftStatus {
    const s: CoreStatus | undefined = this.node?.status();
    if (!s) {
      return {
        id: this.opts.id,
        role: ROLES.FOLLOWER,
        term: 0,
        leaderId: '',
        commitIndex: 0,
        appliedIndex: 0,
        members: [],
        voters: [],
        learners: [],
        snapshotIndex: 0,
      };
    }
    const status: RaftStatus = {
      id: s.id,
      role: s.role,
      term: s.term,
      leaderId: s.leaderId,
      commitIndex: s.commitIndex,
      appliedIndex: this.appliedIndex,
      members: [...s.voters, ...s.learners],
      voters: s.voters,
      learners: s.learners,
      snapshotIndex: this.snapshotIndex,
    };
    if (s.progress) status.progress = s.progress;
    return status;
  }

  // ---- internals ---------------------------------------------------------------------------

  private live(): RawNode | undefined {
    return this.stopped || !this.node ? undefined : this.node;
  }

  private deadError(): RaftError {
    return this.fatal ?? new RaftError('STOPPED', this.started ? 'raft node stopped' : 'raft node not started');
  }

  private requireLeader(): CoreStatus {
    const node = this.live();
    if (!node) throw this.deadError();
    const st = node.status();
    if (st.role !== ROLES.LEADER) throw new RaftError('NOT_LEADER', `${this.opts.id} is not the leader`, { leaderId: st.leaderId || undefined });
    return st;
  }

  private async changeConf(cs: { voters: string[]; learners: string[] }): Promise<void> {
    const node = this.live();
    if (!node) throw this.deadError();
    const { index, term } = node.proposeConfState(cs);
    await this.track(index, term);
  }

  private track(index: number, term: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.proposals.set(index, { term, resolve, reject });
      this.schedule();
    });
  }

  /** Splits large snapshots into SnapChunk messages (each self-describing, any order). */
  private chunk(messages: Message[]): Message[] {
    const size = this.opts.snapshotChunkBytes;
    if (!messages.some((m) => m.type === MESSAGE_TYPES.SNAP && m.snapshot && m.snapshot.data.byteLength > size)) return messages;
    const out: Message[] = [];
    for (const m of messages) {
      if (m.type !== MESSAGE_TYPES.SNAP || !m.snapshot || m.snapshot.data.byteLength <= size) {
        out.push(m);
        continue;
      }
      const { data, meta } = m.snapshot;
      for (let offset = 0; offset < data.byteLength; offset += size) {
        out.push({
          ...m,
          type: MESSAGE_TYPES.SNAP_CHUNK,
          snapshot: { meta, data: data.subarray(offset, Math.min(offset + size, data.byteLength)) },
          chunkOffset: offset,
          chunkTotal: data.byteLength,
        });
      }
    }
    return out;
  }

  /**
   * Collects SnapChunk pieces; returns the whole Snap message once every byte arrived. A lost
   * piece leaves the buffer incomplete; the leader re-sends the snapshot after its timeout.
   */
  private assemble(m: Message): Message | undefined {
    const s = m.snapshot;
    const total = m.chunkTotal ?? -1;
    const offset = m.chunkOffset ?? -1;
    if (!s || total < 0 || offset < 0 || offset + s.data.byteLength > total) return undefined;
    const key = `${m.from}/${m.term}/${s.meta.index}/${s.meta.term}`;
    let buf = this.chunks;
    if (!buf || buf.key !== key || buf.data.byteLength !== total) {
      buf = { key, data: new Uint8Array(total), seen: new Set<number>(), received: 0 };
      this.chunks = buf;
    }
    if (!buf.seen.has(offset)) {
      buf.seen.add(offset);
      buf.data.set(s.data, offset);
      buf.received += s.data.byteLength;
    }
    if (buf.received < total) return undefined;
    this.chunks = undefined;
    const { chunkOffset: _o, chunkTotal: _t, ...rest } = m;
    return { ...rest, type: MESSAGE_TYPES.SNAP, snapshot: { meta: s.meta, data: buf.data } };
  }

  private receive(incoming: Message): void {
    const node = this.live();
    if (!node) return;
    const m = incoming.type === MESSAGE_TYPES.SNAP_CHUNK ? this.assemble(incoming) : incoming;
    if (!m) return;
    try {
      node.step(m);
    } catch (err) {
      this.opts.logger.warn('dropped a message the core refused', { type: m.type, from: m.from, error: String(err) });
      return;
    }
    this.schedule();
  }

  private onTick(): void {
    const node = this.live();
    if (!node) return;
    this.tickCount++;
    node.tick();
    for (const [index, p] of this.proposals) {
      if (p.deadline !== undefined && this.tickCount > p.deadline) {
        this.proposals.delete(index);
        p.reject(new RaftError('PROPOSAL_DROPPED', `leadership lost before entry ${index} was known committed; it may or may not be applied`, { leaderId: node.status().leaderId || undefined }));
      } else if (p.expires !== undefined && this.tickCount >= p.expires) {
        this.proposals.delete(index);
        p.reject(new RaftError('TIMEOUT', `entry ${index} was not committed within ${this.opts.commitTimeoutMs} ms; it may or may not be applied`));
      }
    }
    if (this.appliedWaiters.length > 0 && this.appliedWaiters.some((w) => this.tickCount >= w.expires)) {
      this.appliedWaiters = this.appliedWaiters.filter((w) => {
        if (this.tickCount < w.expires) return true;
        w.resolve(false);
        return false;
      });
    }
    this.reads = this.reads.filter((r) => {
      if (this.tickCount <= r.deadline) return true;
      r.reject(new RaftError('TIMEOUT', 'ReadIndex was not confirmed by a quorum in time'));
      return false;
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    // setImmediate, not a microtask: lets every proposal of this event-loop turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /** Processes Readies until there is nothing left (one at a time; concurrent callers wait). */
  private drain(): Promise<void> {
    if (this.processing) {
      return this.processing.then(() => ((this.node?.hasReady() || this.queued.length > 0) && !this.stopped ? this.drain() : undefined));
    }
    let finish!: () => void;
    // Set before the loop starts: the loop may finish synchronously when there is nothing to do.
    this.processing = new Promise<void>((resolve) => {
      finish = resolve;
    });
    void (async () => {
      try {
        const node = this.node!;
        for (;;) {
          if (this.stopped) break;
          if (!this.holding(node)) this.flushProposals(node);
          if (!node.hasReady()) break;
          await this.handleReady(node, node.ready());
          await this.maybeSnapshot();
        }
      } catch (err) {
        this.die(err);
      } finally {
        this.processing = undefined;
        finish();
      }
    })();
    return this.processing ?? Promise.resolve();
  }

  private async handleReady(node: RawNode, rd: Ready): Promise<void> {
    const { storage, stateMachine, transport } = this.opts;
    // Committed entries this member already holds durably (and that this Ready does not rewrite)
    // are applied before the write below starts: each is on disk on a majority, this member
    // included, so answering their proposers cannot promise anything not yet durable (etcd's
    // raftNode applies in parallel with its WAL write the same way). The rest wait for the write.
    let early = 0;
    if (!rd.snapshot && rd.committedEntries.length > 0) {
      const stable = Math.min(storage.lastIndex(), rd.entries.length > 0 ? rd.entries[0]!.index - 1 : Number.POSITIVE_INFINITY);
      while (early < rd.committedEntries.length && rd.committedEntries[early]!.index <= stable) early++;
    }
    // A leader's AppendEntries and heartbeats leave now, so its own write overlaps its followers'
    // (it counts its own entries only once written); everything else waits for the write.
    const beforeWrite: Message[] = [];
    const afterWrite: Message[] = [];
    for (const m of rd.messages) (mayPrecedeWrite(m) ? beforeWrite : afterWrite).push(m);
    if (beforeWrite.length > 0) transport.send(this.chunk(beforeWrite));
    // 1. Persist (one durable write for everything in this Ready: group commit). A Ready whose only
    // durable change is a higher commit index needs no write of its own (etcd writes it without
    // fsync): a lower commit after a crash is safe, the leader tells it again. It is kept and goes
    // to disk with the next write.
    const mustSave = !!(rd.snapshot || rd.entries.length > 0 || rd.mustSync);
    if (early > 0) {
      for (let i = 0; i < early; i++) this.applyEntry(rd.committedEntries[i]!);
      this.releaseReads();
      this.releaseApplied();
      // Let their answers leave before this thread may block on the write below (a synchronous
      // commit holds it for the whole fsync): the next batch is made of the calls they free.
      if (mustSave) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.stopped) return;
      }
    }
    let saving: Promise<void> | undefined;
    if (mustSave) {
      const hardState = rd.hardState ?? this.unsavedHardState;
      this.unsavedHardState = undefined;
      saving = storage.save({ hardState, entries: rd.entries, snapshot: rd.snapshot });
    } else if (rd.hardState) {
      this.unsavedHardState = rd.hardState;
    }
    if (saving) await saving;
    if (this.stopped) return;
    // 2. Send: only now may messages promise what was just persisted.
    if (afterWrite.length > 0) transport.send(this.chunk(afterWrite));
    // 3. Apply.
    if (rd.snapshot) {
      stateMachine.restore(rd.snapshot.data);
      this.appliedIndex = rd.snapshot.meta.index;
      this.snapshotIndex = rd.snapshot.meta.index;
      this.snapshotBytes = rd.snapshot.data.byteLength;
      this.appliedBytesSinceSnapshot = 0;
      for (const [index, p] of this.proposals) {
        if (index <= rd.snapshot.meta.index) {
          this.proposals.delete(index);
          p.reject(new RaftError('PROPOSAL_DROPPED', `entry ${index} was superseded by a snapshot; it may or may not be applied`));
        }
      }
    }
    for (let i = early; i < rd.committedEntries.length; i++) this.applyEntry(rd.committedEntries[i]!);
    for (const rs of rd.readStates) {
      const r = this.reads.find((x) => x.context === rs.context);
      if (r) r.index = rs.index;
    }
    // Reads confirmed before a leadership change are still valid: answer them first.
    this.releaseReads();
    this.releaseApplied();
    if (rd.softState) this.onSoftState(rd.softState.role, rd.softState.leaderId);
    // 4. Advance.
    node.advance(rd);
    this.releaseReads();
  }

  private applyEntry(e: Entry): void {
    let result: unknown;
    let error: unknown;
    let failed = false;
    if (e.type === ENTRY_TYPES.COMMAND) {
      try {
        result = this.opts.stateMachine.apply(e.data, e.index);
      } catch (err) {
        failed = true;
        error = err;
      }
    }
    this.appliedIndex = e.index;
    this.appliedBytesSinceSnapshot += e.data.byteLength;
    const p = this.proposals.get(e.index);
    if (!p) return;
    this.proposals.delete(e.index);
    if (p.term !== e.term) {
      p.reject(new RaftError('PROPOSAL_DROPPED', `entry ${e.index} was overwritten by a newer leader`));
    } else if (failed) p.reject(error);
    else p.resolve(result);
  }

  private onSoftState(role: Role, leaderId: string): void {
    const isLeader = role === ROLES.LEADER;
    if (this.wasLeader && !isLeader) {
      this.opts.logger.info('lost leadership', { id: this.opts.id, leaderId });
      this.roundEnd = 0;
      this.refill = undefined;
      // Our entries may still commit under the next leader: wait a while to learn their fate.
      const deadline = this.tickCount + 2 * this.opts.electionTicks;
      for (const p of this.proposals.values()) p.deadline ??= deadline;
      // A read point is only valid from a confirmed leader: send the caller to the new one.
      for (const r of this.reads) {
        r.reject(new RaftError('NOT_LEADER', `${this.opts.id} lost leadership before the read was confirmed`, { leaderId: leaderId || undefined }));
      }
      this.reads = [];
    }
    this.wasLeader = isLeader;
  }

  private releaseApplied(): void {
    if (this.appliedWaiters.length === 0) return;
    const applied = this.appliedIndex;
    this.appliedWaiters = this.appliedWaiters.filter((w) => {
      if (w.index > applied) return true;
      w.resolve(true);
      return false;
    });
  }

  private releaseReads(): void {
    if (this.reads.length === 0) return;
    this.reads = this.reads.filter((r) => {
      if (r.index === undefined || this.appliedIndex < r.index) return true;
      r.resolve();
      return false;
    });
  }

  private async maybeSnapshot(): Promise<void> {
    const { snapshotEntries, snapshotLogRatio, snapshotTrailingEntries, storage, stateMachine } = this.opts;
    if (this.snapshotting || this.stopped || this.appliedIndex - this.snapshotIndex < snapshotEntries) return;
    if (this.appliedBytesSinceSnapshot < snapshotLogRatio * this.snapshotBytes) return;
    const node = this.node!;
    const index = this.appliedIndex;
    const term = node.raft.log.term(index);
    if (term === undefined) return;
    this.snapshotting = true;
    try {
      // Taken synchronously right after applying, so the state is exactly `index`.
      const data = stateMachine.snapshot();
      const confState = node.raft.confState();
      const compactTo = Math.max(storage.firstIndex() - 1, index - snapshotTrailingEntries);
      await storage.compact({ meta: { index, term, confState }, data }, compactTo);
      this.snapshotIndex = index;
      this.snapshotBytes = data.byteLength;
      this.appliedBytesSinceSnapshot = 0;
      this.opts.logger.info('took snapshot', { id: this.opts.id, index, compactTo });
    } finally {
      this.snapshotting = false;
    }
  }

  private failAll(err: RaftError): void {
    for (const q of this.queued) q.reject(err);
    this.queued = [];
    for (const p of this.proposals.values()) p.reject(err);
    this.proposals.clear();
    for (const r of this.reads) r.reject(err);
    this.reads = [];
    for (const w of this.appliedWaiters) w.resolve(false);
    this.appliedWaiters = [];
  }

  private die(err: unknown): void {
    if (this.stopped) return;
    const fatal =
      err instanceof RaftError && err.code === 'STORAGE_FAILED'
        ? err
        : new RaftError('STORAGE_FAILED', `raft node ${this.opts.id} stopped: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    this.fatal = fatal;
    this.opts.logger.error('raft node stopping after a fatal error', { id: this.opts.id, error: fatal.message });
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.opts.transport.onMessage(undefined);
    this.failAll(fatal);
    this.opts.onFatal?.(fatal);
  }
}
