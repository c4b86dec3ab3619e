import { DistroError, isDistroError } from '../errors';
import { InMemoryNetwork } from './in-memory-network';

describe('InMemoryNetwork', () => {
  it('round-trips through the wire and counts deliveries', async () => {
    const net = new InMemoryNetwork();
    net.register('b', (req) => ({ kind: 'entries', purgeHorizon: 0, entries: req.kind === 'fetch' ? [] : [] }));
    await expect(net.transportFor('a').request('b', { kind: 'fetch', from: 'a', keys: [] })).resolves.toEqual({
      kind: 'entries',
      purgeHorizon: 0,
      entries: [],
    });
    expect(net.delivered.fetch).toBe(1);
  });

  it('keeps DistroError codes of the handler, and fails cut or unknown links', async () => {
    const net = new InMemoryNetwork();
    net.register('b', () => {
      throw new DistroError('NOT_READY', 'loading');
    });
    const t = net.transportFor('a');
    await expect(t.request('b', { kind: 'snapshot', from: 'a' })).rejects.toMatchObject({ code: 'NOT_READY' });
    await expect(t.request('c', { kind: 'snapshot', from: 'a' })).rejects.toMatchObject({ code: 'PEER_FAILED' });
    net.register('a', () => ({ kind: 'ack' }));
    net.isolate('a');
    const err = await t.request('b', { kind: 'snapshot', from: 'a' }).catch((e) => e);
    expect(isDistroError(err, 'PEER_FAILED')).toBe(true);
    net.healAll();
    await expect(t.request('b', { kind: 'snapshot', from: 'a' })).rejects.toMatchObject({ code: 'NOT_READY' });
  });
});
