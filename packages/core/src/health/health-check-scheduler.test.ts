import type { HealthChecker } from '@tacos/api-pojo';
import {
  type CheckInstance,
  type ClusterCheckSpec,
  type ClusterRef,
  type HealthCheckHost,
  HealthCheckScheduler,
  type ProbeTarget,
  type SchedulerTimers,
} from './health-check-scheduler';
import type { ProbeResult, ProbeStatus } from './probe-result';

/** Timers that fire only inside {@link advance}, in due order, flushing promise callbacks after each. */
class FakeTimers implements SchedulerTimers {
  now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      let nextId = -1;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, t] of this.pending) {
        if (t.at < nextAt || (t.at === nextAt && id < nextId)) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId < 0 || nextAt > end) break;
      const timer = this.pending.get(nextId)!;
      this.pending.delete(nextId);
      this.now = nextAt;
      timer.fn();
      await flush();
    }
    this.now = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const REF: ClusterRef = { namespaceId: 'public', serviceName: 'DEFAULT_GROUP@@order', clusterName: 'DEFAULT' };

/** A tiny in-memory "registry" the scheduler reads and flips. */
class FakeHost implements HealthCheckHost {
  enabled = true;
  responsible = true;
  checker: HealthChecker = { type: 'TCP' };
  useIPPort4Check = true;
  checkPort = 80;
  gone = false;
  instances: CheckInstance[] = [];
  /** Times a round read the instance list (built lazily, as RegistryRuntime does). */
  instanceReads = 0;
  changes: Array<{ ip: string; port: number; healthy: boolean }> = [];

  clusterSpec(): ClusterCheckSpec | undefined {
    if (this.gone) return undefined;
    const host = this;
    return {
      healthChecker: this.checker,
      checkPort: this.checkPort,
      useIPPort4Check: this.useIPPort4Check,
      get instances() {
        host.instanceReads++;
        return host.instances.map((i) => ({ ...i }));
      },
    };
  }
  isEnabled(): boolean {
    return this.enabled;
  }
  isResponsible(): boolean {
    return this.responsible;
  }
  onHealthChange(_ref: ClusterRef, instance: { ip: string; port: number }, healthy: boolean): void {
    this.changes.push({ ...instance, healthy });
    const inst = this.instances.find((i) => i.ip === instance.ip && i.port === instance.port);
    if (inst) inst.healthy = healthy;
  }
}

function scriptedProbe(statusOf: (t: ProbeTarget) => ProbeStatus, rtMs = 5) {
  const calls: ProbeTarget[] = [];
  const probe = (t: ProbeTarget): Promise<ProbeResult> => {
    calls.push(t);
    return Promise.resolve({ status: statusOf(t), rtMs });
  };
  return { probe, calls };
}

function instance(ip: string, port: number, healthy = true, marked = false): CheckInstance {
  return { ip, port, healthy, marked };
}

