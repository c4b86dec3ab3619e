import { createHash } from 'node:crypto';
import type { TypedKey } from './typed-key';
import { typedKeyId } from './typed-key';
import { compareEntries, type EntryStamp } from './versioned-entry';

/** The checksum of one key as an owner advertises it: which key, and the stamp of its entry. */
export interface KeyChecksum extends EntryStamp, TypedKey {}

/**
 * What an owner sends every verify interval to each other member (Nacos' `DistroVerifyTask`
 * body, extended): the stamps of every key it owns, tombstones included.
 *
 * - `viewDigest`: the owner's healthy list digest; receivers delete nothing unless theirs is equal.
 * - `authoritative`: the owner loaded a snapshot (or cold-started with every peer); an owner that
 *   only timed out may be missing data, so receivers never delete on its word.
 * - `purgeHorizon`: the newest version `ts` of any tombstone the owner has purged. A receiver's
 *   entry that the owner lacks and that is not newer than this may have been deleted and purged;
 *   a newer one cannot have been, so the receiver hands it back to the owner instead.
 * - `batchDigest`: digest over `entries`, letting a receiver skip the per-key comparison.
 */
export interface ChecksumBatch {
  readonly from: string;
  readonly viewDigest: string;
  readonly authoritative: boolean;
  readonly purgeHorizon: number;
  readonly entries: readonly KeyChecksum[];
  readonly batchDigest: string;
}

/**
 * Digest of a set of key checksums, independent of their order: md5 over the sorted
 * `type NUL key NUL ts NUL origin NUL digest` lines. Equal sets give equal digests. Pure.
 */
export function batchDigestOf(entries: Iterable<KeyChecksum>): string {
  const lines: string[] = [];
  for (const e of entries) lines.push(`${typedKeyId(e.type, e.key)}\u0000${e.version.ts}\u0000${e.version.origin}\u0000${e.digest}`);
  lines.sort();
  const hash = createHash('md5');
  for (const line of lines) hash.update(line).update('\n');
  return hash.digest('hex');
}

/** What a receiver does with a checksum batch: fetch from, push to, or drop locally. */
export interface VerifyPlan {
  /** Keys where the source is newer or the receiver lacks them: fetch them from the source. */
  readonly fetch: TypedKey[];
  /** Keys where the receiver is newer, or holds a key the source owns but lacks (newer than its purge horizon): send to the source. */
  readonly push: TypedKey[];
  /** Live local keys the source owns, lacks, and may have deleted and purged: write a tombstone. */
  readonly drop: TypedKey[];
}

/** The receiver's side of a verify round, as input to {@link planVerify}. */
export interface VerifyInput {
  readonly batch: ChecksumBatch;
  /** The receiver's stamp for a key, if it holds the key (tombstones included). */
  readonly localStamp: (type: string, key: string) => EntryStamp | undefined;
  /** The receiver's entries (tombstones included) for keys it believes the source owns. */
  readonly localOwnedBySource: readonly KeyChecksum[];
  /** The receiver's own purge horizon: absent tombstones no newer than this are not fetched. */
  readonly localPurgeHorizon: number;
  /**
   * Whether deletes are allowed this round: the membership view has been stable for the settle
   * time, `batch.viewDigest` equals the receiver's, and `batch.authoritative` holds. The caller
   * decides; planVerify only obeys it.
   */
  readonly canDrop: boolean;
}

/**
 * Compares an owner's checksum batch with the receiver's data (Nacos' `DistroDataProcessor
 * .processVerifyData`, with versions). Pure; never throws.
 *
 * Deliberate differences from Nacos: the whole batch is used even if the receiver thinks it owns
 * some keys (versions make that harmless); a receiver that is newer pushes back instead of
 * waiting to be overwritten; and a key the owner lacks is deleted only when `canDrop` and its
 * version is not newer than the owner's purge horizon, never while membership is changing.
 */
export function planVerify(input: VerifyInput): VerifyPlan {
  const { batch } = input;
  const fetch: TypedKey[] = [];
  const push: TypedKey[] = [];
  const drop: TypedKey[] = [];
  if (batchDigestOf(input.localOwnedBySource) === batch.batchDigest) return { fetch, push, drop };

  const remote = new Set<string>();
  for (const r of batch.entries) {
    remote.add(typedKeyId(r.type, r.key));
    const local = input.localStamp(r.type, r.key);
    if (local === undefined) {
      // A tombstone we never saw is still worth fetching: it stops older writes from resurrecting.
      // One no newer than our own purge horizon we most likely held and purged already.
      if (!r.tombstone || r.version.ts > input.localPurgeHorizon) fetch.push({ type: r.type, key: r.key });
      continue;
    }
    const order = compareEntries(r, local);
    if (order > 0) fetch.push({ type: r.type, key: r.key });
    else if (order < 0) push.push({ type: r.type, key: r.key });
  }
  for (const l of input.localOwnedBySource) {
    if (remote.has(typedKeyId(l.type, l.key))) continue;
    // Newer than anything the owner purged: the owner never had it (the write or delete happened
    // elsewhere during a partition, or its sync was lost), so hand it over. Tombstones too, or
    // the owner would keep serving the value they delete.
    if (l.version.ts > batch.purgeHorizon) push.push({ type: l.type, key: l.key });
    else if (!l.tombstone && input.canDrop) drop.push({ type: l.type, key: l.key });
  }
  return { fetch, push, drop };
}
