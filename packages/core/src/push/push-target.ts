/**
 * One subscriber to push to: a client that polled `instance/list` with `udpPort` (NACOS-FACTS §4).
 * Nacos keys a subscriber by serviceName + clusters + address + agent.
 */
export interface PushTarget {
  namespaceId: string;
  /** Grouped service name (`group@@service`). */
  serviceName: string;
  /** The `clusters` string exactly as the client sent it (the pushed body must echo it). */
  clusters: string;
  /** IP to send to, chosen by the host (see {@link pushAddressOf}). */
  address: string;
  /** The client's `udpPort`. */
  port: number;
  /** The client's User-Agent (the body may differ per agent, e.g. grouped names). */
  agent: string;
}

/**
 * The host's live subscriber list. `subscribersOf` must return only live subscribers (polled within
 * the push-cache time; Nacos: 10 s): the push service relies on it to stop pushing to dead ones.
 * Called once per coalesced push of a service; must be synchronous and must not throw.
 */
export interface PushSubscriberSource {
  subscribersOf(namespaceId: string, serviceName: string): Iterable<PushTarget>;
}

/** The fields of core's subscriber records that {@link subscriberSourceOf} reads (structural). */
export interface SubscriberRecordLike {
  ip: string;
  port: number;
  namespaceId: string;
  serviceName: string;
  /** The `clusters` string of the subscription. */
  cluster: string;
  agent: string;
  /**
   * The poll's TCP source address, if the record keeps it; when present it wins over `ip` (see
   * {@link pushAddressOf}).
   */
  remoteAddress?: string;
}

/**
 * Adapts a registry of subscriber records (core's `SubscriberRegistry.forService(ns, svc, now, ttl)`)
 * to a {@link PushSubscriberSource}. The target address is `pushAddressOf(ip, remoteAddress)`. `now` and `ttlMs` are read on every call, so a changed
 * `pushCacheMillis` switch applies at once.
 */
export function subscriberSourceOf(
  registry: { forService(namespaceId: string, serviceName: string, now: number, ttlMs: number): Iterable<SubscriberRecordLike> },
  now: () => number,
  ttlMs: () => number,
): PushSubscriberSource {
  return {
    *subscribersOf(namespaceId, serviceName) {
      for (const sub of registry.forService(namespaceId, serviceName, now(), ttlMs())) {
        yield {
          namespaceId: sub.namespaceId,
          serviceName: sub.serviceName,
          clusters: sub.cluster,
          address: pushAddressOf(sub.ip, sub.remoteAddress),
          port: sub.port,
          agent: sub.agent,
        };
      }
    },
  };
}

/** Strips the `::ffff:` prefix Node gives IPv4 peers of a dual-stack socket. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * The address to push to for a subscriber: the poll's TCP source address when known, else the
 * claimed `clientIP`. Nacos uses `clientIP`, which nacos-naming guesses from its network interfaces
 * and which is wrong behind NAT, Docker or Kubernetes (#5108); the source address is where the
 * client's packets really come from. (Behind an HTTP reverse proxy the source is the proxy; a host
 * in that setup should pass `clientIP` itself.)
 */
export function pushAddressOf(clientIP: string, remoteAddress: string | undefined): string {
  const remote = remoteAddress ? normalizeAddress(remoteAddress.trim()) : '';
  return remote !== '' ? remote : clientIP.trim();
}
