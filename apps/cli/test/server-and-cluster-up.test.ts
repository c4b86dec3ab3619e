// `tacos server start` and `tacos cluster up` run real server processes; Ctrl-C stops them.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, removeDir, tempDir } from '@tacos/testkit';
import { cleanEnv, runCli, startCli } from './helpers';

jest.setTimeout(90_000);

async function status(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return undefined;
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('tacos server start', () => {
  it('runs a standalone server with the given flags until SIGINT', async () => {
    const port = await freePort();
    const dataDir = tempDir('tacos-cli-start-');
    const server = startCli(['server', 'start', '--port', String(port), '--data-dir', dataDir]);
    try {
      const ready = `http://127.0.0.1:${port}/nacos/v1/console/health/readiness`;
      await waitUntil(async () => (await status(ready)) === 200, 30_000, `readiness of ${ready}`);
      const list = await runCli(['--server', `127.0.0.1:${port}`, '--output', 'json', 'service', 'list']);
      expect(list.code).toBe(0);
    } finally {
      const run = await server.stop('SIGINT');
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      removeDir(dataDir);
    }
    expect(await status(`http://127.0.0.1:${port}/nacos/v1/console/health/liveness`)).toBeUndefined();
  });

  it('passes bad flags to the server, which refuses them (non-zero exit)', async () => {
    const run = await runCli(['server', 'start', '--port', 'notaport'], { timeoutMs: 20_000 });
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(`${run.stdout}${run.stderr}`).toMatch(/port/i);
  });

  it('shows the server flags in its help', async () => {
    const run = await runCli(['server', 'start', '--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--host', '--port', '--data-dir', '--members', '--cluster-secret', '--config']) expect(run.stdout).toContain(flag);
  });
});

describe('tacos cluster up', () => {
  it('starts one node on the base port, prints it, and stops it on Ctrl-C', async () => {
    const base = await freePort();
    const dir = tempDir('tacos-cli-up-');
    const up = startCli(['--output', 'json', 'cluster', 'up', '--nodes', '1', '--base-port', String(base), '--dir', dir, '--no-leader'], cleanEnv());
    try {
      await up.waitFor(/press Ctrl-C to stop all nodes/, 60_000);
      const printed = JSON.parse(up.stdout());
      expect(printed.nodes).toEqual([expect.objectContaining({ address: `127.0.0.1:${base}`, dataDir: join(dir, 'node-1') })]);
      expect(up.stderr()).toMatch(/ready 127\.0\.0\.1:\d+ \(\d+\.\d s\): 1\/1/);
      expect(statSync(printed.secretFile).mode & 0o777).toBe(0o600);
      expect(await status(`http://127.0.0.1:${base}/nacos/v1/console/health/readiness`)).toBe(200);
      expect(existsSync(join(dir, 'node-1', 'server.log'))).toBe(true);
    } finally {
      const run = await up.stop('SIGINT');
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('stopping 1 node(s)');
    }
    expect(await status(`http://127.0.0.1:${base}/nacos/v1/console/health/liveness`)).toBeUndefined();
    removeDir(dir);
  });

  it('refuses to start when a node port is taken, naming the port', async () => {
    const base = await freePort();
    const dir = tempDir('tacos-cli-up-');
    const blocker = startCli(['server', 'start', '--port', String(base), '--data-dir', join(dir, 'blocker')]);
    try {
      await waitUntil(async () => (await status(`http://127.0.0.1:${base}/nacos/v1/console/health/liveness`)) === 200, 30_000, 'blocker');
      const run = await runCli(['cluster', 'up', '--nodes', '1', '--base-port', String(base), '--dir', dir], { timeoutMs: 60_000 });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`error: port 127.0.0.1:${base} is already in use`);
      expect(run.stderr).toContain('hint: stop what listens there or choose another --base-port');
    } finally {
      await blocker.stop('SIGINT');
      removeDir(dir);
    }
  });

  it('starts three nodes that elect one leader, shown by cluster status; add and remove a fourth; Ctrl-C stops all', async () => {
    const base = await freePort();
    const dir = tempDir('tacos-cli-up-');
    const up = startCli(['cluster', 'up', '--nodes', '3', '--base-port', String(base), '--port-step', '1', '--dir', dir], cleanEnv());
    const members = [0, 1, 2].map((i) => `127.0.0.1:${base + i}`);
    try {
      await up.waitFor(/press Ctrl-C to stop all nodes/, 60_000);
      expect(up.stderr()).toContain('ready 127.0.0.1:');
      expect(up.stderr()).toContain(': 3/3');
      expect(up.stderr()).toMatch(/leader: 127\.0\.0\.1:\d+/);
      expect(up.stdout()).toMatch(/^NODE\s+PID\s+DATA DIR$/m);
      for (const member of members) expect(up.stdout()).toContain(`http://${member}`);

      const statusRun = await runCli(['--server', members.join(','), '--output', 'json', 'cluster', 'status']);
      expect(statusRun.code).toBe(0);
      const parsed = JSON.parse(statusRun.stdout);
      expect(parsed.members.map((m: { address: string }) => m.address).sort()).toEqual(members);
      expect(parsed.members.filter((m: { role: string }) => m.role === 'LEADER')).toHaveLength(1);
      expect(parsed.leader).toMatch(/^127\.0\.0\.1:\d+$/);
      const table = await runCli(['--server', members.join(','), 'cluster', 'status']);
      expect(table.stdout).toMatch(/^127\.0\.0\.1:\d+\s+UP\s+LEADER\s+\d+/m);

      // The members are one registry: a persistent write on one is read on another.
      const write = await runCli(['--server', members[0]!, 'service', 'create', 'shared', '--protect-threshold', '0.4']);
      expect(write.code).toBe(0);
      const read = await runCli(['--server', members[2]!, '--output', 'json', 'service', 'get', 'shared']);
      expect(read.code).toBe(0);
      expect(JSON.parse(read.stdout)).toMatchObject({ name: 'shared', protectThreshold: 0.4 });

      // A fourth node started with --join waits until `cluster add` (sent to any member) takes it in.
      // A port of its own: base + 3 was never checked to be free.
      const fourthPort = await freePort();
      const fourth = `127.0.0.1:${fourthPort}`;
      const secret = readFileSync(join(dir, 'cluster-secret'), 'utf8').trim();
      const joiner = startCli([
        'server', 'start', '--port', String(fourthPort), '--data-dir', join(dir, 'node-4'),
        '--members', [...members, fourth].join(','), '--cluster-secret', secret, '--join', 'true',
      ]);
      try {
        // Fails at once, with the node's own output, if it exits instead.
        await joiner.waitFor(/listening on http/, 30_000);
        await waitUntil(async () => (await status(`http://${fourth}/nacos/v1/console/health/liveness`)) === 200, 30_000, 'the joining node');
        const add = await runCli(['--server', [...members].reverse().join(','), 'cluster', 'add', fourth]);
        expect(add).toMatchObject({ code: 0, stdout: `added member ${fourth}\n` });
        await waitUntil(
          async () => {
            const now = JSON.parse((await runCli(['--server', members.join(','), '--output', 'json', 'cluster', 'status'])).stdout);
            return now.members.length === 4 && now.members.every((m: { lag: number | null }) => m.lag === 0);
          },
          30_000,
          'four members with no lag',
        );
        const remove = await runCli(['--server', members.join(','), '--output', 'json', 'cluster', 'remove', fourth]);
        expect(JSON.parse(remove.stdout)).toEqual({ ok: true, action: 'removed', address: fourth });
        await waitUntil(
          async () => JSON.parse((await runCli(['--server', members.join(','), '--output', 'json', 'cluster', 'status'])).stdout).members.length === 3,
          30_000,
          'three members again',
        );
      } finally {
        await joiner.stop('SIGTERM');
      }
    } finally {
      const run = await up.stop('SIGINT');
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('stopping 3 node(s)');
      removeDir(dir);
    }
    for (const member of members) expect(await status(`http://${member}/nacos/v1/console/health/liveness`)).toBeUndefined();
  });

  it('fails with the node\'s own message when a node exits while starting', async () => {
    const base = await freePort();
    const dir = tempDir('tacos-cli-up-');
    // A file where the node's data store must go makes the server refuse to start.
    mkdirSync(join(dir, 'node-1'), { recursive: true });
    writeFileSync(join(dir, 'node-1', 'raft'), '');
    const run = await runCli(['cluster', 'up', '--nodes', '1', '--base-port', String(base), '--dir', dir], { timeoutMs: 60_000 });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: node 127.0.0.1:${base} exited with code 1 before it was ready:`);
    expect(run.stderr).toContain('cannot open the data store');
    expect(run.stderr).toContain(`hint: full log: ${dir}/node-1/server.log`);
    removeDir(dir);
  });

  it('rejects a port range past 65535 as a usage error', async () => {
    const run = await runCli(['cluster', 'up', '--nodes', '3', '--base-port', '65530']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('go past 65535');
  });
});
