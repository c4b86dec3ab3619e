import type { Clock } from '@tacos/distro';
import { CLUSTER_ERROR_CODES, ClusterError } from './errors';
import { httpHealthProbe, MemberHealth, type MemberStateChange, type PeerHealthReport, peerHealthRoute } from './member-health';
import { PeerSigner, PeerVerifier } from './peer-auth';
import { createPeerRequestListener, PeerClient } from './peer-http';
import { startTestServer, type TestServer, until } from './testing/http-helpers';

/** A manual clock: timers fire only in `advance`, in due order. */
class FakeClock implements Clock {
  time = 1_000_000;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.time;
  }
  setTimer(delayMs: number, fn: () => void): number {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + delayMs, fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** Moves time forward, firing due timers and letting probe promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    this.time = end;
  }
}

const SELF = '10.0.0.1:8848';
const B = '10.0.0.2:8848';
const C = '10.0.0.3:8848';
type Outcome = 'ok' | 'fail' | 'refused';

function setup(initial: Record<string, Outcome> = { [B]: 'ok', [C]: 'ok' }) {
  const clock = new FakeClock();
  const outcome = { ...initial };
  const probes: string[] = [];
  const probe = (address: string): Promise<PeerHealthReport> => {
    probes.push(address);
    const o = outcome[address];
    if (o === 'ok') return Promise.resolve({ address, state: 'UP', version: '9.9.9', raftMetaData: { metaDataMap: {} }, distroReady: true });
    if (o === 'refused') return Promise.reject(new ClusterError(CLUSTER_ERROR_CODES.PEER_REFUSED, `${address} refused the connection`));
    return Promise.reject(new ClusterError(CLUSTER_ERROR_CODES.PEER_TIMEOUT, `${address} did not answer`));
  };
  const health = new MemberHealth({ self: SELF, members: [C, SELF, B], probe, clock, intervalMs: 2000, version: '0.1.0' });
  const changes: MemberStateChange[] = [];
  let notified = 0;
  health.onStateChange((c) => changes.push(c));
  health.onChange(() => notified++);
  return { clock, outcome, probes, health, changes, notified: () => notified };
}

const stateOf = (h: MemberHealth, a: string) => h.member(a)?.state;

