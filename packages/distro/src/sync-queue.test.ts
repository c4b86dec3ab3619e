import fc from 'fast-check';
import { SyncQueue } from './sync-queue';

const k = (key: string) => ({ type: 't', key });
const config = { delayMs: 1000, batchSize: 3, retryBaseMs: 5000, retryMaxMs: 20000 };

describe('SyncQueue', () => {
  it('waits the delay, then sends every pending key of the target in one batch', () => {
    const q = new SyncQueue(config);
    q.add('b', [k('1')], 0);
    q.add('b', [k('2'), k('1')], 400);
    expect(q.nextDueAt()).toBe(1000);
    expect(q.takeDue(999)).toEqual([]);
    q.add('c', [k('1')], 400);
    expect(q.pendingKeys()).toBe(3);
    expect(q.takeDue(1000)).toEqual([{ target: 'b', keys: [k('1'), k('2')] }]);
    expect(q.pendingKeys()).toBe(1);
    expect(q.takeDue(1400)).toEqual([{ target: 'c', keys: [k('1')] }]);
    expect(q.pendingKeys()).toBe(0);
    expect(q.nextDueAt()).toBeUndefined();
  });

  it('flushes at batch size without waiting, then the rest after the delay', () => {
    const q = new SyncQueue({ ...config, batchSize: 2 });
    q.add('b', [k('1'), k('2'), k('3')], 0);
    expect(q.nextDueAt()).toBe(0);
    const [first] = q.takeDue(0);
    expect(first!.keys).toEqual([k('1'), k('2')]);
    q.complete(first!, true, 10);
    expect(q.nextDueAt()).toBe(1000);
  });

  it('keeps one batch in flight per target; keys queued meanwhile wait', () => {
    const q = new SyncQueue(config);
    q.add('b', [k('1')], 0);
    const [batch] = q.takeDue(1000);
    q.add('b', [k('1')], 1100);
    expect(q.nextDueAt()).toBeUndefined();
    q.complete(batch!, true, 1200);
    expect(q.nextDueAt()).toBe(2100);
  });

  it('backs off exponentially on failure, capped, and resets on success', () => {
    const q = new SyncQueue(config);
    q.add('b', [k('1')], 0);
    let now = 1000;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [batch] = q.takeDue(now);
      q.complete(batch!, false, now);
      const next = q.nextDueAt()!;
      delays.push(next - now);
      now = next;
    }
    expect(delays).toEqual([5000, 10000, 20000, 20000, 20000]);
    expect(q.failureCount('b')).toBe(5);
    const [batch] = q.takeDue(now);
    expect(batch!.keys).toEqual([k('1')]);
    q.complete(batch!, true, now);
    expect(q.failureCount('b')).toBe(0);
    expect(q.nextDueAt()).toBeUndefined();
  });

  it('puts failed keys before newer ones without duplicating them', () => {
    const q = new SyncQueue(config);
    q.add('b', [k('1'), k('2')], 0);
    const [batch] = q.takeDue(1000);
    q.add('b', [k('3'), k('2')], 1001);
    q.complete(batch!, false, 1002);
    const [retry] = q.takeDue(10000);
    expect(retry!.keys).toEqual([k('1'), k('2'), k('3')]);
  });

  it('drops targets that left, with their keys', () => {
    const q = new SyncQueue(config);
    q.add('b', [k('1')], 0);
    q.add('c', [k('1')], 0);
    q.retainTargets(new Set(['c']));
    expect(q.pendingCount('b')).toBe(0);
    expect(q.takeDue(5000).map((b) => b.target)).toEqual(['c']);
  });

  it('property: every queued key is eventually delivered to its target once sends succeed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ target: fc.constantFrom('a', 'b'), key: fc.constantFrom('1', '2', '3', '4', '5'), at: fc.nat(10000), fail: fc.boolean() }), { maxLength: 30 }),
        (ops) => {
          const q = new SyncQueue(config);
          const delivered = new Set<string>();
          const wanted = new Set(ops.map((o) => `${o.target}/${o.key}`));
          const sorted = [...ops].sort((x, y) => x.at - y.at);
          let now = 0;
          let i = 0;
          for (let step = 0; step < 1000; step++) {
            while (i < sorted.length && sorted[i]!.at <= now) {
              q.add(sorted[i]!.target, [k(sorted[i]!.key)], now);
              i++;
            }
            for (const batch of q.takeDue(now)) {
              // Fail while the op stream lasts (when asked), succeed afterwards.
              const ok = i >= sorted.length || !sorted[Math.min(i, sorted.length - 1)]!.fail;
              if (ok) for (const key of batch.keys) delivered.add(`${batch.target}/${key.key}`);
              if (batch.keys.length > config.batchSize) return false;
              q.complete(batch, ok, now);
            }
            const next = Math.min(q.nextDueAt() ?? Number.POSITIVE_INFINITY, sorted[i]?.at ?? Number.POSITIVE_INFINITY);
            if (next === Number.POSITIVE_INFINITY) break;
            now = Math.max(now, next);
          }
          return [...wanted].every((w) => delivered.has(w));
        },
      ),
      { numRuns: 300 },
    );
  });
});
