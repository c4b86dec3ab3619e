import { cleaningCloser } from './scenarios';

function fakeConns(n: number) {
  return Array.from({ length: n }, (_, i) => ({ id: i, closed: false, close() { this.closed = true; } }));
}

test('cleaningCloser cleans every item once, spread over the connections, then closes them', async () => {
  const conns = fakeConns(3);
  const seen = new Map<number, number>();
  const users = new Set<number>();
  const items = Array.from({ length: 30 }, (_, i) => i);
  await cleaningCloser(conns, items, async (conn, item) => {
    users.add(conn.id);
    seen.set(item, (seen.get(item) ?? 0) + 1);
    if (item % 7 === 0) throw new Error('already gone'); // failures are ignored
    await new Promise((resolve) => setTimeout(resolve, 1));
  })();
  expect([...seen.keys()].sort((a, b) => a - b)).toEqual(items);
  expect([...seen.values()].every((n) => n === 1)).toBe(true);
  expect(users.size).toBe(3);
  expect(conns.every((c) => c.closed)).toBe(true);
});

test('cleaningCloser stops at its deadline and still closes the connections', async () => {
  const conns = fakeConns(2);
  let cleaned = 0;
  const started = Date.now();
  await cleaningCloser(
    conns,
    Array.from({ length: 1_000 }, (_, i) => i),
    async () => {
      cleaned++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
    50,
  )();
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(cleaned).toBeGreaterThan(0);
  expect(cleaned).toBeLessThan(1_000);
  expect(conns.every((c) => c.closed)).toBe(true);
});
