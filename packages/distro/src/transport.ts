import type { ChecksumBatch } from './checksum';
import type { TypedKey } from './typed-key';
import type { Version } from './versioned-entry';

/** An entry in flight between members: typed key, version and bytes (null for a tombstone). */
export interface TransferEntry extends TypedKey {
  readonly version: Version;
  readonly value: Uint8Array | null;
}

/** Owner → peers: new versions of keys (Nacos `PUT /v1/ns/distro/datum`). Answered with `ack`. */
export interface SyncRequest {
  readonly kind: 'sync';
  readonly from: string;
  readonly entries: readonly TransferEntry[];
}

/** Owner → peers: stamps of the keys it owns (Nacos `PUT /v1/ns/distro/checksum`). Answered with `ack`. */
export interface ChecksumRequest {
  readonly kind: 'checksum';
  readonly from: string;
  readonly batch: ChecksumBatch;
}

/** Receiver → owner: the entries for some keys (Nacos `GET /v1/ns/distro/datum`). Answered with `entries`. */
export interface FetchRequest {
  readonly kind: 'fetch';
  readonly from: string;
  readonly keys: readonly TypedKey[];
}

/** Starting member → peer: everything (Nacos `GET /v1/ns/distro/datums`). Answered with `entries`, or NOT_READY. */
export interface SnapshotRequest {
  readonly kind: 'snapshot';
  readonly from: string;
}

/** Every request a member sends to another. `from` is the sender's member address. */
export type DistroRequest = SyncRequest | ChecksumRequest | FetchRequest | SnapshotRequest;

/** The reply to `sync` and `checksum`. */
export interface AckResponse {
  readonly kind: 'ack';
}

/** The reply to `fetch` and `snapshot`: the entries held (tombstones included) and the purge horizon. */
export interface EntriesResponse {
  readonly kind: 'entries';
  readonly entries: readonly TransferEntry[];
  readonly purgeHorizon: number;
}

/** Every reply. Failures are not replies: the transport rejects (see {@link DistroTransport}). */
export type DistroResponse = AckResponse | EntriesResponse;

/**
 * How a node reaches its peers (Nacos' `DistroTransportAgent`). The server implements it over
 * HTTP with the wire encoding in `wire.ts`; `InMemoryNetwork` and the simulator implement it in
 * process.
 *
 * Contract:
 * - `request(to, req)` delivers `req` to member `to`, whose host calls `node.handle(req)` and
 *   returns the reply. It resolves with that reply, or rejects when the peer could not be reached,
 *   timed out, or failed. A `DistroError` thrown by the peer's `handle` must reach the caller as
 *   a rejection with a `DistroError` of the same code (the HTTP transport maps it through the
 *   error body), because startup relies on seeing NOT_READY.
 * - Requests may be lost, duplicated, delayed and reordered; distro tolerates all of that.
 * - The transport must apply a timeout: a request that never settles stalls that peer's sync.
 * - Authentication of peers (the cluster secret) is the transport's job; `from` is trusted.
 */
export interface DistroTransport {
  request(to: string, req: DistroRequest): Promise<DistroResponse>;
}
