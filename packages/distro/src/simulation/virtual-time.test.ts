import { VirtualTime } from './virtual-time';

describe('VirtualTime', () => {
  it('runs events in time order, ties in scheduling order, and skips cancelled ones', async () => {
    const t = new VirtualTime(100);
    const seen: string[] = [];
    t.schedule(20, () => seen.push('b'));
    t.schedule(10, () => seen.push('a'));
    t.schedule(20, () => seen.push('c'));
    const h = t.schedule(15, () => seen.push('cancelled'));
    t.cancel(h);
    await t.runFor(20);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(t.now).toBe(120);
  });

  it('stops at the horizon and lets promise callbacks run between events', async () => {
    const t = new VirtualTime();
    const seen: string[] = [];
    t.schedule(5, () => {
      void Promise.resolve().then(() => seen.push('microtask'));
    });
    t.schedule(6, () => seen.push('next event'));
    t.schedule(50, () => seen.push('late'));
    await t.runFor(10);
    expect(seen).toEqual(['microtask', 'next event']);
    expect(t.now).toBe(10);
    expect(t.nextAt()).toBe(50);
  });

  it('gives clocks a skew on the shared timeline', () => {
    const t = new VirtualTime(1000);
    expect(t.clock(-300).now()).toBe(700);
    expect(t.clock(250).now()).toBe(1250);
  });

  it('guards against livelock', async () => {
    const t = new VirtualTime();
    const loop = () => t.schedule(0, loop);
    loop();
    await expect(t.runFor(1, 100)).rejects.toThrow('more than 100 events');
  });
});
