/**
 * Error codes of the cluster plumbing. Stable strings: the host switches on them (for example to
 * print a start-up error without a stack, or to answer 503 when a peer is unreachable).
 */
export const CLUSTER_ERROR_CODES = {
  /** The cluster secret is missing, too short or a well-known default. Start-up must stop. */
  BAD_SECRET: 'BAD_SECRET',
  /** A member list entry (flag, env var or cluster.conf line) is malformed, or self is not in the list. */
  BAD_MEMBER: 'BAD_MEMBER',
  /** The peer refused the TCP connection (nothing listens there). */
  PEER_REFUSED: 'PEER_REFUSED',
  /** The peer did not answer within the timeout. */
  PEER_TIMEOUT: 'PEER_TIMEOUT',
  /** Any other network failure talking to a peer (reset, DNS, bad answer). */
  PEER_UNREACHABLE: 'PEER_UNREACHABLE',
  /** A request or answer body was larger than allowed. */
  TOO_LARGE: 'TOO_LARGE',
} as const;

/** One of the {@link CLUSTER_ERROR_CODES} values. */
export type ClusterErrorCode = (typeof CLUSTER_ERROR_CODES)[keyof typeof CLUSTER_ERROR_CODES];

/** The one error class of `src/cluster`. `code` says what happened; `cause` keeps the underlying error. */
export class ClusterError extends Error {
  readonly code: ClusterErrorCode;

  constructor(code: ClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClusterError';
    this.code = code;
  }
}

/** True when `err` is a {@link ClusterError} (with the given code, when one is passed). */
export function isClusterError(err: unknown, code?: ClusterErrorCode): err is ClusterError {
  return err instanceof ClusterError && (code === undefined || err.code === code);
}
