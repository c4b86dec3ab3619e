export { BINARY_WIRE_VERSION, decodeMessages, encodeMessages, encodeMessagesBinary, WIRE_VERSION } from './codec';
export { isRaftError, RAFT_ERROR_CODES, RaftError, type RaftErrorCode } from './errors';
export {
  type CheckResult,
  checkLinearizable,
  KV_MODEL,
  type KvInput,
  type KvOutput,
  type Model,
  type Operation,
} from './linearizability';
export { LmdbStorage, type LmdbStorageOptions } from './lmdb-storage';
export { committedIndex, majority, type VoteResult, voteResult } from './quorum';
export { Raft, type RaftConfig } from './raft';
export { type RaftNodeOptions, RaftNode, type RaftStatus, type StateMachine } from './raft-node';
export { type CoreStatus, mayPrecedeWrite, type ProgressStatus, RawNode, type Ready } from './raw-node';
export { emptySnapshot, type InitialState, MemoryStorage, type RaftStorage, type StorageUpdate } from './storage';
export { InMemoryNetwork, type Transport } from './transport';
export {
  type ConfState,
  decodeConfState,
  ENTRY_TYPES,
  encodeConfState,
  type Entry,
  type EntryType,
  EMPTY_HARD_STATE,
  type HardState,
  type Logger,
  MESSAGE_TYPES,
  type Message,
  type MessageType,
  NOOP_LOGGER,
  type ReadState,
  type Role,
  ROLES,
  type Snapshot,
  type SnapshotMeta,
  type SoftState,
} from './types';
