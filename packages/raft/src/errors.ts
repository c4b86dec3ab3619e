/**
 * Error codes of @tacos/raft. Stable strings: callers (core, server) switch on them.
 */
export const RAFT_ERROR_CODES = {
  /** This node is not the leader; `leaderId` names the leader when one is known. */
  NOT_LEADER: 'NOT_LEADER',
  /** The proposal was not (or may not have been) committed because leadership was lost. */
  PROPOSAL_DROPPED: 'PROPOSAL_DROPPED',
  /** The node is stopped (or stopped while the call was waiting). */
  STOPPED: 'STOPPED',
  /** The requested log index lies before the first index kept by storage (compacted into a snapshot). */
  COMPACTED: 'COMPACTED',
  /** The requested log index lies after the last index in storage. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** Persistent state on disk is damaged in a way that cannot be repaired safely; the node refuses to start. */
  CORRUPTED: 'CORRUPTED',
  /** A storage read or write failed; the node stops, since Raft cannot continue without its log. */
  STORAGE_FAILED: 'STORAGE_FAILED',
  /** A membership change was refused (another change pending, unknown member, would remove the last voter). */
  CONFIG_CHANGE_REFUSED: 'CONFIG_CHANGE_REFUSED',
  /** A wire message could not be decoded (unknown version, malformed bytes). */
  BAD_MESSAGE: 'BAD_MESSAGE',
  /** A call did not complete in time (e.g. a ReadIndex whose heartbeat round was lost). */
  TIMEOUT: 'TIMEOUT',
  /** The caller passed an invalid argument. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;

/** One of the {@link RAFT_ERROR_CODES} values. */
export type RaftErrorCode = (typeof RAFT_ERROR_CODES)[keyof typeof RAFT_ERROR_CODES];

/**
 * The one error class thrown or rejected by @tacos/raft. `code` says what happened; `leaderId`
 * is set on NOT_LEADER (and PROPOSAL_DROPPED) when this node knows who leads.
 */
export class RaftError extends Error {
  readonly code: RaftErrorCode;
  readonly leaderId?: string;

  constructor(code: RaftErrorCode, message: string, options?: { leaderId?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RaftError';
    this.code = code;
    if (options?.leaderId) this.leaderId = options.leaderId;
  }
}

/** True when `err` is a {@link RaftError} with the given code. */
export function isRaftError(err: unknown, code?: RaftErrorCode): err is RaftError {
  return err instanceof RaftError && (code === undefined || err.code === code);
}
