/**
 * Plain data types shared by the core, storage, driver and wire codec. Everything here is plain
 * data: no methods, safe to structured-clone, and never mutated after it is handed over.
 */

/** Kinds of log entries. */
export const ENTRY_TYPES = {
  /** A state-machine command proposed by a client. */
  COMMAND: 0,
  /** A membership configuration: `data` is the JSON of a full {@link ConfState}. */
  CONFIG: 1,
  /** The empty entry a new leader appends to commit entries of earlier terms (Raft §5.4.2, §8). */
  NOOP: 2,
} as const;
/** One of the {@link ENTRY_TYPES} values. */
export type EntryType = (typeof ENTRY_TYPES)[keyof typeof ENTRY_TYPES];

/** One log entry. `index` starts at 1; `term` is the leader's term when it was created. */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/** The state Raft must persist before answering any message (Figure 2, "persistent state"). */
export interface HardState {
  term: number;
  /** Candidate voted for in `term`; '' when none. */
  vote: string;
  /** Highest index known committed (persisted so a restart re-applies without waiting for a leader). */
  commit: number;
}

/** Group membership. Every voter counts for elections and commitment; learners only receive the log. */
export interface ConfState {
  voters: string[];
  learners: string[];
}

/** Metadata of a snapshot: the last index and term it covers and the membership at that index. */
export interface SnapshotMeta {
  index: number;
  term: number;
  confState: ConfState;
}

/** A state-machine snapshot with its metadata. `data` comes from `StateMachine.snapshot()`. */
export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

/** Roles of a member. */
export const ROLES = {
  FOLLOWER: 'FOLLOWER',
  PRE_CANDIDATE: 'PRE_CANDIDATE',
  CANDIDATE: 'CANDIDATE',
  LEADER: 'LEADER',
} as const;
/** One of the {@link ROLES} values. */
export type Role = (typeof ROLES)[keyof typeof ROLES];

/**
 * Message types. Those marked "local" never cross the wire: they are how the host feeds events
 * into `step` (every input is a message, as in etcd-io/raft).
 */
export const MESSAGE_TYPES = {
  HUP: 'Hup', // local: start an election (pre-vote first when enabled)
  BEAT: 'Beat', // local: leader sends heartbeats
  PROP: 'Prop', // local: propose entries
  APP: 'App', // AppendEntries
  APP_RESP: 'AppResp',
  VOTE: 'Vote', // RequestVote
  VOTE_RESP: 'VoteResp',
  PRE_VOTE: 'PreVote',
  PRE_VOTE_RESP: 'PreVoteResp',
  SNAP: 'Snap', // InstallSnapshot
  SNAP_CHUNK: 'SnapChunk', // wire only: one piece of a large Snap, reassembled by the receiving driver
  HEARTBEAT: 'Heartbeat',
  HEARTBEAT_RESP: 'HeartbeatResp',
  READ_INDEX: 'ReadIndex', // local on the leader, or forwarded by a follower
  READ_INDEX_RESP: 'ReadIndexResp',
  TRANSFER_LEADER: 'TransferLeader', // local: hand leadership to `from`
  TIMEOUT_NOW: 'TimeoutNow', // leader → transferee: campaign now, skipping pre-vote
  CHECK_QUORUM: 'CheckQuorum', // local: leader checks it heard from a quorum
  SNAP_STATUS: 'SnapStatus', // local: host reports a snapshot send failed (`reject`)
  UNREACHABLE: 'Unreachable', // local: host reports a peer unreachable
} as const;
/** One of the {@link MESSAGE_TYPES} values. */
export type MessageType = (typeof MESSAGE_TYPES)[keyof typeof MESSAGE_TYPES];

/**
 * A Raft message. Field meaning follows etcd-io/raft's `raftpb.Message`: `index`/`logTerm` are
 * the index and term of the entry preceding `entries` (AppendEntries) or of the candidate's last
 * entry (votes); `reject`/`rejectHint` carry a refusal and a back-off hint; `context` carries an
 * opaque ReadIndex request id or a campaign kind.
 */
export interface Message {
  type: MessageType;
  from: string;
  to: string;
  term: number;
  logTerm?: number;
  index?: number;
  entries?: Entry[];
  commit?: number;
  snapshot?: Snapshot;
  reject?: boolean;
  rejectHint?: number;
  /** For rejections: term of the entry at `rejectHint` in the follower's log (fast back-off). */
  hintTerm?: number;
  context?: string;
  /** SnapChunk only: byte offset of `snapshot.data` within the whole snapshot. */
  chunkOffset?: number;
  /** SnapChunk only: size in bytes of the whole snapshot. */
  chunkTotal?: number;
}

/** A linearizable read point: once `index` is applied locally, reads tagged `context` may run. */
export interface ReadState {
  index: number;
  context: string;
}

/** Volatile state worth showing (not persisted). */
export interface SoftState {
  leaderId: string;
  role: Role;
}

/** Logger port. Every method is optional to implement meaningfully (a no-op is fine). */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const NOOP_LOGGER: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Hard state of a member that never ran. */
export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: '', commit: 0 }) as HardState;

/** True when two hard states are equal. */
export function hardStateEquals(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** Copies a conf state with sorted member lists, so equal memberships encode to equal bytes. */
export function normalizeConfState(cs: ConfState): ConfState {
  const voters = [...new Set(cs.voters)].sort();
  const learners = [...new Set(cs.learners)].filter((id) => !voters.includes(id)).sort();
  return { voters, learners };
}

/** Encodes a conf state as the data of a CONFIG entry (UTF-8 JSON of the normalized form). */
export function encodeConfState(cs: ConfState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(normalizeConfState(cs)));
}

/** Decodes the data of a CONFIG entry. */
export function decodeConfState(data: Uint8Array): ConfState {
  const parsed = JSON.parse(new TextDecoder().decode(data)) as ConfState;
  return normalizeConfState({ voters: parsed.voters ?? [], learners: parsed.learners ?? [] });
}

/** Approximate byte size of an entry, for batching limits. */
export function entrySize(e: Entry): number {
  return e.data.byteLength + 24;
}
