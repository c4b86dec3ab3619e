import type { Version } from './versioned-entry';

/** Why a processor is told about a change. */
export const APPLY_REASONS = {
  /** A write on this node through `put` or `remove`. */
  LOCAL: 'local',
  /** A batched sync from the writer (or a verify push-back). */
  SYNC: 'sync',
  /** Fetched after a checksum showed a difference. */
  VERIFY: 'verify',
  /** Part of the startup snapshot. */
  SNAPSHOT: 'snapshot',
  /** Dropped: the owner lacks the key and has purged deletions at least this new (membership stable). */
  DROP: 'drop',
} as const;

/** One of the {@link APPLY_REASONS} values. */
export type ApplyReason = (typeof APPLY_REASONS)[keyof typeof APPLY_REASONS];

/** A change of one key, as handed to a {@link DistroProcessor}. */
export interface DistroChange {
  readonly type: string;
  readonly key: string;
  /** The new bytes, or null when the key was deleted. Do not mutate. */
  readonly value: Uint8Array | null;
  readonly version: Version;
  /**
   * The version this replaces on this node, if any: older than `version`, or equal to it for a
   * `drop` (a tombstone written at the dropped value's own version).
   */
  readonly previous?: Version;
  readonly reason: ApplyReason;
}

/**
 * The data-type handler (Nacos' `DistroDataProcessor`, one per `processType()`): core registers
 * one for the naming ephemeral instance lists. Distro owns the versioned bytes; the processor
 * keeps its own view (the naming index) in step with them.
 *
 * Contract:
 * - `type` is the data type this processor handles; one processor per type per node.
 * - `apply(change)` is called synchronously, once per accepted change, in the order changes are
 *   accepted, and only with versions strictly newer than the key's previous one on this node.
 *   It must not call back into the node's write methods synchronously.
 * - If `apply` throws, the change is not stored: a local write rethrows to the caller; a remote
 *   change is skipped (and logged) and will be offered again by a later sync or verify round.
 */
export interface DistroProcessor {
  readonly type: string;
  apply(change: DistroChange): void;
}
