import { SubscriberRegistry } from './subscribers';

describe('SubscriberRegistry', () => {
  const sub = (port: number, t: number) => ({
    addrStr: `1.2.3.4:${port}`,
    agent: 'Nacos-Java-Client:v1.0.0',
    app: '',
    ip: '1.2.3.4',
    port,
    namespaceId: 'public',
    serviceName: 'DEFAULT_GROUP@@a',
    cluster: '',
    lastRefTime: t,
  });

  it('records, refreshes and forgets silent subscribers', () => {
    const r = new SubscriberRegistry();
    r.record(sub(1, 0));
    r.record(sub(1, 5));
    r.record(sub(2, 0));
    expect(r.size).toBe(2);
    expect(r.forService('public', 'DEFAULT_GROUP@@a', 12, 10).map((s) => s.port)).toEqual([1]);
    expect(r.find('public', (n) => n.includes('a'), 12, 100)).toHaveLength(2);
    expect(r.find('other', () => true, 12, 100)).toHaveLength(0);
    r.sweep(12, 10);
    expect(r.size).toBe(1);
    r.sweep(100, 10);
    expect(r.size).toBe(0);
  });
});
