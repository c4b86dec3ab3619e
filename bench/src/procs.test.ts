import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type ManagedProcess, ProcessGroup, rssBytes, waitReady } from './procs';

function fakeProcess(exited: () => boolean, output = 'boom\n'): ManagedProcess {
  return {
    name: 'fake',
    child: {} as ChildProcess,
    output: () => output,
    hasExited: exited,
    stop: async () => undefined,
    pause: () => undefined,
    resume: () => undefined,
  };
}

test('waitReady resolves once the check passes, counting throws as not yet', async () => {
  let calls = 0;
  await waitReady(
    fakeProcess(() => false),
    async () => {
      calls++;
      if (calls < 3) throw new Error('ECONNREFUSED');
      return true;
    },
    { timeoutMs: 5_000, intervalMs: 1, what: 'fake' },
  );
  expect(calls).toBe(3);
});

test('waitReady fails at once with the output when the process exits', async () => {
  const started = Date.now();
  await expect(
    waitReady(fakeProcess(() => true, 'line 1\nfatal: port in use\n'), async () => false, {
      timeoutMs: 10_000,
      what: 'fake',
    }),
  ).rejects.toThrow(/exited before it was ready:\nline 1\nfatal: port in use/);
  expect(Date.now() - started).toBeLessThan(1_000);
});

test('waitReady times out naming what it waited for and the last error', async () => {
  await expect(
    waitReady(
      fakeProcess(() => false),
      async () => {
        throw new Error('ECONNREFUSED');
      },
      { timeoutMs: 30, intervalMs: 5, what: 'etcd m1' },
    ),
  ).rejects.toThrow(/waiting for etcd m1 \(last: ECONNREFUSED\)/);
});

test('rssBytes reads this process and is undefined for a missing pid', () => {
  if (process.platform === 'linux') expect(rssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
  expect(rssBytes(2 ** 30)).toBeUndefined();
});

/** The state letter of a process from /proc/<pid>/stat (T = stopped). */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

const onLinux = process.platform === 'linux' ? test : test.skip;

onLinux('pause stops a real process, resume continues it, and stop ends a paused one', async () => {
  const group = new ProcessGroup(false);
  const proc = group.spawn('sleeper', process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  try {
    await waitReady(proc, async () => procState(proc.child.pid!) !== '', { timeoutMs: 5_000, intervalMs: 20, what: 'sleeper' });
    proc.pause();
    await waitReady(proc, async () => procState(proc.child.pid!) === 'T', { timeoutMs: 5_000, intervalMs: 20, what: 'the pause' });
    proc.resume();
    await waitReady(proc, async () => procState(proc.child.pid!) !== 'T', { timeoutMs: 5_000, intervalMs: 20, what: 'the resume' });
    proc.pause();
    // A paused process still stops on SIGTERM (continued first), well before the SIGKILL fallback.
    const started = Date.now();
    await proc.stop(10_000);
    expect(proc.hasExited()).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    await group.stopAll();
  }
});
