import { RaftError } from './errors';
import { Progress } from './progress';
import { committedIndex, voteResult, type VoteResult } from './quorum';
import { RaftLog } from './raft-log';
import type { RaftStorage } from './storage';
import {
  type ConfState,
  decodeConfState,
  ENTRY_TYPES,
  type Entry,
  type EntryType,
  type HardState,
  type Logger,
  MESSAGE_TYPES as M,
  type Message,
  type MessageType,
  NOOP_LOGGER,
  normalizeConfState,
  type ReadState,
  type Role,
  ROLES,
  type Snapshot,
} from './types';

/** Configuration of the pure Raft core. */
export interface RaftConfig {
  /** This member's id (non-empty). */
  id: string;
  /** Read-only view of the persisted state. The core never writes to it. */
  storage: RaftStorage;
  /** Followers start an election after [electionTicks, 2·electionTicks) ticks without a leader. */
  electionTicks: number;
  /** The leader sends heartbeats every `heartbeatTicks` ticks (must be < electionTicks). */
  heartbeatTicks: number;
  /** Source of randomness in [0, 1) for election timeouts. Injected so runs are reproducible. */
  random: () => number;
  /** Highest index already applied by the host (e.g. the restored snapshot's index). */
  applied?: number;
  /** Run a pre-vote round before bumping the term (Raft thesis §9.6). Default true. */
  preVote?: boolean;
  /** Leader steps down when it has not heard from a quorum for an election timeout. Default true. */
  checkQuorum?: boolean;
  /** Approximate byte limit of the entries in one AppendEntries. Default 1 MiB. */
  maxMsgBytes?: number;
  /** Number of AppendEntries in flight per follower when pipelining. Default 256. */
  maxInflight?: number;
  /** Byte limit of committed entries handed out per Ready. Default 4 MiB. */
  maxApplyBytes?: number;
  logger?: Logger;
}

/** A ReadIndex request waiting for its heartbeat quorum. */
interface PendingRead {
  context: string;
  index: number;
  /** '' when requested locally on the leader, else the follower that forwarded it. */
  from: string;
  acks: Map<string, boolean>;
}

/** Campaign kinds: a pre-vote round, a real election, or one forced by a leader transfer. */
type CampaignKind = 'pre' | 'elect' | 'transfer';

const TRANSFER_CONTEXT = 'transfer';

/**
 * The Raft state machine of one member (etcd-io/raft `raft` struct): synchronous, deterministic,
 * no I/O. Inputs are `step(message)` and `tick()`; outputs accumulate in `msgs`, `readStates`
 * and the log's unstable part, and are collected by {@link RawNode.ready}.
 */
export class Raft {
  readonly id: string;
  term = 0;
  vote = '';
  lead = '';
  role: Role = ROLES.FOLLOWER;
  readonly log: RaftLog;
  voters: string[] = [];
  learners: string[] = [];
  readonly prs = new Map<string, Progress>();
  readonly votes = new Map<string, boolean>();
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** Index of the last CONFIG entry appended by this leader; no new change until it is applied. */
  pendingConfIndex = 0;
  /** Log index of the configuration in effect (snapshot index or CONFIG entry index). */
  confIndex = 0;
  leadTransferee = '';
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  readonly electionTimeout: number;
  readonly heartbeatTimeout: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  private readonly maxMsgBytes: number;
  private readonly maxInflight: number;
  private readonly random: () => number;
  readonly logger: Logger;
  private readQueue: PendingRead[] = [];
  private pendingReadIndexMessages: Message[] = [];

