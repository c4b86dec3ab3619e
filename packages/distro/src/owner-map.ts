import { distroHash } from './java-hash';
import { healthyMemberList, type Member } from './membership';

/**
 * Who owns which key, for one membership view (Nacos' `DistroMapper`). Immutable; build a new one
 * on every membership change. Pure: no clock, no I/O.
 *
 * - The owner of a routing key is `healthy[distroHash(key) % healthy.length]` over the sorted
 *   healthy list, so every member with the same view picks the same owner, and Nacos members
 *   would pick the same one too.
 * - `isResponsible` follows Nacos: an empty healthy list → responsible for nothing; this node not
 *   in the list (e.g. it marked itself down, or the view has not caught up) → responsible for
 *   everything, so writes are never refused cluster-wide for lack of an owner.
 */
export class OwnerMap {
  /** The sorted healthy list this map was built from. Do not mutate. */
  readonly healthy: readonly string[];
  /** Stable digest of `healthy`, equal on two members exactly when their lists are equal. */
  readonly viewDigest: string;
  private readonly selfIndex: number;

  constructor(
    members: readonly Member[],
    /** This node's address. */
    readonly self: string,
  ) {
    this.healthy = healthyMemberList(members);
    this.viewDigest = this.healthy.join('\n');
    this.selfIndex = this.healthy.indexOf(self);
  }

  /** The member owning `routingKey` in this view, or undefined when the healthy list is empty. */
  ownerOf(routingKey: string): string | undefined {
    const n = this.healthy.length;
    if (n === 0) return undefined;
    return this.healthy[distroHash(routingKey) % n];
  }

  /** Whether this node must accept writes for (and expire, and verify) `routingKey`. */
  isResponsible(routingKey: string): boolean {
    const n = this.healthy.length;
    if (n === 0) return false;
    if (this.selfIndex < 0) return true;
    return distroHash(routingKey) % n === this.selfIndex;
  }

  /** Whether `address` is in the healthy list. */
  isHealthy(address: string): boolean {
    return this.healthy.includes(address);
  }
}
