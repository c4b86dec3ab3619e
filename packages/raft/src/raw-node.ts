import { RaftError } from './errors';
import { Raft, type RaftConfig } from './raft';
import {
  type ConfState,
  decodeConfState,
  ENTRY_TYPES,
  type Entry,
  type HardState,
  hardStateEquals,
  MESSAGE_TYPES as M,
  type Message,
  type ReadState,
  type Role,
  type Snapshot,
  type SoftState,
} from './types';

/**
 * Everything the host must do after the core moved, in this order (etcd-io/raft README):
 * 1. persist `snapshot` (if any), `entries` and `hardState` durably (one fsync'd write);
 * 2. send `messages`: those that may promise what step 1 persisted (acknowledgements, votes)
 *    only now; a leader's AppendEntries, heartbeats and snapshots ({@link mayPrecedeWrite}) may
 *    leave before or during step 1, so the leader's write overlaps its followers' (a leader counts
 *    its own entries only once step 1 is done, see `advance`);
 * 3. restore `snapshot` into the state machine, then apply `committedEntries` in order;
 * 4. call `advance(ready)`.
 * Arrays are owned by the host after `ready()` returns; entries and snapshots must not be mutated.
 */
export interface Ready {
  /** Set when leader or role changed since the last Ready. */
  softState?: SoftState;
  /** Set when term, vote or commit changed since the last Ready. */
  hardState?: HardState;
  /** Entries to append to storage (may overwrite a stored suffix). */
  entries: Entry[];
  /** A snapshot from the leader to store and restore. */
  snapshot?: Snapshot;
  /** Committed entries to apply, in order (already in storage or in `entries`). */
  committedEntries: Entry[];
  /** Messages to send after persisting. */
  messages: Message[];
  /** Completed ReadIndex requests. */
  readStates: ReadState[];
  /** True when step 1 needs an fsync (hard state or entries changed). */
  mustSync: boolean;
}

/**
 * Messages that promise nothing about the sender's disk: a leader's AppendEntries, heartbeats and
 * snapshots (their commit index counts the leader's own copy only once written). The host may
 * send them before the Ready's write.
 */
export function mayPrecedeWrite(m: Message): boolean {
  return m.type === M.APP || m.type === M.HEARTBEAT || m.type === M.SNAP;
}

/** Membership progress of one member, as seen by the leader. */
export interface ProgressStatus {
  match: number;
  next: number;
  state: 'probe' | 'replicate' | 'snapshot';
  isLearner: boolean;
  recentActive: boolean;
}

/** A point-in-time view of the core. */
export interface CoreStatus {
  id: string;
  role: Role;
  term: number;
  vote: string;
  leaderId: string;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  firstIndex: number;
  voters: string[];
  learners: string[];
  /** Only on the leader. */
  progress?: Record<string, ProgressStatus>;
  leadTransferee: string;
}

const LOCAL_TYPES = new Set<string>([
  M.HUP,
  M.BEAT,
  M.PROP,
  M.CHECK_QUORUM,
  M.SNAP_STATUS,
  M.UNREACHABLE,
  M.TRANSFER_LEADER,
  M.SNAP_CHUNK,
]);

/**
 * The thread-safe-by-construction (single-threaded, synchronous) API over {@link Raft}, in the
 * shape of etcd-io/raft `RawNode`: feed inputs with `tick`, `step`, `propose`, ...; drain outputs
 * with `ready` and acknowledge them with `advance`. Never call `ready` again before `advance`.
 */