  constructor(config: RaftConfig) {
    if (!config.id) throw new RaftError('INVALID_ARGUMENT', 'raft id must not be empty');
    if (config.heartbeatTicks <= 0 || config.electionTicks <= config.heartbeatTicks) {
      throw new RaftError('INVALID_ARGUMENT', 'need 0 < heartbeatTicks < electionTicks');
    }
    this.id = config.id;
    this.electionTimeout = config.electionTicks;
    this.heartbeatTimeout = config.heartbeatTicks;
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.maxMsgBytes = config.maxMsgBytes ?? 1024 * 1024;
    this.maxInflight = config.maxInflight ?? 256;
    this.random = config.random;
    this.logger = config.logger ?? NOOP_LOGGER;
    this.log = new RaftLog(config.storage, config.maxApplyBytes ?? 4 * 1024 * 1024);

    const { hardState, confState } = config.storage.initialState();
    // A commit index that only moved is written with the next write, not at once (see RaftNode),
    // so the stored one may lag behind a snapshot this member took of what it had applied; the
    // snapshot's entries were committed, so its index is a floor for the commit index.
    const commit = Math.max(hardState.commit, config.storage.snapshot().meta.index);
    if (commit < this.log.committed || commit > this.log.lastIndex()) {
      throw new RaftError('CORRUPTED', `hard state commit ${hardState.commit} is outside the log [${this.log.committed}, ${this.log.lastIndex()}]`);
    }
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.log.committed = commit;
    if (config.applied !== undefined && config.applied > 0) {
      this.log.applied = config.applied;
      this.log.applying = config.applied;
    }
    // Membership = the snapshot's, then every committed CONFIG entry after it (they are committed,
    // so every member will apply them; using them now lets a restarted node campaign at once).
    let cs = confState;
    let confIndex = this.log.firstIndex() - 1;
    const first = this.log.firstIndex();
    if (this.log.committed >= first) {
      for (const e of this.log.slice(first, this.log.committed + 1)) {
        if (e.type === ENTRY_TYPES.CONFIG) {
          cs = decodeConfState(e.data);
          confIndex = e.index;
        }
      }
    }
    this.setConf(cs, confIndex);
    this.becomeFollower(this.term, '');
  }

  // ---- state transitions -------------------------------------------------------------------

