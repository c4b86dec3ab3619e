/** A client that polls instance/list with a UDP port: a push target (NACOS-FACTS §4). */
export interface Subscriber {
  /** `ip:port` of the client's UDP receiver. */
  addrStr: string;
  agent: string;
  app: string;
  ip: string;
  port: number;
  namespaceId: string;
  /** Grouped service name. */
  serviceName: string;
  /** The `clusters` string the client asked for. */
  cluster: string;
  /** Monotonic ms of its last poll. */
  lastRefTime: number;
  /**
   * The TCP source address of its latest poll (IPv4-mapped prefix stripped), when known. UDP push goes
   * here first: nacos-naming guesses `clientIP` from its own interfaces, which is wrong behind NAT.
   */
  remoteAddress?: string;
}

/**
 * Subscribers per service, refreshed by every subscribing instance/list call and forgotten after
 * `ttlMs` without a poll. Lookups are by `namespace##service`; nothing scans all services on a request.
 */
export class SubscriberRegistry {
  private readonly byService = new Map<string, Map<string, Subscriber>>();

  /** Records or refreshes a subscriber. */
  record(sub: Subscriber): void {
    const serviceKey = `${sub.namespaceId}##${sub.serviceName}`;
    let subs = this.byService.get(serviceKey);
    if (!subs) {
      subs = new Map();
      this.byService.set(serviceKey, subs);
    }
    const key = `${sub.addrStr}|${sub.cluster}|${sub.agent}`;
    const existing = subs.get(key);
    if (existing) {
      existing.lastRefTime = sub.lastRefTime;
      existing.app = sub.app;
      existing.remoteAddress = sub.remoteAddress;
    } else {
      subs.set(key, sub);
    }
  }

  /** Live subscribers of one service (what a push module sends to). */
  forService(namespaceId: string, serviceName: string, now: number, ttlMs: number): Subscriber[] {
    const subs = this.byService.get(`${namespaceId}##${serviceName}`);
    if (!subs) return [];
    const out: Subscriber[] = [];
    for (const sub of subs.values()) if (now - sub.lastRefTime <= ttlMs) out.push(sub);
    return out;
  }

  /** Live subscribers of a namespace whose service matches `match` (console listing). */
  find(namespaceId: string, match: (serviceName: string) => boolean, now: number, ttlMs: number): Subscriber[] {
    const out: Subscriber[] = [];
    for (const subs of this.byService.values()) {
      for (const sub of subs.values()) {
        if (sub.namespaceId === namespaceId && now - sub.lastRefTime <= ttlMs && match(sub.serviceName)) out.push(sub);
      }
    }
    return out;
  }

  /** Forgets subscribers silent for more than `ttlMs`. */
  sweep(now: number, ttlMs: number): void {
    for (const [serviceKey, subs] of this.byService) {
      for (const [key, sub] of subs) if (now - sub.lastRefTime > ttlMs) subs.delete(key);
      if (subs.size === 0) this.byService.delete(serviceKey);
    }
  }

  /** Number of recorded subscribers (live or not yet swept). */
  get size(): number {
    let n = 0;
    for (const subs of this.byService.values()) n += subs.size;
    return n;
  }
}
