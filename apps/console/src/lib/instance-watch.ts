// Keeps a service's instance view current: the SSE watch (`GET /v1/ns/instance/watch`) when the server
// answers it, otherwise polling every 2 s, and says which of the two is live.

/** How the view is kept current right now. */
export type WatchMode = 'connecting' | 'live' | 'polling' | 'stopped';

/** The part of the browser's EventSource the watch uses. */
export interface EventSourceLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  /** Named events (`event: instances` / `event: change`) do not reach `onmessage`; they are listened to here. */
  addEventListener?(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** SSE event names that carry an instance list, besides the default `message`. */
export const WATCH_EVENT_NAMES = ['instances', 'change'] as const;

/** Timers and the EventSource constructor, injected so tests drive time by hand. */
export interface WatchDeps {
  openEventSource: ((url: string) => EventSourceLike) | undefined;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

/** Options of {@link InstanceWatch}. */
export interface InstanceWatchOptions {
  /** Full watch URL, token included (EventSource cannot send headers). */
  url: string;
  /**
   * Called on every change: with the event's parsed JSON in live mode, with `undefined` on each poll.
   * The returned promise is awaited before the next poll is scheduled, so polls never overlap.
   */
  onChange: (data: unknown) => void | Promise<void>;
  onMode: (mode: WatchMode) => void;
  /** Poll period (default 2000 ms). */
  pollMs?: number;
  /** Give up on the stream when no event arrived this long after opening it (default 5000 ms). */
  connectTimeoutMs?: number;
  /** While polling, try the stream again after this long (default 30000 ms). */
  retryStreamMs?: number;
}

/** The browser's own timers and EventSource. */
export function browserWatchDeps(): WatchDeps {
  return {
    openEventSource: typeof EventSource === 'undefined' ? undefined : (url) => new EventSource(url),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  };
}

/**
 * One watch of one service. `start()` opens the stream (mode `connecting`); the first event makes it
 * `live`. A stream error, or no event within `connectTimeoutMs`, closes it and switches to `polling`
 * (one `onChange(undefined)` right away, then every `pollMs` after the previous one finished); while
 * polling the stream is tried again every `retryStreamMs`, and polling stops once it delivers. `stop()`
 * closes everything and no callback runs after it.
 */
export class InstanceWatch {
  private mode: WatchMode = 'stopped';
  private source: EventSourceLike | undefined;
  private pollTimer: unknown;
  private connectTimer: unknown;
  private retryTimer: unknown;
  private polling = false;
  private readonly pollMs: number;
  private readonly connectTimeoutMs: number;
  private readonly retryStreamMs: number;

  constructor(
    private readonly options: InstanceWatchOptions,
    private readonly deps: WatchDeps = browserWatchDeps(),
  ) {
    this.pollMs = options.pollMs ?? 2000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.retryStreamMs = options.retryStreamMs ?? 30000;
  }

  /** The current mode. */
  getMode(): WatchMode {
    return this.mode;
  }

  /** Starts watching (stream first). Calling it twice restarts. */
  start(): void {
    this.stop();
    if (!this.deps.openEventSource) {
      this.startPolling();
      return;
    }
    this.setMode('connecting');
    this.openStream();
  }

  /** Stops the stream and all timers. */
  stop(): void {
    this.closeStream();
    this.stopPolling();
    if (this.retryTimer !== undefined) this.deps.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setMode('stopped');
  }

  private setMode(mode: WatchMode): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.options.onMode(mode);
  }

  private openStream(): void {
    const open = this.deps.openEventSource;
    if (!open) return;
    let source: EventSourceLike;
    try {
      source = open(this.options.url);
    } catch {
      this.fallBack();
      return;
    }
    this.source = source;
    this.connectTimer = this.deps.setTimeout(() => {
      this.connectTimer = undefined;
      if (this.source === source && this.mode !== 'live') this.fallBack();
    }, this.connectTimeoutMs);
    const onEvent = (event: MessageEvent) => {
      if (this.source !== source) return;
      this.clearConnectTimer();
      this.stopPolling();
      this.setMode('live');
      let data: unknown;
      try {
        data = JSON.parse(String(event.data));
      } catch {
        data = undefined;
      }
      void this.options.onChange(data);
    };
    source.onmessage = onEvent;
    for (const name of WATCH_EVENT_NAMES) source.addEventListener?.(name, onEvent);
    source.onerror = () => {
      if (this.source !== source) return;
      this.fallBack();
    };
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) this.deps.clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  private closeStream(): void {
    this.clearConnectTimer();
    if (this.source) {
      this.source.onmessage = null;
      this.source.onerror = null;
      this.source.close();
    }
    this.source = undefined;
  }

  /** The stream failed: poll, and try the stream again later. */
  private fallBack(): void {
    this.closeStream();
    this.startPolling();
    if (this.retryTimer === undefined && this.deps.openEventSource) {
      this.retryTimer = this.deps.setTimeout(() => {
        this.retryTimer = undefined;
        if (this.mode === 'polling') this.openStream();
      }, this.retryStreamMs);
    }
  }

  private startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    this.setMode('polling');
    void this.pollOnce();
  }

  private stopPolling(): void {
    this.polling = false;
    if (this.pollTimer !== undefined) this.deps.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private async pollOnce(): Promise<void> {
    if (!this.polling) return;
    try {
      await this.options.onChange(undefined);
    } catch {
      // the page shows its own error; keep polling
    }
    if (!this.polling) return;
    this.pollTimer = this.deps.setTimeout(() => {
      this.pollTimer = undefined;
      void this.pollOnce();
    }, this.pollMs);
  }
}