describe('HealthCheckScheduler (fake time)', () => {
  let timers: FakeTimers;
  let host: FakeHost;

  beforeEach(() => {
    timers = new FakeTimers();
    host = new FakeHost();
  });

  it('reads a cluster\'s instances only in rounds that probe (checks off, another owner, NONE: never)', async () => {
    const { probe, calls } = scriptedProbe(() => 'OK');
    host.instances = [instance('10.0.0.1', 8080), instance('10.0.0.2', 8080)];
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0 });
    s.watch(REF);
    s.start();
    host.enabled = false;
    await timers.advance(10_000);
    host.enabled = true;
    host.responsible = false;
    await timers.advance(10_000);
    host.responsible = true;
    host.checker = { type: 'NONE' };
    await timers.advance(10_000);
    expect([host.instanceReads, calls.length]).toEqual([0, 0]);
    host.checker = { type: 'TCP' };
    await timers.advance(2_000);
    expect(host.instanceReads).toBe(1);
    expect(calls).toHaveLength(2);
    s.stop();
  });

  it('first round after 2000 + random, then flips on FAIL_NOW and back after 3 OKs', async () => {
    let up = false;
    const { probe, calls } = scriptedProbe(() => (up ? 'OK' : 'FAIL_NOW'));
    host.instances = [instance('10.0.0.1', 8080)];
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0 });
    s.watch(REF);
    s.start();
    await timers.advance(1999);
    expect(calls).toHaveLength(0);
    await timers.advance(1);
    expect(calls).toEqual([{ ip: '10.0.0.1', port: 8080, checker: { type: 'TCP' } }]);
    expect(host.changes).toEqual([{ ip: '10.0.0.1', port: 8080, healthy: false }]);
    // FAIL_NOW feeds `max` into the average: 0.75*2000 + 0.25*5000 = 2750.
    expect(s.rtStats(REF)?.checkRtNormalized).toBe(2750);
    up = true;
    await timers.advance(2000); // the round scheduled at t=2000 used the interval of that moment (2000)
    expect(calls).toHaveLength(2);
    await timers.advance(2750);
    expect(calls).toHaveLength(3);
    expect(host.changes).toHaveLength(1);
    await timers.advance(5000);
    expect(host.changes).toEqual([
      { ip: '10.0.0.1', port: 8080, healthy: false },
      { ip: '10.0.0.1', port: 8080, healthy: true },
    ]);
    s.stop();
  });

  it('needs checkTimes consecutive FAILs to turn unhealthy', async () => {
    const { probe } = scriptedProbe(() => 'FAIL');
    host.instances = [instance('10.0.0.1', 8080)];
    const s = new HealthCheckScheduler({ host: Object.assign(host, { checkTimes: () => 2 }), probe, timers, random: () => 0 });
    s.watch(REF);
    s.start();
    await timers.advance(2000);
    expect(host.changes).toHaveLength(0);
    await timers.advance(10_000);
    expect(host.changes).toEqual([{ ip: '10.0.0.1', port: 8080, healthy: false }]);
    s.stop();
  });

  it('has a verdict once its own check agreed with or flipped the health, none while in doubt or not responsible', async () => {
    let status: ProbeStatus = 'OK';
    const { probe } = scriptedProbe(() => status);
    host.instances = [instance('10.0.0.1', 8080)];
    const s = new HealthCheckScheduler({ host: Object.assign(host, { checkTimes: () => 2 }), probe, timers, random: () => 0 });
    const at = { ip: '10.0.0.1', port: 8080 };
    s.watch(REF);
    s.start();
    expect(s.hasVerdict(REF, at)).toBe(false); // never checked
    await timers.advance(2000);
    expect(s.hasVerdict(REF, at)).toBe(true); // OK agrees with healthy
    status = 'FAIL';
    await timers.advance(2000);
    expect(host.changes).toHaveLength(0);
    expect(s.hasVerdict(REF, at)).toBe(false); // one FAIL of two: in doubt
    await timers.advance(5000);
    expect(host.changes).toEqual([{ ...at, healthy: false }]);
    expect(s.hasVerdict(REF, at)).toBe(true);
    host.responsible = false;
    await timers.advance(5000);
    expect(s.hasVerdict(REF, at)).toBe(false); // another node decides now
    expect(s.hasVerdict({ ...REF, clusterName: 'OTHER' }, at)).toBe(false);
    s.stop();
  });

  it('does not probe marked instances', async () => {
    const { probe, calls } = scriptedProbe(() => 'FAIL_NOW');
    host.instances = [instance('10.0.0.1', 1), instance('10.0.0.2', 2, true, true)];
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0 });
    s.watch(REF);
    s.start();
    await timers.advance(2000);
    expect(calls.map((c) => c.ip)).toEqual(['10.0.0.1']);
    s.stop();
  });

  it('does nothing while the check switch is off or another node is responsible', async () => {
    const { probe, calls } = scriptedProbe(() => 'FAIL_NOW');
    host.instances = [instance('10.0.0.1', 1)];
    host.enabled = false;
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0 });
    s.watch(REF);
    s.start();
    await timers.advance(10_000);
    host.enabled = true;
    host.responsible = false;
    await timers.advance(10_000);
    expect(calls).toHaveLength(0);
    host.responsible = true;
    await timers.advance(2000);
    expect(calls).toHaveLength(1);
    s.stop();
  });

  it('leaves NONE and MYSQL clusters alone', async () => {
    const { probe, calls } = scriptedProbe(() => 'FAIL_NOW');
    host.instances = [instance('10.0.0.1', 1)];
    host.checker = { type: 'NONE' };
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0 });
    s.watch(REF);
    s.start();
    await timers.advance(5000);
    host.checker = { type: 'MYSQL' };
    await timers.advance(5000);
    expect(calls).toHaveLength(0);
    expect(s.isWatching(REF)).toBe(true);
    s.stop();
  });

  it('probes the cluster check port when useIPPort4Check is false, with the HTTP checker', async () => {
    const { probe, calls } = scriptedProbe(() => 'OK');
    host.instances = [instance('10.0.0.1', 8080)];
    host.useIPPort4Check = false;
    host.checkPort = 9090;
    host.checker = { type: 'HTTP', path: '/ready', headers: '', expectedResponseCode: 204 };
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0 });
    s.watch(REF);
    s.start();
    await timers.advance(2000);
    expect(calls).toEqual([{ ip: '10.0.0.1', port: 9090, checker: host.checker }]);
    s.stop();
  });

  it('drops the task when the cluster is gone, and unwatch stops rounds', async () => {
    const { probe, calls } = scriptedProbe(() => 'OK');
    host.instances = [instance('10.0.0.1', 1)];
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0 });
    s.watch(REF);
    s.watch(REF);
    expect(s.stats().clusters).toBe(1);
    s.start();
    host.gone = true;
    await timers.advance(2000);
    expect(s.isWatching(REF)).toBe(false);
    host.gone = false;
    s.watch(REF);
    await timers.advance(2000);
    expect(calls).toHaveLength(1);
    s.unwatch(REF);
    await timers.advance(20_000);
    expect(calls).toHaveLength(1);
    s.stop();
  });

  it('keeps at most maxConcurrent probes in flight and never probes a busy instance twice', async () => {
    const releases: Array<() => void> = [];
    const calls: ProbeTarget[] = [];
    const probe = (t: ProbeTarget) => {
      calls.push(t);
      return new Promise<ProbeResult>((resolve) => releases.push(() => resolve({ status: 'OK', rtMs: 1 })));
    };
    host.instances = Array.from({ length: 10 }, (_, i) => instance('10.0.0.1', 1000 + i));
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0, maxConcurrent: 3, probeDeadlineMs: 60_000 });
    s.watch(REF);
    s.start();
    await timers.advance(2000);
    expect(s.stats()).toMatchObject({ active: 3, queued: 7 });
    // The next round finds every instance busy (queued or probing) and adds nothing.
    await timers.advance(2000);
    expect(s.stats()).toMatchObject({ active: 3, queued: 7 });
    for (let i = 0; i < 10; i++) {
      releases.shift()!();
      await flush();
    }
    expect(calls).toHaveLength(10);
    expect(new Set(calls.map((c) => c.port)).size).toBe(10);
    expect(s.stats()).toMatchObject({ active: 0, queued: 0, maxActive: 3, started: 10, completed: 10 });
    s.stop();
  });

  it('counts a probe that never settles as FAIL after the deadline and frees its slot', async () => {
    const probe = () => new Promise<ProbeResult>(() => {});
    host.instances = [instance('10.0.0.1', 1)];
    const s = new HealthCheckScheduler({
      host: Object.assign(host, { checkTimes: () => 1 }),
      probe,
      timers,
      random: () => 0,
      probeDeadlineMs: 700,
    });
    s.watch(REF);
    s.start();
    await timers.advance(2000);
    expect(s.stats().active).toBe(1);
    await timers.advance(700);
    expect(s.stats().active).toBe(0);
    expect(host.changes).toEqual([{ ip: '10.0.0.1', port: 1, healthy: false }]);
    s.stop();
  });

  it('treats a rejecting or throwing probe as FAIL and survives a throwing callback', async () => {
    let n = 0;
    const probe = (): Promise<ProbeResult> => {
      n++;
      if (n === 1) throw new Error('sync boom');
      return Promise.reject(new Error('async boom'));
    };
    host.instances = [instance('10.0.0.1', 1)];
    const badHost = Object.assign(host, {
      checkTimes: () => 2,
      onHealthChange: () => {
        throw new Error('host bug');
      },
    });
    const s = new HealthCheckScheduler({ host: badHost, probe, timers, random: () => 0 });
    s.watch(REF);
    s.start();
    await timers.advance(20_000);
    expect(n).toBeGreaterThanOrEqual(3);
    expect(s.stats().active).toBe(0);
    s.stop();
  });

  it('stop drops queued probes and ignores late results; start resumes', async () => {
    const releases: Array<() => void> = [];
    const probe = () => new Promise<ProbeResult>((resolve) => releases.push(() => resolve({ status: 'FAIL_NOW', rtMs: 1 })));
    host.instances = [instance('10.0.0.1', 1), instance('10.0.0.2', 2)];
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0, maxConcurrent: 1 });
    s.watch(REF);
    s.start();
    await timers.advance(2000);
    expect(s.stats()).toMatchObject({ active: 1, queued: 1 });
    s.stop();
    expect(s.stats().queued).toBe(0);
    releases.shift()!();
    await flush();
    expect(host.changes).toHaveLength(0);
    s.start();
    await timers.advance(2000);
    expect(releases).toHaveLength(1);
    releases.shift()!();
    await flush();
    expect(host.changes).toEqual([{ ip: '10.0.0.1', port: 1, healthy: false }]);
    s.stop();
  });

  it('ignores a result from before stop even when started again', async () => {
    const releases: Array<() => void> = [];
    const probe = () => new Promise<ProbeResult>((resolve) => releases.push(() => resolve({ status: 'FAIL_NOW', rtMs: 1 })));
    host.instances = [instance('10.0.0.1', 1)];
    const s = new HealthCheckScheduler({ host, probe, timers, random: () => 0 });
    s.watch(REF);
    s.start();
    await timers.advance(2000);
    s.stop();
    s.start();
    releases.shift()!();
    await flush();
    expect(host.changes).toHaveLength(0);
    expect(s.stats().active).toBe(0);
    s.stop();
  });
});
