import {
  DISTRO_ERROR_CODES,
  DistroError,
  type DistroNode,
  type DistroRequest,
  type DistroResponse,
  type DistroTransport,
  decodeRequest,
  decodeResponse,
  encodeError,
  encodeRequest,
  encodeResponse,
  isDistroError,
} from '@tacos/distro';
import { PEER_PATHS, type PeerClient, type PeerRoute } from './peer-http';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Options of {@link DistroHttpTransport}. */
export interface DistroHttpTransportOptions {
  /** Signed HTTP client; its `self` must equal the distro node's `self`. */
  client: PeerClient;
  /** Timeout per request, ms. Default 2000; snapshot requests get `snapshotTimeoutMs`. */
  timeoutMs?: number;
  /** Timeout of a full-snapshot request (startup load), ms. Default 10000. */
  snapshotTimeoutMs?: number;
}

/**
 * The HTTP status a failed `DistroNode.handle` is answered with: NOT_READY and STOPPED → 503 (the
 * peer is starting or stopping), BAD_MESSAGE → 400, NOT_RESPONSIBLE → 409, anything else → 500.
 * The body is `encodeError(err)` either way, so the caller gets the code back.
 */
export function distroErrorStatus(err: unknown): number {
  if (!isDistroError(err)) return 500;
  switch (err.code) {
    case DISTRO_ERROR_CODES.NOT_READY:
    case DISTRO_ERROR_CODES.STOPPED:
      return 503;
    case DISTRO_ERROR_CODES.BAD_MESSAGE:
      return 400;
    case DISTRO_ERROR_CODES.NOT_RESPONSIBLE:
      return 409;
    default:
      return 500;
  }
}

/**
 * @tacos/distro's `DistroTransport` over HTTP: `request(to, req)` POSTs `encodeRequest(req)` to
 * `<to>/nacos/v1/ns/peer/distro`, signed, with a timeout, and resolves `decodeResponse(body)`.
 * A peer's error envelope (any status) rejects with a DistroError of the peer's code (NOT_READY
 * survives the trip, which distro's startup relies on); an answer without an envelope (401 from a
 * peer with another secret, 404 from a member without peer routes, a proxy page) and every network
 * failure reject with DistroError PEER_FAILED carrying the cause.
 *
 * The receiving side is {@link routeFor}: it checks that `from` is the authenticated peer, calls
 * `node.handle`, and answers `encodeResponse` (200) or `encodeError` with {@link distroErrorStatus}.
 */
export class DistroHttpTransport implements DistroTransport {
  private readonly client: PeerClient;
  private readonly timeoutMs: number;
  private readonly snapshotTimeoutMs: number;

  constructor(options: DistroHttpTransportOptions) {
    this.client = options.client;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.snapshotTimeoutMs = options.snapshotTimeoutMs ?? 10_000;
  }

  /** DistroTransport: see the class comment. */
  async request(to: string, req: DistroRequest): Promise<DistroResponse> {
    let res: Awaited<ReturnType<PeerClient['request']>>;
    try {
      res = await this.client.request(to, {
        method: 'POST',
        path: PEER_PATHS.DISTRO,
        body: encodeRequest(req),
        headers: { 'content-type': JSON_TYPE },
        timeoutMs: req.kind === 'snapshot' ? this.snapshotTimeoutMs : this.timeoutMs,
      });
    } catch (err) {
      throw new DistroError(DISTRO_ERROR_CODES.PEER_FAILED, `distro ${req.kind} to ${to} failed: ${(err as Error).message}`, { cause: err });
    }
    const text = res.body.toString('utf8');
    const is2xx = res.status >= 200 && res.status < 300;
    try {
      return decodeResponse(text);
    } catch (err) {
      // A DistroError from decodeResponse is either the peer's own error (keep it) or a body that
      // is not a distro envelope at all (say what the peer answered instead).
      if (isDistroError(err) && err.code !== DISTRO_ERROR_CODES.BAD_MESSAGE) throw err;
      if (is2xx) throw err;
      throw new DistroError(DISTRO_ERROR_CODES.PEER_FAILED, `distro ${req.kind} to ${to}: HTTP ${res.status} ${text.slice(0, 200)}`, { cause: err });
    }
  }

  /**
   * The peer route for `POST /nacos/v1/ns/peer/distro`, delivering to `node`. `node` may be a
   * function returning the node (or undefined before it exists: answered 503 NOT_READY), so the
   * route can be mounted before the node is built.
   */
  static routeFor(node: DistroNode | (() => DistroNode | undefined)): PeerRoute {
    const get = typeof node === 'function' ? node : () => node;
    return {
      method: 'POST',
      path: PEER_PATHS.DISTRO,
      handler: (inbound) => {
        try {
          const target = get();
          if (!target) throw new DistroError(DISTRO_ERROR_CODES.NOT_READY, 'distro is not running on this member yet');
          const req = decodeRequest(inbound.body.toString('utf8'));
          // `from` decides ownership checks on the receiver: only the signed sender may claim it.
          if (req.from !== inbound.peer) throw new DistroError(DISTRO_ERROR_CODES.BAD_MESSAGE, `request from ${inbound.peer} claims to come from ${req.from}`);
          return { status: 200, body: encodeResponse(target.handle(req)), contentType: JSON_TYPE };
        } catch (err) {
          return { status: distroErrorStatus(err), body: encodeError(err), contentType: JSON_TYPE };
        }
      },
    };
  }
}
