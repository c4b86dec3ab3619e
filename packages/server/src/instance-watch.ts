import type { ServerResponse } from 'node:http';
import type { ListRequest, NamingRegistry } from '@tacos/core';

/** Options of {@link InstanceWatchHub}. */
export interface InstanceWatchOptions {
  /** Most open streams at once; more are refused with 503 (default 10,000). */
  maxWatchers?: number;
  /** Changes to one service within this many ms go out as one event (default 50). */
  coalesceMs?: number;
  /** A `: ping` comment goes to every stream this often, so proxies keep it open (default 15,000). */
  pingMs?: number;
}

/** What a watcher asked for: an instance/list request without push fields. */
export type WatchRequest = Pick<ListRequest, 'namespaceId' | 'serviceName' | 'clusters' | 'healthyOnly' | 'userAgent' | 'env'>;

interface Watcher {
  req: WatchRequest;
  res: ServerResponse;
  /** A change arrived while the socket was full; send the latest list at the next 'drain'. */
  dirty: boolean;
}

function serviceKey(namespaceId: string, serviceName: string): string {
  return `${namespaceId}\u0000${serviceName}`;
}

/**
 * The SSE watch behind `GET /nacos/v1/ns/instance/watch` (a Tacos addition, DESIGN.md §7): each
 * stream gets the service's instance/list body as `event: instances` at once and again after every
 * change of that service, plus a `: ping` comment every `pingMs`.
 *
 * Changes are coalesced per service for `coalesceMs`, then the body is rendered once per distinct
 * request shape (the registry caches bodies per version). A stream whose socket is full is not
 * written to; it is marked and gets the then-latest list on `drain`, so a slow reader costs no memory
 * beyond one socket buffer and never sees stale lists after fresh ones. Listeners and timers are
 * released when a stream closes. One hub per app; `close()` ends every stream.
 */
export class InstanceWatchHub {
  private readonly registry: NamingRegistry;
  private readonly maxWatchers: number;
  private readonly coalesceMs: number;
  private readonly pingMs: number;
  private readonly byService = new Map<string, Set<Watcher>>();
  private readonly scheduled = new Map<string, NodeJS.Timeout>();
  private count = 0;
  private unsubscribe: (() => void) | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(registry: NamingRegistry, options: InstanceWatchOptions = {}) {
    this.registry = registry;
    this.maxWatchers = options.maxWatchers ?? 10_000;
    this.coalesceMs = options.coalesceMs ?? 50;
    this.pingMs = options.pingMs ?? 15_000;
  }

  /** Open streams. */
  get size(): number {
    return this.count;
  }

  /** True when another stream would exceed `maxWatchers`. */
  isFull(): boolean {
    return this.count >= this.maxWatchers;
  }

  /**
   * Renders the current list for `req` (throws the registry's NacosError, e.g. a disabled service, so
   * the caller can answer it before opening the stream).
   */
  render(req: WatchRequest): string {
    // udpPort 0: a watch is not a UDP subscriber.
    return this.registry.listInstances({ ...req, clientIP: '', udpPort: 0, app: '' });
  }

  /**
   * Turns `res` into an event stream for `req`: writes the headers and the first list (`initialBody`,
   * already rendered by the caller) and keeps it updated until the client goes away. The caller
   * checks {@link isFull} first.
   */
  open(req: WatchRequest, res: ServerResponse, initialBody: string): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // Tell buffering proxies (nginx) to pass events through at once.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const watcher: Watcher = { req, res, dirty: false };
    const key = serviceKey(req.namespaceId, req.serviceName);
    let set = this.byService.get(key);
    if (!set) {
      set = new Set();
      this.byService.set(key, set);
    }
    set.add(watcher);
    this.count++;
    this.ensureListening();
    res.on('drain', () => {
      if (watcher.dirty) this.send(watcher);
    });
    res.on('close', () => this.remove(key, watcher));
    this.write(watcher, initialBody);
  }

  /** Ends every stream and stops listening to the registry. */
  close(): void {
    for (const timer of this.scheduled.values()) clearTimeout(timer);
    this.scheduled.clear();
    for (const set of this.byService.values()) for (const watcher of set) watcher.res.end();
    this.byService.clear();
    this.count = 0;
    this.stopListening();
  }

  private ensureListening(): void {
    if (!this.unsubscribe) {
      this.unsubscribe = this.registry.onServiceChanged((namespaceId, serviceName) => this.changed(namespaceId, serviceName));
    }
    if (!this.pingTimer) {
      this.pingTimer = setInterval(() => this.ping(), this.pingMs);
      this.pingTimer.unref();
    }
  }

  private stopListening(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private remove(key: string, watcher: Watcher): void {
    const set = this.byService.get(key);
    if (!set?.delete(watcher)) return;
    this.count--;
    if (set.size === 0) {
      this.byService.delete(key);
      const timer = this.scheduled.get(key);
      if (timer) clearTimeout(timer);
      this.scheduled.delete(key);
    }
    // Nobody watches: no registry listener, no ping timer.
    if (this.count === 0) this.stopListening();
  }

  private changed(namespaceId: string, serviceName: string): void {
    const key = serviceKey(namespaceId, serviceName);
    if (!this.byService.has(key) || this.scheduled.has(key)) return;
    const timer = setTimeout(() => {
      this.scheduled.delete(key);
      this.flush(key);
    }, this.coalesceMs);
    timer.unref();
    this.scheduled.set(key, timer);
  }

  private flush(key: string): void {
    const set = this.byService.get(key);
    if (!set) return;
    // One render per request shape; the registry's own cache makes repeats cheap anyway.
    const bodies = new Map<string, string | undefined>();
    for (const watcher of set) {
      const r = watcher.req;
      const shape = `${r.clusters}\u0000${r.healthyOnly}\u0000${r.userAgent}\u0000${r.env}`;
      let body = bodies.get(shape);
      if (!bodies.has(shape)) {
        body = this.tryRender(r);
        bodies.set(shape, body);
      }
      if (body === undefined) continue;
      if (watcher.res.writableNeedDrain) {
        watcher.dirty = true;
        continue;
      }
      this.write(watcher, body);
    }
  }

  private tryRender(req: WatchRequest): string | undefined {
    try {
      return this.render(req);
    } catch {
      // E.g. the service was disabled: keep the stream, send nothing until it renders again.
      return undefined;
    }
  }

  private send(watcher: Watcher): void {
    const body = this.tryRender(watcher.req);
    if (body !== undefined) this.write(watcher, body);
  }

  private write(watcher: Watcher, body: string): void {
    watcher.dirty = false;
    // The body is one line of JSON, so one `data:` line carries it.
    watcher.res.write(`event: instances\ndata: ${body}\n\n`);
  }

  private ping(): void {
    for (const set of this.byService.values()) {
      for (const watcher of set) if (!watcher.res.writableNeedDrain) watcher.res.write(': ping\n\n');
    }
  }
}
