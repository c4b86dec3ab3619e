/**
 * Error codes of @tacos/distro. Stable strings: callers (core, server) switch on them; only the
 * server turns them into HTTP statuses (NOT_READY → 503, NOT_RESPONSIBLE → forward to the owner).
 */
export const DISTRO_ERROR_CODES = {
  /** The node has not finished (or timed out) loading its startup snapshot; writes and snapshots are refused. */
  NOT_READY: 'NOT_READY',
  /** A write reached a member that is not responsible for the key; the caller should forward it to `ownerOf`. */
  NOT_RESPONSIBLE: 'NOT_RESPONSIBLE',
  /** No processor is registered for the data type of a local write. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** A wire message could not be decoded (unknown version, malformed JSON, missing fields). */
  BAD_MESSAGE: 'BAD_MESSAGE',
  /** The node is not started, or was stopped. */
  STOPPED: 'STOPPED',
  /** A peer could not be reached, timed out, or failed a request for a reason of its own. */
  PEER_FAILED: 'PEER_FAILED',
  /** The caller passed an invalid argument (duplicate processor, bad config value). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;

/** One of the {@link DISTRO_ERROR_CODES} values. */
export type DistroErrorCode = (typeof DISTRO_ERROR_CODES)[keyof typeof DISTRO_ERROR_CODES];

/**
 * The one error class thrown or rejected by @tacos/distro. `code` says what happened; `owner` is set
 * on NOT_RESPONSIBLE when this node knows which member owns the key.
 */
export class DistroError extends Error {
  readonly code: DistroErrorCode;
  readonly owner?: string;

  constructor(code: DistroErrorCode, message: string, options?: { owner?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DistroError';
    this.code = code;
    if (options?.owner !== undefined) this.owner = options.owner;
  }
}

/** True when `err` is a {@link DistroError} (with the given code, when one is passed). */
export function isDistroError(err: unknown, code?: DistroErrorCode): err is DistroError {
  return err instanceof DistroError && (code === undefined || err.code === code);
}