export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoft = this.softState();
    this.prevHard = this.raft.hardState();
  }

  /** Advances the logical clock by one tick. */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (tests and tools; normally ticks trigger it). */
  campaign(): void {
    this.raft.step({ type: M.HUP, from: this.raft.id, to: this.raft.id, term: 0 });
  }

  /**
   * Feeds a message received from a peer. Local-only types and messages from non-members that
   * are not votes/appends are still accepted (Raft ignores what it cannot use); local types are
   * refused with INVALID_ARGUMENT because they never cross the wire.
   */
  step(m: Message): void {
    if (LOCAL_TYPES.has(m.type)) throw new RaftError('INVALID_ARGUMENT', `${m.type} is a local message type`);
    if (m.to !== this.raft.id) return;
    if (m.type === M.READ_INDEX && m.term === 0) return;
    this.raft.step(m);
  }

  /**
   * Appends `commands` as leader and returns the index of the first; they get consecutive
   * indexes in the current term. Throws NOT_LEADER or PROPOSAL_DROPPED (RaftError).
   */
  propose(...commands: Uint8Array[]): { index: number; term: number } {
    const index = this.raft.proposeEntries(commands.map((data) => ({ type: ENTRY_TYPES.COMMAND, data })));
    return { index, term: this.raft.term };
  }

  /** Proposes a new membership (see {@link Raft.proposeConfState}). */
  proposeConfState(cs: ConfState): { index: number; term: number } {
    const index = this.raft.proposeConfState(cs);
    return { index, term: this.raft.term };
  }

  /**
   * Asks for a linearizable read point tagged `context` (unique per request). The answer comes
   * later as a ReadState in a Ready; on a follower the request is forwarded to the leader. It may
   * be silently lost (lost messages, leader change): the host times out.
   */
  readIndex(context: string): void {
    this.raft.step({ type: M.READ_INDEX, from: this.raft.id, to: this.raft.id, term: 0, context });
  }

  /** Asks the leader to hand leadership to `transferee` (thesis §3.10). No-op on followers. */
  transferLeader(transferee: string): void {
    if (this.raft.role !== 'LEADER') return;
    this.raft.step({ type: M.TRANSFER_LEADER, from: transferee, to: this.raft.id, term: 0 });
  }

  /** Tells the leader that sending to `id` failed, so it stops pipelining to it. */
  reportUnreachable(id: string): void {
    this.raft.step({ type: M.UNREACHABLE, from: id, to: this.raft.id, term: 0 });
  }

  /** Tells the leader whether the snapshot sent to `id` arrived. */
  reportSnapshot(id: string, ok: boolean): void {
    this.raft.step({ type: M.SNAP_STATUS, from: id, to: this.raft.id, term: 0, reject: !ok });
  }

  private softState(): SoftState {
    return { leaderId: this.raft.lead, role: this.raft.role };
  }

  /** True when `ready()` would return something to do. */
  hasReady(): boolean {
    const r = this.raft;
    const soft = this.softState();
    if (soft.leaderId !== this.prevSoft.leaderId || soft.role !== this.prevSoft.role) return true;
    if (!hardStateEquals(r.hardState(), this.prevHard)) return true;
    if (r.log.unstableSnapshot || r.log.unstableEntries.length > 0) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    return r.log.hasNextCommittedEntries();
  }

  /** Collects pending work. See {@link Ready} for what the host must do with it. */
  ready(): Ready {
    const r = this.raft;
    const soft = this.softState();
    const hard = r.hardState();
    const entries = r.log.unstableEntries.slice();
    const committedEntries = r.log.nextCommittedEntries();
    if (committedEntries.length > 0) r.log.applying = committedEntries[committedEntries.length - 1].index;
    const rd: Ready = {
      entries,
      committedEntries,
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: false,
    };
    r.msgs = [];
    r.readStates = [];
    if (r.log.unstableSnapshot) rd.snapshot = r.log.unstableSnapshot;
    if (soft.leaderId !== this.prevSoft.leaderId || soft.role !== this.prevSoft.role) {
      rd.softState = soft;
      this.prevSoft = soft;
    }
    if (!hardStateEquals(hard, this.prevHard)) rd.hardState = hard;
    rd.mustSync =
      entries.length > 0 ||
      rd.snapshot !== undefined ||
      (rd.hardState !== undefined && (hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote));
    if (rd.hardState) this.prevHard = hard;
    return rd;
  }

  /**
   * Acknowledges that the host did everything in `rd`: persisted, sent, applied. Applies committed
   * CONFIG entries to the membership.
   */
  advance(rd: Ready): void {
    const log = this.raft.log;
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.meta.index);
      log.appliedTo(rd.snapshot.meta.index);
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      log.stableTo(last.index, last.term);
      this.raft.persistedTo(last.index, last.term);
    }
    if (rd.committedEntries.length > 0) {
      for (const e of rd.committedEntries) {
        if (e.type === ENTRY_TYPES.CONFIG) this.raft.setConf(decodeConfState(e.data), e.index);
      }
      log.appliedTo(rd.committedEntries[rd.committedEntries.length - 1].index);
    }
  }

  /** A point-in-time view of the core. */
  status(): CoreStatus {
    const r = this.raft;
    const s: CoreStatus = {
      id: r.id,
      role: r.role,
      term: r.term,
      vote: r.vote,
      leaderId: r.lead,
      commitIndex: r.log.committed,
      appliedIndex: r.log.applied,
      lastIndex: r.log.lastIndex(),
      firstIndex: r.log.firstIndex(),
      voters: [...r.voters],
      learners: [...r.learners],
      leadTransferee: r.leadTransferee,
    };
    if (r.role === 'LEADER') {
      s.progress = {};
      for (const [id, pr] of r.prs) {
        s.progress[id] = {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          isLearner: pr.isLearner,
          recentActive: pr.recentActive,
        };
      }
    }
    return s;
  }
}
