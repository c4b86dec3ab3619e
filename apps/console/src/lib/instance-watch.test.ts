import { type EventSourceLike, InstanceWatch, type WatchDeps, type WatchMode } from './instance-watch';

/** A hand-driven clock and EventSource. */
function harness() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const sources: Array<EventSourceLike & { url: string; closed: boolean; listeners: Map<string, (e: MessageEvent) => void> }> = [];
  const deps: WatchDeps = {
    openEventSource: (url) => {
      const listeners = new Map<string, (e: MessageEvent) => void>();
      const source = {
        url,
        closed: false,
        listeners,
        onopen: null,
        onmessage: null,
        onerror: null,
        addEventListener: (type: string, fn: (e: MessageEvent) => void) => void listeners.set(type, fn),
        close() {
          this.closed = true;
        },
      };
      sources.push(source);
      return source;
    },
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => {
      timers.delete(id as number);
    },
  };
  /** Advances time, running due timers in order (bounded). */
  const advance = async (ms: number) => {
    const end = now + ms;
    for (let i = 0; i < 1000; i++) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
      await Promise.resolve();
      await Promise.resolve();
    }
    now = end;
  };
  return { deps, sources, advance, timers };
}

function makeWatch(deps: WatchDeps) {
  const modes: WatchMode[] = [];
  const changes: unknown[] = [];
  const watch = new InstanceWatch(
    { url: '/nacos/v1/ns/instance/watch?serviceName=a', onChange: (d) => void changes.push(d), onMode: (m) => void modes.push(m), pollMs: 2000, connectTimeoutMs: 5000, retryStreamMs: 30000 },
    deps,
  );
  return { watch, modes, changes };
}

const message = (data: unknown) => ({ data: JSON.stringify(data) }) as MessageEvent;

test('the first stream event makes the watch live and passes the parsed list on', () => {
  const h = harness();
  const { watch, modes, changes } = makeWatch(h.deps);
  watch.start();
  expect(modes).toEqual(['connecting']);
  h.sources[0]!.onmessage!(message({ hosts: [{ ip: '10.0.0.1' }] }));
  expect(watch.getMode()).toBe('live');
  expect(changes).toEqual([{ hosts: [{ ip: '10.0.0.1' }] }]);
});

test('a stream error falls back to polling every 2 s, and a later stream takes over again', async () => {
  const h = harness();
  const { watch, modes, changes } = makeWatch(h.deps);
  watch.start();
  h.sources[0]!.onerror!(new Event('error'));
  expect(h.sources[0]!.closed).toBe(true);
  expect(watch.getMode()).toBe('polling');
  await h.advance(0);
  expect(changes).toEqual([undefined]);
  await h.advance(6000);
  expect(changes.length).toBe(4);
  await h.advance(24_000); // 30 s after the fallback the stream is tried again
  expect(h.sources.length).toBe(2);
  const polled = changes.length;
  h.sources[1]!.onmessage!(message({ hosts: [] }));
  expect(watch.getMode()).toBe('live');
  await h.advance(10_000);
  expect(changes.length).toBe(polled + 1); // polling stopped
  expect(modes).toEqual(['connecting', 'polling', 'live']);
});

test('a stream that never delivers is given up after the connect timeout', async () => {
  const h = harness();
  const { watch } = makeWatch(h.deps);
  watch.start();
  await h.advance(4999);
  expect(watch.getMode()).toBe('connecting');
  await h.advance(1);
  expect(watch.getMode()).toBe('polling');
  expect(h.sources[0]!.closed).toBe(true);
});

test('without EventSource it polls from the start; stop() ends everything', async () => {
  const h = harness();
  const { watch, changes } = makeWatch({ ...h.deps, openEventSource: undefined });
  watch.start();
  expect(watch.getMode()).toBe('polling');
  await h.advance(4000);
  const count = changes.length;
  watch.stop();
  await h.advance(60_000);
  expect(changes.length).toBe(count);
  expect(watch.getMode()).toBe('stopped');
  expect(h.timers.size).toBe(0);
});

test('events from a closed stream are ignored', () => {
  const h = harness();
  const { watch, changes } = makeWatch(h.deps);
  watch.start();
  const first = h.sources[0]!;
  const onmessage = first.onmessage!;
  watch.stop();
  onmessage(message({ hosts: [] }));
  expect(changes).toEqual([]);
});

test('named events (event: instances) count like plain messages', () => {
  const h = harness();
  const { watch, changes } = makeWatch(h.deps);
  watch.start();
  h.sources[0]!.listeners.get('instances')!(message({ hosts: [] }));
  expect(watch.getMode()).toBe('live');
  expect(changes).toEqual([{ hosts: [] }]);
});
