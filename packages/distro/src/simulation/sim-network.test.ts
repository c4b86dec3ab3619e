import { isDistroError } from '../errors';
import type { DistroResponse } from '../transport';
import { SeededRandom } from './seeded-random';
import { SimNetwork } from './sim-network';
import { VirtualTime } from './virtual-time';

const faults = { lossRate: 0, duplicateRate: 0, minDelayMs: 10, maxDelayMs: 10, timeoutMs: 1000 };

function setup(overrides = {}) {
  const time = new VirtualTime();
  const net = new SimNetwork(time, new SeededRandom(1), { ...faults, ...overrides });
  const received: string[] = [];
  net.register('b', (req) => {
    received.push(req.kind);
    return { kind: 'ack' };
  });
  return { time, net, received };
}

describe('SimNetwork', () => {
  it('delivers after the drawn delays, through the wire encoding', async () => {
    const { time, net, received } = setup();
    let reply: DistroResponse | undefined;
    void net.transportFor('a').request('b', { kind: 'snapshot', from: 'a' }).then((r) => (reply = r));
    await time.runFor(15);
    expect(received).toEqual(['snapshot']);
    expect(reply).toBeUndefined();
    await time.runFor(10);
    expect(reply).toEqual({ kind: 'ack' });
  });

  it('times out across a partition and to unknown members; heals', async () => {
    const { time, net, received } = setup();
    net.partition([['a'], ['b']]);
    const errors: unknown[] = [];
    net.transportFor('a').request('b', { kind: 'snapshot', from: 'a' }).catch((e) => errors.push(e));
    net.transportFor('a').request('zz', { kind: 'snapshot', from: 'a' }).catch((e) => errors.push(e));
    await time.runFor(999);
    expect(errors).toHaveLength(0);
    await time.runFor(1);
    expect(errors.every((e) => isDistroError(e, 'PEER_FAILED'))).toBe(true);
    expect(errors).toHaveLength(2);
    expect(received).toEqual([]);
    net.heal();
    await expect(
      (async () => {
        const p = net.transportFor('a').request('b', { kind: 'snapshot', from: 'a' });
        await time.runFor(30);
        return p;
      })(),
    ).resolves.toEqual({ kind: 'ack' });
  });

  it('duplicates and loses messages as configured, and passes handler errors through', async () => {
    const { time, net, received } = setup({ duplicateRate: 1 });
    void net.transportFor('a').request('b', { kind: 'snapshot', from: 'a' });
    await time.runFor(100);
    expect(received).toEqual(['snapshot', 'snapshot']);
    net.faults = { ...net.faults, duplicateRate: 0, lossRate: 1 };
    const lost = net.transportFor('a').request('b', { kind: 'snapshot', from: 'a' });
    const settled = lost.catch((e) => e);
    await time.runFor(1000);
    expect(isDistroError(await settled, 'PEER_FAILED')).toBe(true);
    expect(net.stats.lost).toBeGreaterThan(0);
  });
});
