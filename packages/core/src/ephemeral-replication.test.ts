import { EPHEMERAL_DATA_TYPE, type EphemeralDistroPort, EphemeralReplicator } from './ephemeral-replication';
import { NamingRegistry } from './naming-registry';

/** Two registries joined by a fake Distro: `owner` owns every service, `replica` owns none. */
function pair() {
  const owner = new NamingRegistry();
  const replica = new NamingRegistry();
  const ownerRep = new EphemeralReplicator(owner);
  const replicaRep = new EphemeralReplicator(replica);
  const store = new Map<string, Uint8Array | null>();
  const port = (responsible: boolean): EphemeralDistroPort => ({
    isResponsible: () => responsible,
    put: (_t, key, value) => {
      store.set(key, value);
      replicaRep.apply({ key, value, reason: 'sync' });
    },
    remove: (_t, key) => {
      store.set(key, null);
      replicaRep.apply({ key, value: null, reason: 'sync' });
    },
    get: (_t, key) => (store.has(key) ? { value: store.get(key) ?? null } : undefined),
  });
  ownerRep.bind(port(true));
  replicaRep.bind(port(false));
  return { owner, replica, ownerRep, replicaRep, store };
}

const write = { namespaceId: 'public', serviceName: 'DEFAULT_GROUP@@svc', clusterName: 'DEFAULT', weight: 2, enabled: true, healthy: true, ephemeral: true, metadata: { a: '1' }, app: 'x' };
const flush = () => new Promise((r) => setImmediate(r));

describe('EphemeralReplicator', () => {
  it('replicates the owner list to a replica, which keeps it without expiry', async () => {
    const { owner, replica, store } = pair();
    await owner.registerInstance({ ...write, ip: '10.0.0.1', port: 80 });
    await owner.registerInstance({ ...write, ip: '10.0.0.2', port: 80 });
    await flush();
    expect([...store.keys()]).toEqual(['public##DEFAULT_GROUP@@svc']);
    const entry = replica.state.getService('public', 'DEFAULT_GROUP@@svc');
    expect([...(entry?.ephemeral.values() ?? [])].map((i) => [i.ip, i.weight, i.metadata.a, i.heapIndex])).toEqual([
      ['10.0.0.1', 2, '1', -1],
      ['10.0.0.2', 2, '1', -1],
    ]);
    await owner.deregisterInstance({ ...write, ip: '10.0.0.1', port: 80 }, true);
    await owner.deregisterInstance({ ...write, ip: '10.0.0.2', port: 80 }, true);
    await flush();
    expect(store.get('public##DEFAULT_GROUP@@svc')).toBeNull();
    expect(replica.state.getService('public', 'DEFAULT_GROUP@@svc')?.ephemeral.size).toBe(0);
  });

  it('ignores its own local writes and starts fresh leases on gaining ownership', async () => {
    const { owner, replica, replicaRep } = pair();
    await owner.registerInstance({ ...write, ip: '10.0.0.3', port: 81 });
    await flush();
    replicaRep.apply({ key: 'public##DEFAULT_GROUP@@svc', value: new Uint8Array(), reason: 'local' });
    const inst = replica.state.getService('public', 'DEFAULT_GROUP@@svc')?.ephemeral.values().next().value;
    expect(inst?.heapIndex).toBe(-1);
    replicaRep.ownershipChanged({ gained: [{ type: EPHEMERAL_DATA_TYPE, key: 'public##DEFAULT_GROUP@@svc' }], lost: [] });
    expect(inst?.heapIndex).not.toBe(-1);
    replicaRep.ownershipChanged({ gained: [], lost: [{ type: EPHEMERAL_DATA_TYPE, key: 'public##DEFAULT_GROUP@@svc' }] });
    expect(inst?.heapIndex).toBe(-1);
  });
});
