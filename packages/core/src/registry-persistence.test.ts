import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStorage } from '@tacos/raft';
import { FakeClock } from './clock';
import { NamingRegistry } from './naming-registry';
import { instanceWrite } from './testing/instance-write';
import { startRaftRegistry } from './testing/raft-registry';

const SVC = 'DEFAULT_GROUP@@order';

const write = instanceWrite;

async function populate(registry: NamingRegistry): Promise<void> {
  await registry.registerInstance(write({ ip: '10.0.0.1' })); // ephemeral: not persisted
  await registry.registerInstance(write({ ip: '10.0.0.2', ephemeral: false, weight: 2, metadata: { k: 'v' } }));
  await registry.registerInstance(write({ ip: '10.0.0.3', ephemeral: false, namespaceId: 'dev', serviceName: 'G@@pay' }));
  await registry.createService({ namespaceId: 'public', serviceName: 'G@@meta', protectThreshold: 0.4, metadata: { a: 'b' }, selector: { type: 'none' } });
  await registry.updateCluster({
    namespaceId: 'public',
    serviceName: 'G@@meta',
    clusterName: 'C1',
    checkPort: 81,
    useInstancePort4Check: false,
    healthChecker: { type: 'HTTP', path: '/h', headers: '', expectedResponseCode: 200 },
    metadata: {},
  });
  await registry.createNamespace('dev', 'Dev', 'desc');
  await registry.updateSwitch('clientBeatInterval', '4000', false);
  await registry.registerInstance(write({ ip: '10.0.0.4', ephemeral: false }));
  await registry.deregisterInstance({ namespaceId: 'public', serviceName: SVC, ip: '10.0.0.4', port: 8080, clusterName: 'DEFAULT' }, false);
}

function expectPopulated(registry: NamingRegistry, ephemeral: string[] = []): void {
  expect(registry.statuses(`public##${SVC}`).ips).toEqual([...ephemeral, '10.0.0.2:8080_true']);
  expect(registry.getInstance({ namespaceId: 'public', serviceName: SVC, ip: '10.0.0.2', port: 8080, clusterName: 'DEFAULT' })).toMatchObject({
    weight: 2,
    metadata: { k: 'v' },
    instanceId: '10.0.0.2#8080#DEFAULT#DEFAULT_GROUP@@order',
  });
  expect(registry.statuses('dev##G@@pay').ips).toEqual(['10.0.0.3:8080_true']);
  expect(registry.getService('public', 'G@@meta')).toMatchObject({ protectThreshold: 0.4, metadata: { a: 'b' } });
  expect(registry.catalogService('public', 'G@@meta')).toMatchObject({
    clusters: [{ name: 'C1', defaultCheckPort: 81, healthChecker: { type: 'HTTP', path: '/h' } }],
  });
  expect(registry.getNamespace('dev')).toMatchObject({ namespaceShowName: 'Dev', namespaceDesc: 'desc' });
  expect(registry.switches.clientBeatInterval).toBe(4000);
}

describe('persistence through Raft', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tacos-core-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays persistent data from LMDB after a reopen, without ephemeral instances', async () => {
    const first = await startRaftRegistry({ storage: await LmdbStorage.open(dir) });
    await populate(first.registry);
    expectPopulated(first.registry, ['10.0.0.1:8080_true']);
    await first.stop();

    const second = await startRaftRegistry({ storage: await LmdbStorage.open(dir) });
    try {
      expectPopulated(second.registry);
      // The service survives even though an ephemeral instance created it first (Nacos #3588).
      expect(second.registry.getService('public', SVC)).toMatchObject({ name: 'order' });
    } finally {
      await second.stop();
    }
  });

  it('restores from a Raft snapshot after compaction', async () => {
    const storage = await LmdbStorage.open(dir);
    const first = await startRaftRegistry({ storage });
    await populate(first.registry);
    await first.stop();
    // A fresh registry fed the first one's snapshot matches it.
    const clock = new FakeClock();
    const other = new NamingRegistry({ clock });
    other.stateMachine.restore(first.registry.stateMachine.snapshot());
    expectPopulated(other);
  });

  it('keeps ephemeral instances when restoring a snapshot', async () => {
    const mem = await startRaftRegistry();
    await populate(mem.registry);
    const snap = mem.registry.stateMachine.snapshot();
    await mem.registry.registerInstance(write({ ip: '10.0.0.9' }));
    await mem.registry.registerInstance(write({ ip: '10.0.0.8', ephemeral: false }));
    mem.registry.stateMachine.restore(snap);
    expect(mem.registry.statuses(SVC).ips.sort()).toEqual(['10.0.0.1:8080_true', '10.0.0.2:8080_true', '10.0.0.9:8080_true']);
    await mem.stop();
  });

  it('answers refusals decided at apply time and ignores unreadable entries', async () => {
    const mem = await startRaftRegistry();
    const sm = mem.registry.stateMachine;
    expect(sm.apply(new TextEncoder().encode('not json'), 99)).toMatchObject({ ok: false });
    expect(sm.applyCommand({ op: 'removeNamespace', id: 'x' })).toEqual({ ok: false, code: 'CONFLICT', message: 'namespace x does not exist' });
    await mem.stop();
  });
});
