import { ExpiryScheduler } from './expiry-scheduler';
import { InstanceRecord } from './instance-record';

function rec(i: number): InstanceRecord {
  return new InstanceRecord(`k${i}`, `10.0.0.${i}`, 80, 'DEFAULT', true, {}, 0);
}

describe('ExpiryScheduler', () => {
  it('pops strictly-due entries in deadline order', () => {
    const s = new ExpiryScheduler();
    const a = rec(1);
    const b = rec(2);
    const c = rec(3);
    s.schedule(a, 30);
    s.schedule(b, 10);
    s.schedule(c, 20);
    expect(s.peekDeadline()).toBe(10);
    expect(s.popDue(10)).toBeUndefined();
    expect(s.popDue(25)).toBe(b);
    expect(s.popDue(25)).toBe(c);
    expect(s.popDue(25)).toBeUndefined();
    expect(s.size).toBe(1);
    expect(b.heapIndex).toBe(-1);
  });

  it('reschedules in place and removes from the middle', () => {
    const s = new ExpiryScheduler();
    const items = [1, 2, 3, 4, 5].map(rec);
    items.forEach((r, i) => {
      s.schedule(r, (i + 1) * 10);
    });
    s.schedule(items[4] as InstanceRecord, 1);
    s.remove(items[1] as InstanceRecord);
    s.remove(items[1] as InstanceRecord);
    expect(s.size).toBe(4);
    const order: string[] = [];
    for (let r = s.popDue(1000); r; r = s.popDue(1000)) order.push(r.key);
    expect(order).toEqual(['k5', 'k1', 'k3', 'k4']);
  });

  it('stays a heap under random operations (seeded)', () => {
    const seed = Number(process.env.SEED ?? Date.now() % 100000);
    let x = seed;
    const rnd = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x / 2147483648;
    };
    const s = new ExpiryScheduler();
    const live = new Set<InstanceRecord>();
    const all = Array.from({ length: 200 }, (_, i) => rec(i));
    for (let step = 0; step < 5000; step++) {
      const r = all[Math.floor(rnd() * all.length)] as InstanceRecord;
      if (rnd() < 0.3) {
        s.remove(r);
        live.delete(r);
      } else {
        s.schedule(r, Math.floor(rnd() * 1000));
        live.add(r);
      }
    }
    let last = -1;
    let n = 0;
    for (let r = s.popDue(Infinity); r; r = s.popDue(Infinity)) {
      if (r.deadline < last) throw new Error(`heap order broken (SEED=${seed})`);
      last = r.deadline;
      n++;
    }
    expect(n).toBe(live.size);
  });
});
