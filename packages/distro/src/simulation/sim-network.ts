import type { DistroRequest, DistroResponse, DistroTransport } from '../transport';
import { decodeRequest, decodeResponse, encodeError, encodeRequest, encodeResponse } from '../wire';
import type { RequestHandler } from './in-memory-network';
import type { SeededRandom } from './seeded-random';
import type { VirtualTime } from './virtual-time';
import { DISTRO_ERROR_CODES, DistroError } from '../errors';

/** Fault settings of a {@link SimNetwork}; all probabilities are per message. */
export interface NetworkFaults {
  /** Probability that a request, or its reply, is lost (the caller sees a timeout). */
  lossRate: number;
  /** Probability that a delivered request is delivered a second time, later (its reply is discarded). */
  duplicateRate: number;
  /** One-way delay bounds in ms; each message draws uniformly, so messages reorder. */
  minDelayMs: number;
  maxDelayMs: number;
  /** The caller's timeout: lost or too-slow requests reject this long after they were sent. */
  timeoutMs: number;
}

/** Counters of what the network did. */
export interface NetworkStats {
  requests: number;
  delivered: number;
  lost: number;
  duplicated: number;
  refused: number;
}

/**
 * A seeded, lossy network on virtual time. Every request goes through the wire encoding; delay,
 * loss, duplication and partitions are drawn from the injected RNG, so a seed replays exactly.
 * A request to a member that is partitioned away, crashed (unregistered) or whose message is lost
 * rejects with PEER_FAILED after `timeoutMs`; a handler's DistroError reaches the caller intact.
 */
export class SimNetwork {
  private readonly handlers = new Map<string, RequestHandler>();
  private groups: Map<string, number> | undefined;
  readonly stats: NetworkStats = { requests: 0, delivered: 0, lost: 0, duplicated: 0, refused: 0 };

  constructor(
    private readonly time: VirtualTime,
    private readonly rng: SeededRandom,
    public faults: NetworkFaults,
  ) {}

  register(address: string, handler: RequestHandler): void {
    this.handlers.set(address, handler);
  }

  unregister(address: string): void {
    this.handlers.delete(address);
  }

  /** Splits members into groups that cannot talk to each other; members not listed are isolated. */
  partition(groups: readonly (readonly string[])[]): void {
    this.groups = new Map();
    groups.forEach((g, i) => {
      for (const a of g) this.groups!.set(a, i);
    });
  }

  /** Removes any partition. */
  heal(): void {
    this.groups = undefined;
  }

  /** Whether `a` and `b` are on the same side of the current partition. */
  connected(a: string, b: string): boolean {
    if (this.groups === undefined) return true;
    const ga = this.groups.get(a);
    return ga !== undefined && ga === this.groups.get(b);
  }

  transportFor(from: string): DistroTransport {
    return { request: (to, req) => this.send(from, to, req) };
  }

  private delay(): number {
    return this.rng.int(this.faults.minDelayMs, this.faults.maxDelayMs);
  }

  private send(from: string, to: string, req: DistroRequest): Promise<DistroResponse> {
    this.stats.requests++;
    const text = encodeRequest(req);
    const timeout = this.faults.timeoutMs;
    return new Promise<DistroResponse>((resolve, reject) => {
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        reject(new DistroError(DISTRO_ERROR_CODES.PEER_FAILED, `${from} → ${to}: ${why}`));
      };
      const timer = this.time.schedule(timeout, () => fail('timed out'));
      const requestLost = this.rng.chance(this.faults.lossRate);
      const d1 = this.delay();
      const replyLost = this.rng.chance(this.faults.lossRate);
      const d2 = this.delay();
      const duplicate = this.rng.chance(this.faults.duplicateRate);
      const d3 = this.delay() + this.delay();
      if (requestLost) {
        this.stats.lost++;
        return;
      }
      const deliver = (isCopy: boolean) => {
        const handler = this.handlers.get(to);
        if (handler === undefined || !this.connected(from, to)) {
          this.stats.refused++;
          return;
        }
        this.stats.delivered++;
        let replyText: string;
        try {
          replyText = encodeResponse(handler(decodeRequest(text)));
        } catch (err) {
          replyText = encodeError(err);
        }
        if (isCopy) return;
        if (replyLost) {
          this.stats.lost++;
          return;
        }
        this.time.schedule(d2, () => {
          if (settled || !this.connected(from, to)) return;
          settled = true;
          this.time.cancel(timer);
          try {
            resolve(decodeResponse(replyText));
          } catch (err) {
            reject(err);
          }
        });
      };
      this.time.schedule(d1, () => deliver(false));
      if (duplicate) {
        this.stats.duplicated++;
        this.time.schedule(d1 + d3, () => deliver(true));
      }
    });
  }
}