  /** The state to persist now (term, vote, commit). */
  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  /** A voter in the current configuration with no snapshot waiting to be persisted. */
  promotable(): boolean {
    return this.voters.includes(this.id) && !this.log.unstableSnapshot;
  }

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = '';
    }
    this.lead = '';
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(this.random() * this.electionTimeout);
    this.leadTransferee = '';
    this.votes.clear();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.prs) {
      const fresh = new Progress(last + 1, this.maxInflight);
      fresh.isLearner = pr.isLearner;
      // Only what is on disk counts for this member (entries appended but not written yet do not).
      if (id === this.id) fresh.match = Math.min(last, this.log.unstableOffset - 1);
      this.prs.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.readQueue = [];
    this.pendingReadIndexMessages = [];
  }

  /** Steps down (or starts) as follower of `lead` ('' when unknown) in `term`. */
  becomeFollower(term: number, lead: string): void {
    this.reset(term);
    this.lead = lead;
    this.role = ROLES.FOLLOWER;
  }

  private becomePreCandidate(): void {
    if (this.role === ROLES.LEADER) throw new Error('raft invariant: leader cannot become pre-candidate');
    // Does not touch term or vote: a pre-vote must not disturb anyone (thesis §9.6).
    this.votes.clear();
    this.lead = '';
    this.role = ROLES.PRE_CANDIDATE;
  }

  private becomeCandidate(): void {
    if (this.role === ROLES.LEADER) throw new Error('raft invariant: leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = ROLES.CANDIDATE;
  }

  private becomeLeader(): void {
    if (this.role === ROLES.FOLLOWER) throw new Error('raft invariant: follower cannot become leader');
    this.reset(this.term);
    this.lead = this.id;
    this.role = ROLES.LEADER;
    for (const pr of this.prs.values()) pr.recentActive = true;
    // Conservatively treat any unapplied entry as a possible config change (etcd does the same).
    this.pendingConfIndex = this.log.lastIndex();
    // A no-op of our own term: committing it commits everything before it (§5.4.2) and tells
    // us the commit index for ReadIndex (§8).
    this.appendEntries([{ type: ENTRY_TYPES.NOOP, data: new Uint8Array(0) }]);
    this.logger.info('became leader', { id: this.id, term: this.term });
  }

  // ---- membership --------------------------------------------------------------------------

  /** Installs a configuration (from a snapshot, or an applied CONFIG entry). */
  setConf(cs: ConfState, index: number): void {
    if (index < this.confIndex) return;
    this.confIndex = index;
    const { voters, learners } = normalizeConfState(cs);
    this.voters = voters;
    this.learners = learners;
    const members = new Set([...voters, ...learners]);
    for (const id of [...this.prs.keys()]) if (!members.has(id)) this.prs.delete(id);
    const last = this.log.lastIndex();
    for (const id of members) {
      let pr = this.prs.get(id);
      if (!pr) {
        pr = new Progress(last + 1, this.maxInflight);
        pr.recentActive = true;
        if (id === this.id) pr.match = last;
        this.prs.set(id, pr);
      }
      pr.isLearner = !voters.includes(id);
    }
    if (this.role !== ROLES.LEADER) return;
    if (!voters.includes(this.id)) {
      // Removed (or demoted) leader: step down so the remaining voters elect one of their own.
      this.becomeFollower(this.term, '');
      return;
    }
    if (this.leadTransferee && !voters.includes(this.leadTransferee)) this.leadTransferee = '';
    // The quorum changed: entries may now be committed.
    if (this.maybeCommit()) this.bcastAppend();
    else for (const id of this.prs.keys()) if (id !== this.id) this.maybeSendAppend(id, false);
  }

  /** A copy of the membership in effect. */
  confState(): ConfState {
    return { voters: [...this.voters], learners: [...this.learners] };
  }

  // ---- sending -----------------------------------------------------------------------------

  private send(m: Omit<Message, 'from' | 'term'> & { term?: number }): void {
    const msg = m as Message;
    msg.from = this.id;
    if (msg.term === undefined) {
      // Vote requests carry their own term (a pre-vote asks for term+1 without adopting it);
      // everything else is stamped with ours.
      msg.term = this.term;
    }
    this.msgs.push(msg);
  }

  /** Sends entries (or a snapshot) to `to` if flow control allows. True if something was sent. */
  maybeSendAppend(to: string, sendIfEmpty: boolean): boolean {
    const pr = this.prs.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    let entries: Entry[] | undefined;
    if (prevTerm !== undefined) {
      try {
        entries = this.log.slice(pr.next, this.log.lastIndex() + 1, this.maxMsgBytes);
      } catch (err) {
        if (!(err instanceof RaftError && err.code === 'COMPACTED')) throw err;
      }
    }
    if (entries !== undefined && entries.length === 0 && !sendIfEmpty) return false;
    if (prevTerm === undefined || entries === undefined) {
      // The follower needs entries we compacted: InstallSnapshot (§7).
      if (!pr.recentActive) return false;
      const snapshot = this.log.snapshot();
      if (snapshot.meta.index === 0) return false;
      this.send({ type: M.SNAP, to, snapshot });
      pr.becomeSnapshot(snapshot.meta.index);
      this.logger.debug('sent snapshot', { to, index: snapshot.meta.index });
      return true;
    }
    this.send({ type: M.APP, to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed });
    pr.sentEntries(entries.length > 0 ? entries[entries.length - 1].index : undefined);
    return true;
  }

  private bcastAppend(): void {
    for (const id of this.prs.keys()) if (id !== this.id) this.maybeSendAppend(id, true);
  }

  private bcastHeartbeat(context?: string): void {
    for (const [id, pr] of this.prs) {
      if (id === this.id) continue;
      // Never advance a follower's commit past what it is known to hold.
      const commit = Math.min(pr.match, this.log.committed);
      this.send({ type: M.HEARTBEAT, to: id, commit, context });
    }
  }

  // ---- leader bookkeeping ------------------------------------------------------------------

  /** Appends entries as leader. Returns the index of the first one. */
  appendEntries(es: { type: EntryType; data: Uint8Array }[]): number {
    const last = this.log.lastIndex();
    const entries: Entry[] = es.map((e, i) => ({ term: this.term, index: last + 1 + i, type: e.type, data: e.data }));
    this.log.append(entries);
    // The leader counts itself for these only once they are on its disk ({@link persistedTo}):
    // its AppendEntries may leave before its own write finishes (the host overlaps the two).
    return last + 1;
  }

  /**
   * The host wrote the log through `index` (of `term`) to disk. A leader counts its own copy from
   * now on, which may commit entries (Raft thesis §10.2.1: the leader writes in parallel with
   * replicating, but an entry is committed only once a majority holds it durably).
   */
  persistedTo(index: number, term: number): void {
    if (this.role !== ROLES.LEADER || this.log.term(index) !== term) return;
    const self = this.prs.get(this.id);
    if (self?.maybeUpdate(index) && this.maybeCommit()) this.bcastAppend();
  }

  /** Leader: advances the commit index to what a majority holds, if of the current term. */
  maybeCommit(): boolean {
    const mci = committedIndex(this.voters, (id) => this.prs.get(id)?.match ?? 0);
    const committed = this.log.maybeCommit(mci, this.term);
    if (committed && this.role === ROLES.LEADER) this.releasePendingReadIndexMessages();
    return committed;
  }

  private committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  private quorumActive(): boolean {
    const votes = new Map<string, boolean>();
    for (const [id, pr] of this.prs) {
      if (id === this.id) votes.set(id, true);
      else if (!pr.isLearner) votes.set(id, pr.recentActive);
    }
    return voteResult(this.voters, votes) === 'won';
  }

  // ---- ticks -------------------------------------------------------------------------------

  /** Advances the logical clock by one tick. */
  tick(): void {
    if (this.role === ROLES.LEADER) this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step({ type: M.HUP, from: this.id, to: this.id, term: 0 });
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    for (const [id, pr] of this.prs) {
      // A snapshot (or its answer) was lost: after an election timeout, probe again so the
      // leader resends it instead of waiting forever.
      if (id !== this.id && pr.state === 'snapshot' && ++pr.snapshotTicks > this.electionTimeout * 2) {
        pr.becomeProbe();
      }
    }
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.step({ type: M.CHECK_QUORUM, from: this.id, to: this.id, term: 0 });
      // A transfer that did not finish within an election timeout is abandoned (thesis §3.10).
      if (this.role === ROLES.LEADER && this.leadTransferee) this.leadTransferee = '';
    }
    if (this.role !== ROLES.LEADER) return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.step({ type: M.BEAT, from: this.id, to: this.id, term: 0 });
    }
  }

  // ---- elections ---------------------------------------------------------------------------

  private hup(kind: CampaignKind): void {
    if (this.role === ROLES.LEADER) return;
    if (!this.promotable()) return;
    // A committed but unapplied membership change must be applied first, or we would campaign
    // with a stale configuration.
    if (this.log.committed > this.confIndex) {
      const pending = this.log.slice(Math.max(this.confIndex + 1, this.log.firstIndex()), this.log.committed + 1);
      if (pending.some((e) => e.type === ENTRY_TYPES.CONFIG)) {
        this.logger.warn('not campaigning: a configuration change is committed but not applied', { id: this.id });
        return;
      }
    }
    this.campaign(kind === 'elect' && this.preVote ? 'pre' : kind);
  }

  private campaign(kind: CampaignKind): void {
    let voteType: MessageType;
    let term: number;
    if (kind === 'pre') {
      this.becomePreCandidate();
      voteType = M.PRE_VOTE;
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = M.VOTE;
      term = this.term;
    }
    if (this.poll(this.id, true) === 'won') {
      // A single voter wins at once.
      if (kind === 'pre') this.campaign('elect');
      else this.becomeLeader();
      return;
    }
    for (const id of this.voters) {
      if (id === this.id) continue;
      this.send({
        type: voteType,
        to: id,
        term,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        context: kind === 'transfer' ? TRANSFER_CONTEXT : undefined,
      });
    }
  }

  private poll(id: string, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    return voteResult(this.voters, this.votes);
  }

  // ---- step --------------------------------------------------------------------------------

  /** Feeds one message (from a peer, or a local event) into the state machine. */
  step(m: Message): void {
    if (m.term === 0) {
      // local message
    } else if (m.term > this.term) {
      if (m.type === M.VOTE || m.type === M.PRE_VOTE) {
        const force = m.context === TRANSFER_CONTEXT;
        const inLease = this.checkQuorum && this.lead !== '' && this.electionElapsed < this.electionTimeout;
        // We heard from a live leader recently: ignore disruptive candidates (thesis §4.2.3).
        if (!force && inLease) return;
      }
      if (m.type === M.PRE_VOTE) {
        // Never change our term in response to a pre-vote.
      } else if (m.type === M.PRE_VOTE_RESP && !m.reject) {
        // We bump our term when we win the pre-vote; the responder did not change its term.
      } else if (m.type === M.APP || m.type === M.HEARTBEAT || m.type === M.SNAP) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, '');
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === M.HEARTBEAT || m.type === M.APP)) {
        // A stale leader (e.g. healed from a partition) learns our term and steps down; without
        // this it would keep sending and, with pre-vote, we would never disrupt it.
        this.send({ type: M.APP_RESP, to: m.from });
      } else if (m.type === M.PRE_VOTE) {
        this.send({ type: M.PRE_VOTE_RESP, to: m.from, reject: true });
      }
      return;
    }

    switch (m.type) {
      case M.HUP:
        this.hup('elect');
        return;
      case M.VOTE:
      case M.PRE_VOTE: {
        const canVote =
          this.vote === m.from ||
          (this.vote === '' && this.lead === '') ||
          (m.type === M.PRE_VOTE && m.term > this.term);
        const respType = m.type === M.VOTE ? M.VOTE_RESP : M.PRE_VOTE_RESP;
        if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
          // Answer a pre-vote with the term it asked for, so the candidate counts it.
          this.send({ type: respType, to: m.from, term: m.term });
          if (m.type === M.VOTE) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send({ type: respType, to: m.from, reject: true });
        }
        return;
      }
      default:
        break;
    }
    if (this.role === ROLES.LEADER) this.stepLeader(m);
    else if (this.role === ROLES.FOLLOWER) this.stepFollower(m);
    else this.stepCandidate(m);
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case M.BEAT:
        this.bcastHeartbeat();
        return;
      case M.CHECK_QUORUM:
        if (!this.quorumActive()) {
          this.logger.warn('stepping down: no quorum heard within an election timeout', { id: this.id, term: this.term });
          this.becomeFollower(this.term, '');
        }
        for (const [id, pr] of this.prs) if (id !== this.id) pr.recentActive = false;
        return;
      case M.PROP:
        // Proposals arrive through proposeEntries (needs a return value); a stray one is dropped.
        return;
      case M.READ_INDEX:
        this.handleReadIndexAsLeader(m);
        return;
      default:
        break;
    }
    const pr = this.prs.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case M.APP_RESP: {
        pr.recentActive = true;
        if (m.reject) {
          let hint = m.rejectHint ?? 0;
          if ((m.hintTerm ?? 0) > 0) hint = this.log.findConflictByTerm(hint, m.hintTerm!)[0];
          if (pr.maybeDecrTo(m.index ?? 0, hint)) {
            if (pr.state === 'replicate') pr.becomeProbe();
            this.maybeSendAppend(m.from, true);
          }
          return;
        }
        const wasPaused = pr.isPaused();
        if (!pr.maybeUpdate(m.index ?? 0)) return;
        if (pr.state === 'probe') pr.becomeReplicate();
        else if (pr.state === 'snapshot' && pr.match + 1 >= this.log.firstIndex()) {
          pr.becomeProbe();
          pr.becomeReplicate();
        } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index ?? 0);
        if (this.maybeCommit()) {
          this.bcastAppend();
        } else if (wasPaused) {
          this.maybeSendAppend(m.from, true);
        }
        // Pipelining: keep the window full while there is something to send.
        while (this.maybeSendAppend(m.from, false)) {
          /* loop */
        }
        if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
          this.send({ type: M.TIMEOUT_NOW, to: m.from });
        }
        return;
      }
      case M.HEARTBEAT_RESP: {
        pr.recentActive = true;
        pr.probeSent = false;
        if (pr.state === 'replicate' && pr.inflights.isFull()) pr.inflights.freeFirstOne();
        if (pr.match < this.log.lastIndex()) this.maybeSendAppend(m.from, true);
        if (m.context) this.ackRead(m.context, m.from);
        return;
      }
      case M.SNAP_STATUS:
        if (pr.state !== 'snapshot') return;
        if (m.reject) pr.pendingSnapshot = 0;
        pr.becomeProbe();
        // Wait for the follower's answer (or a heartbeat) before probing again.
        pr.probeSent = true;
        return;
      case M.UNREACHABLE:
        if (pr.state === 'replicate') pr.becomeProbe();
        return;
      case M.TRANSFER_LEADER: {
        const transferee = m.from;
        if (pr.isLearner || transferee === this.id || transferee === this.leadTransferee) return;
        this.leadTransferee = transferee;
        // The transfer must finish within one election timeout.
        this.electionElapsed = 0;
        if (pr.match === this.log.lastIndex()) this.send({ type: M.TIMEOUT_NOW, to: transferee });
        else this.maybeSendAppend(transferee, true);
        return;
      }
      default:
        return;
    }
  }

  private stepCandidate(m: Message): void {
    const myRespType = this.role === ROLES.PRE_CANDIDATE ? M.PRE_VOTE_RESP : M.VOTE_RESP;
    switch (m.type) {
      case M.APP:
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return;
      case M.HEARTBEAT:
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case M.SNAP:
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case M.PRE_VOTE_RESP:
      case M.VOTE_RESP: {
        if (m.type !== myRespType) return;
        const res = this.poll(m.from, !m.reject);
        if (res === 'won') {
          if (this.role === ROLES.PRE_CANDIDATE) this.campaign('elect');
          else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (res === 'lost') {
          this.becomeFollower(this.term, '');
        }
        return;
      }
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case M.APP:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        return;
      case M.HEARTBEAT:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case M.SNAP:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case M.TIMEOUT_NOW:
        // Leader transfer: campaign at once, skipping pre-vote and the leader lease.
        this.hup('transfer');
        return;
      case M.READ_INDEX:
        if (this.lead === '') return;
        this.send({ type: M.READ_INDEX, to: this.lead, context: m.context });
        return;
      case M.READ_INDEX_RESP:
        this.readStates.push({ index: m.index ?? 0, context: m.context ?? '' });
        return;
      default:
        return;
    }
  }

  private handleAppend(m: Message): void {
    const prevIndex = m.index ?? 0;
    if (prevIndex < this.log.committed) {
      this.send({ type: M.APP_RESP, to: m.from, index: this.log.committed });
      return;
    }
    const lastNew = this.log.maybeAppend(prevIndex, m.logTerm ?? 0, m.commit ?? 0, m.entries ?? []);
    if (lastNew >= 0) {
      this.send({ type: M.APP_RESP, to: m.from, index: lastNew });
      return;
    }
    // Reject with a hint: our last index at or below the probe whose term is <= the leader's
    // term there, so the leader can skip whole terms of conflicting entries.
    const [hintIndex, hintTerm] = this.log.findConflictByTerm(
      Math.min(prevIndex, this.log.lastIndex()),
      m.logTerm ?? 0,
    );
    this.send({ type: M.APP_RESP, to: m.from, index: prevIndex, reject: true, rejectHint: hintIndex, hintTerm });
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(Math.min(m.commit ?? 0, this.log.lastIndex()));
    this.send({ type: M.HEARTBEAT_RESP, to: m.from, context: m.context });
  }

  private handleSnapshot(m: Message): void {
    const s = m.snapshot;
    if (s && this.restore(s)) {
      this.send({ type: M.APP_RESP, to: m.from, index: this.log.lastIndex() });
    } else {
      this.send({ type: M.APP_RESP, to: m.from, index: this.log.committed });
    }
  }

  /** Installs a leader's snapshot unless our log already covers it. */
  private restore(s: Snapshot): boolean {
    if (s.meta.index <= this.log.committed) return false;
    if (this.log.matchTerm(s.meta.index, s.meta.term)) {
      // We have the entry: just move the commit index (§7: "retain log entries following it").
      this.log.commitTo(s.meta.index);
      return false;
    }
    this.log.restore(s);
    this.confIndex = 0;
    this.setConf(s.meta.confState, s.meta.index);
    this.logger.info('restored snapshot', { id: this.id, index: s.meta.index, term: s.meta.term });
    return true;
  }

  // ---- proposals ---------------------------------------------------------------------------

  /**
   * Appends commands as leader. Returns the index of the first one. Throws RaftError NOT_LEADER
   * on a non-leader, PROPOSAL_DROPPED while a leader transfer is under way.
   */
  proposeEntries(es: { type: EntryType; data: Uint8Array }[]): number {
    if (this.role !== ROLES.LEADER) {
      throw new RaftError('NOT_LEADER', `${this.id} is not the leader`, { leaderId: this.lead || undefined });
    }
    if (this.leadTransferee) {
      throw new RaftError('PROPOSAL_DROPPED', `leadership is being transferred to ${this.leadTransferee}`, {
        leaderId: this.leadTransferee,
      });
    }
    const first = this.appendEntries(es);
    this.bcastAppend();
    return first;
  }

  /**
   * Proposes a new membership: one voter added or removed at a time (single-server changes,
   * thesis §4.1), learners freely. Returns the entry's index. Throws CONFIG_CHANGE_REFUSED.
   */
  proposeConfState(cs: ConfState): number {
    if (this.role !== ROLES.LEADER) {
      throw new RaftError('NOT_LEADER', `${this.id} is not the leader`, { leaderId: this.lead || undefined });
    }
    if (this.pendingConfIndex > this.log.applied) {
      throw new RaftError('CONFIG_CHANGE_REFUSED', 'a configuration change is still pending');
    }
    const next = normalizeConfState(cs);
    if (next.voters.length === 0) throw new RaftError('CONFIG_CHANGE_REFUSED', 'cannot remove the last voter');
    const added = next.voters.filter((v) => !this.voters.includes(v));
    const removed = this.voters.filter((v) => !next.voters.includes(v));
    if (added.length + removed.length > 1) {
      throw new RaftError('CONFIG_CHANGE_REFUSED', 'only one voter can be added or removed at a time');
    }
    const data = new TextEncoder().encode(JSON.stringify(next));
    const index = this.proposeEntries([{ type: ENTRY_TYPES.CONFIG, data }]);
    this.pendingConfIndex = index;
    return index;
  }

  // ---- ReadIndex (§8) ----------------------------------------------------------------------

  private handleReadIndexAsLeader(m: Message): void {
    const from = m.from === this.id ? '' : m.from;
    const context = m.context ?? '';
    if (this.voters.length === 1 && this.voters[0] === this.id) {
      this.respondRead({ context, index: this.log.committed, from, acks: new Map() });
      return;
    }
    if (!this.committedEntryInCurrentTerm()) {
      // Until our no-op commits we do not know the commit index (§8); hold the request.
      this.pendingReadIndexMessages.push(m);
      return;
    }
    const req: PendingRead = { context, index: this.log.committed, from, acks: new Map([[this.id, true]]) };
    this.readQueue.push(req);
    this.bcastHeartbeat(context);
  }

  private releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const pending = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of pending) this.handleReadIndexAsLeader(m);
  }

  private ackRead(context: string, from: string): void {
    const at = this.readQueue.findIndex((r) => r.context === context);
    if (at < 0) return;
    const req = this.readQueue[at];
    req.acks.set(from, true);
    if (voteResult(this.voters, req.acks) !== 'won') return;
    // A quorum confirmed leadership after every request queued before this one too.
    const done = this.readQueue.splice(0, at + 1);
    for (const r of done) this.respondRead(r);
  }

  private respondRead(r: PendingRead): void {
    if (r.from === '') this.readStates.push({ index: r.index, context: r.context });
    else this.send({ type: M.READ_INDEX_RESP, to: r.from, index: r.index, context: r.context });
  }
}