describe('MemberHealth state machine (fake clock)', () => {
  it('starts peers UP, lists self first by address, and never probes self', async () => {
    const { clock, health, probes } = setup();
    expect(health.members().map((m) => [m.address, m.state])).toEqual([
      [SELF, 'UP'],
      [B, 'UP'],
      [C, 'UP'],
    ]);
    health.start();
    await clock.advance(0);
    expect(probes.sort()).toEqual([B, C]);
    await clock.advance(2000);
    expect(probes).toHaveLength(4);
    health.stop();
  });

  it('goes UP → SUSPICIOUS on one failure, DOWN after more than 3, back UP on success', async () => {
    const { clock, outcome, health, changes } = setup();
    health.start();
    await clock.advance(0);
    outcome[B] = 'fail';
    await clock.advance(2000);
    expect(stateOf(health, B)).toBe('SUSPICIOUS');
    expect(health.member(B)?.failAccessCnt).toBe(1);
    await clock.advance(2000 * 2);
    expect(stateOf(health, B)).toBe('SUSPICIOUS');
    expect(health.member(B)?.failAccessCnt).toBe(3);
    await clock.advance(2000);
    expect(stateOf(health, B)).toBe('DOWN');
    expect(health.member(B)?.failAccessCnt).toBe(4);
    outcome[B] = 'ok';
    await clock.advance(2000);
    expect(stateOf(health, B)).toBe('UP');
    expect(health.member(B)?.failAccessCnt).toBe(0);
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(['UP->SUSPICIOUS', 'SUSPICIOUS->DOWN', 'DOWN->UP']);
    expect(changes[0]?.error).toContain('did not answer');
    expect(stateOf(health, C)).toBe('UP');
    health.stop();
  });

  it('marks a refused connection DOWN at once', async () => {
    const { clock, health, changes, notified } = setup({ [B]: 'refused', [C]: 'ok' });
    health.start();
    await clock.advance(0);
    expect(stateOf(health, B)).toBe('DOWN');
    expect(changes).toEqual([{ address: B, from: 'UP', to: 'DOWN', failAccessCnt: 1, error: `${B} refused the connection` }]);
    expect(notified()).toBe(1);
    health.stop();
  });

  it('records version, raftMetaData, distroReady and lastRefreshTime in Nacos member shape', async () => {
    const { clock, health } = setup();
    health.start();
    await clock.advance(0);
    const b = health.nacosMembers().find((m) => m.address === B);
    expect(b).toEqual({
      ip: '10.0.0.2',
      port: 8848,
      state: 'UP',
      address: B,
      failAccessCnt: 0,
      extendInfo: {
        lastRefreshTime: 1_000_000,
        raftMetaData: { metaDataMap: {} },
        distroReady: true,
        raftPort: '7848',
        site: 'unknown',
        adWeight: '0',
        weight: '1',
        version: '9.9.9',
      },
    });
    expect(health.selfMember()).toMatchObject({ ip: '10.0.0.1', port: 8848, state: 'UP', address: SELF, extendInfo: { version: '0.1.0' } });
    health.stop();
  });

  it('does not overlap probes of one peer and ignores results after stop', async () => {
    const clock = new FakeClock();
    let calls = 0;
    let resolveProbe: ((r: PeerHealthReport) => void) | undefined;
    const health = new MemberHealth({
      self: SELF,
      members: [SELF, B],
      clock,
      version: 'x',
      probe: () => {
        calls++;
        return new Promise((r) => {
          resolveProbe = r;
        });
      },
    });
    let notified = 0;
    health.onChange(() => notified++);
    health.start();
    await clock.advance(10_000);
    expect(calls).toBe(1);
    health.stop();
    expect(clock.pending).toBe(0);
    resolveProbe?.({ address: B, state: 'UP', version: 'y' });
    await Promise.resolve();
    expect(health.member(B)?.extendInfo.version).toBe('unknown');
    expect(notified).toBe(0);
  });

  it('setMembers adds and removes peers and notifies', async () => {
    const { clock, health, probes, notified } = setup();
    health.start();
    await clock.advance(0);
    health.setMembers([SELF, B, '10.0.0.4:8848']);
    expect(health.members().map((m) => m.address)).toEqual([SELF, B, '10.0.0.4:8848']);
    expect(notified()).toBe(1);
    await clock.advance(0);
    expect(probes).toContain('10.0.0.4:8848');
    health.stop();
  });
});

describe('MemberHealth over real HTTP', () => {
  const SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
  let servers: TestServer[] = [];
  let clients: PeerClient[] = [];
  afterEach(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    clients = [];
  });

  it('sees a live peer UP, a peer with another secret SUSPICIOUS, and a stopped peer DOWN', async () => {
    const [a, b, c] = await Promise.all([startTestServer(), startTestServer(), startTestServer()]);
    servers = [a as TestServer, b as TestServer, c as TestServer];
    const listenerFor = (self: string, secret: string) => createPeerRequestListener({ verifier: new PeerVerifier({ secret }), routes: [peerHealthRoute({ self, version: `v-${self}` })] });
    b?.setListener(listenerFor(b.address, SECRET));
    c?.setListener(listenerFor(c.address, `${SECRET}-other`));
    const client = new PeerClient({ signer: new PeerSigner({ secret: SECRET, self: a?.address as string }) });
    clients.push(client);
    const health = new MemberHealth({ self: a?.address as string, members: servers.map((s) => s.address), probe: httpHealthProbe(client, 1000), intervalMs: 50, version: '0.1.0' });
    health.start();
    try {
      await until(() => health.member(b?.address as string)?.extendInfo.version === `v-${b?.address}`, 'b to be probed');
      await until(() => stateOf(health, c?.address as string) === 'SUSPICIOUS', 'c (wrong secret) to be suspicious');
      await b?.close();
      await until(() => stateOf(health, b?.address as string) === 'DOWN', 'b to be down after it stopped');
      await until(() => stateOf(health, c?.address as string) === 'DOWN', 'c to be down after repeated failures');
    } finally {
      health.stop();
    }
  });
});
