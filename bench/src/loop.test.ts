import { runClosedLoop } from './loop';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('stops at the count bound and issues distinct sequence numbers', async () => {
  const seen = new Set<number>();
  const result = await runClosedLoop(
    async (_c, seq) => {
      seen.add(seq);
      await tick();
    },
    { connections: 4, warmupMs: 0, durationMs: 10_000, maxOps: 50 },
  );
  expect(result.stoppedBy).toBe('count');
  expect(result.ops).toBe(50);
  expect(seen.size).toBe(50);
  expect(result.opsPerSec).toBeGreaterThan(0);
  expect(result.latency.p50).toBeGreaterThanOrEqual(0);
});

test('stops at the time bound', async () => {
  const started = Date.now();
  const result = await runClosedLoop(() => new Promise((resolve) => setTimeout(resolve, 5)), {
    connections: 2,
    warmupMs: 0,
    durationMs: 100,
    maxOps: 1_000_000,
  });
  expect(result.stoppedBy).toBe('time');
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(result.ops).toBeGreaterThan(0);
  expect(result.ops).toBeLessThan(200);
});

test('at most one request in flight per connection', async () => {
  const inFlight = new Map<number, number>();
  let violated = false;
  await runClosedLoop(
    async (c) => {
      const n = (inFlight.get(c) ?? 0) + 1;
      inFlight.set(c, n);
      if (n > 1) violated = true;
      await tick();
      inFlight.set(c, n - 1);
    },
    { connections: 8, warmupMs: 0, durationMs: 1_000, maxOps: 400 },
  );
  expect(violated).toBe(false);
});

test('warm-up is discarded but keeps sequence numbers unique', async () => {
  const seqs: number[] = [];
  const result = await runClosedLoop(
    async (_c, seq) => {
      seqs.push(seq);
      await tick();
    },
    { connections: 1, warmupMs: 1_000, warmupMaxOps: 10, durationMs: 1_000, maxOps: 5 },
  );
  expect(result.ops).toBe(5);
  expect(seqs).toEqual(Array.from({ length: 15 }, (_, i) => i));
});

test('stops after too many errors and reports the first one', async () => {
  const result = await runClosedLoop(
    async (_c, seq) => {
      await tick();
      throw new Error(`boom ${seq}`);
    },
    { connections: 2, warmupMs: 0, durationMs: 10_000, maxOps: 1_000_000, maxErrors: 10 },
  );
  expect(result.stoppedBy).toBe('errors');
  expect(result.errors).toBeGreaterThanOrEqual(10);
  expect(result.errors).toBeLessThanOrEqual(11);
  expect(result.firstError).toBe('boom 0');
  expect(result.ops).toBe(0);
});

test('a request that never answers cannot hold the run past deadline + grace', async () => {
  const started = Date.now();
  const result = await runClosedLoop(
    (c) => (c === 0 ? new Promise<void>(() => {}) : new Promise((resolve) => setTimeout(resolve, 2))),
    { connections: 2, warmupMs: 0, durationMs: 50, maxOps: 1_000_000, graceMs: 50 },
  );
  expect(result.stoppedBy).toBe('stuck');
  expect(Date.now() - started).toBeLessThan(1_000);
});

test('rejects zero connections', async () => {
  await expect(runClosedLoop(async () => {}, { connections: 0, warmupMs: 0, durationMs: 1, maxOps: 1 })).rejects.toThrow(
    RangeError,
  );
});
