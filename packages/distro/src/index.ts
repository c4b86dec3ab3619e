// Public API of @tacos/distro: the AP replication protocol for ephemeral data, generic over
// (type, key) → versioned bytes. See README.md for the host's duties.

export { type ChecksumBatch, type KeyChecksum, type VerifyInput, type VerifyPlan, batchDigestOf, planVerify } from './checksum';
export { type Clock, type TimerHandle, systemClock } from './clock';
export {
  DEFAULT_DISTRO_CONFIG,
  type DistroConfig,
  type DistroLogger,
  DistroNode,
  type DistroNodeOptions,
  type DistroStats,
  type DistroValue,
  type OwnershipChange,
  type Readiness,
} from './distro-node';
export { DISTRO_ERROR_CODES, DistroError, type DistroErrorCode, isDistroError } from './errors';
export { distroHash, javaStringHashCode } from './java-hash';
export {
  healthyMemberList,
  isHealthyState,
  MEMBER_STATES,
  type Member,
  type MemberState,
  type MembershipView,
  StaticMembership,
} from './membership';
export { OwnerMap } from './owner-map';
export { APPLY_REASONS, type ApplyReason, type DistroChange, type DistroProcessor } from './processor';
export {
  type DistroSimulationOptions,
  type DistroSimulationReport,
  runDistroSimulation,
} from './simulation/distro-simulation';
export { InMemoryNetwork, type RequestHandler } from './simulation/in-memory-network';
export { SeededRandom } from './simulation/seeded-random';
export { type NetworkFaults, type NetworkStats, SimNetwork } from './simulation/sim-network';
export { drainMicrotasks, VirtualTime } from './simulation/virtual-time';
export { type DistroStorage, MemoryStorage, type StoredEntry } from './storage';
export { type SyncBatch, SyncQueue, type SyncQueueConfig } from './sync-queue';
export type {
  AckResponse,
  ChecksumRequest,
  DistroRequest,
  DistroResponse,
  DistroTransport,
  EntriesResponse,
  FetchRequest,
  SnapshotRequest,
  SyncRequest,
  TransferEntry,
} from './transport';
export { type TypedKey, typedKeyId } from './typed-key';
export {
  compareEntries,
  compareVersions,
  digestOf,
  type EntryStamp,
  makeEntry,
  nextVersion,
  supersedes,
  TOMBSTONE_DIGEST,
  type Version,
  type VersionedEntry,
} from './versioned-entry';
export { DISTRO_WIRE_VERSION, decodeRequest, decodeResponse, encodeError, encodeRequest, encodeResponse } from './wire';

/** The npm package name, for logs and diagnostics. */
export const PACKAGE_NAME = '@tacos/distro';
