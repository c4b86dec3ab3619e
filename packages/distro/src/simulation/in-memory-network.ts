import { DISTRO_ERROR_CODES, DistroError } from '../errors';
import type { DistroRequest, DistroResponse, DistroTransport } from '../transport';
import { decodeRequest, decodeResponse, encodeError, encodeRequest, encodeResponse } from '../wire';

/** Handles a request addressed to one member: normally `(req) => node.handle(req)`. */
export type RequestHandler = (req: DistroRequest) => DistroResponse;

/**
 * An in-process network of distro members for tests (core's included). Every request and reply
 * goes through the JSON wire encoding, as it would over HTTP, and is delivered asynchronously
 * (after the caller's current microtask), with no delay and no loss unless cut:
 * - `cut(a, b)` / `restore(a, b)` break and mend the link both ways; `isolate(a)` cuts `a` from all.
 * - A request to an unregistered or cut member rejects with DistroError PEER_FAILED.
 * For seeded delay, loss, duplication and reordering use `SimNetwork`.
 */
export class InMemoryNetwork {
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly cutLinks = new Set<string>();
  /** Requests delivered, by kind: handy for asserting that batching happened. */
  readonly delivered: Record<DistroRequest['kind'], number> = { sync: 0, checksum: 0, fetch: 0, snapshot: 0 };

  /** Attaches a member; replaces an earlier handler for the same address. */
  register(address: string, handler: RequestHandler): void {
    this.handlers.set(address, handler);
  }

  /** Detaches a member: requests to it fail from now on. */
  unregister(address: string): void {
    this.handlers.delete(address);
  }

  /** The transport `from` uses. */
  transportFor(from: string): DistroTransport {
    return {
      request: async (to, req) => {
        await Promise.resolve();
        const handler = this.handlers.get(to);
        if (handler === undefined || this.cutLinks.has(linkId(from, to))) {
          throw new DistroError(DISTRO_ERROR_CODES.PEER_FAILED, `${to} unreachable from ${from}`);
        }
        const wireReq = decodeRequest(encodeRequest(req));
        this.delivered[wireReq.kind]++;
        let text: string;
        try {
          text = encodeResponse(handler(wireReq));
        } catch (err) {
          text = encodeError(err);
        }
        return decodeResponse(text);
      },
    };
  }

  /** Breaks the link between `a` and `b`, both ways. */
  cut(a: string, b: string): void {
    this.cutLinks.add(linkId(a, b));
    this.cutLinks.add(linkId(b, a));
  }

  /** Mends the link between `a` and `b`. */
  restore(a: string, b: string): void {
    this.cutLinks.delete(linkId(a, b));
    this.cutLinks.delete(linkId(b, a));
  }

  /** Cuts `a` from every registered member. */
  isolate(a: string): void {
    for (const b of this.handlers.keys()) if (b !== a) this.cut(a, b);
  }

  /** Mends every link. */
  healAll(): void {
    this.cutLinks.clear();
  }
}

function linkId(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
