// Every data command of the real binary against one real Tacos server process (started with
// @tacos/testkit): output in table, JSON and YAML form, exit codes, and the server's refusals.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, startTacos, type TacosProcess, tempDir } from '@tacos/testkit';
import { cleanEnv, runCli, startCli } from './helpers';

jest.setTimeout(60_000);

describe('tacos against a real server', () => {
  let server: TacosProcess;
  let env: Record<string, string>;
  let scratch: string;
  const tacos = (...args: string[]) => runCli(args, { env });
  const json = async (...args: string[]) => {
    const run = await tacos('--output', 'json', ...args);
    if (run.code !== 0) throw new Error(`tacos ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout);
  };

  beforeAll(async () => {
    server = await startTacos();
    env = cleanEnv({ TACOS_SERVER: server.url });
    scratch = tempDir('tacos-cli-e2e-');
  });
  afterAll(async () => {
    await server?.stop();
    if (scratch) removeDir(scratch);
  });

  describe('service', () => {
    it('creates, shows, lists, updates and deletes a service', async () => {
      const created = await tacos('service', 'create', 'order', '--protect-threshold', '0.5', '--metadata', 'team=pay,tier=1');
      expect(created).toMatchObject({ code: 0, stdout: 'created service order\n' });

      const detail = await json('service', 'get', 'order');
      expect(detail).toMatchObject({ name: 'order', groupName: 'DEFAULT_GROUP', protectThreshold: 0.5, metadata: { team: 'pay', tier: '1' } });

      const table = await tacos('service', 'get', 'order');
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^name:\s+order$/m);
      expect(table.stdout).toMatch(/^protectThreshold:\s+0\.5$/m);
      expect(table.stdout).toMatch(/^metadata:\s+team=pay,tier=1$/m);

      const yaml = await tacos('--output', 'yaml', 'service', 'get', 'order');
      expect(yaml.stdout).toMatch(/^name: order$/m);
      expect(yaml.stdout).toMatch(/^metadata:\n {2}team: pay\n {2}tier: "1"$/m);

      const list = await json('service', 'list');
      expect(list.count).toBeGreaterThanOrEqual(1);
      expect(list.services.map((s: { name: string }) => s.name)).toContain('order');
      const listTable = await tacos('service', 'list');
      expect(listTable.stdout.split('\n')[0]).toMatch(/^NAME\s+GROUP/);
      expect(listTable.stdout).toMatch(/^order\s+DEFAULT_GROUP/m);

      // update keeps what is not given (PUT replaces, the CLI reads first).
      expect((await tacos('service', 'update', 'order', '--protect-threshold', '0.8')).code).toBe(0);
      expect(await json('service', 'get', 'order')).toMatchObject({ protectThreshold: 0.8, metadata: { team: 'pay', tier: '1' } });
      expect((await tacos('service', 'update', 'order', '--metadata', 'team=ops')).code).toBe(0);
      expect(await json('service', 'get', 'order')).toMatchObject({ protectThreshold: 0.8, metadata: { team: 'ops' } });

      expect(await json('service', 'delete', 'order')).toEqual({ ok: true, action: 'deleted', serviceName: 'order', groupName: 'DEFAULT_GROUP' });
      const gone = await tacos('service', 'get', 'order');
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain('HTTP 404');
    });

    it('exits 1 with the server message when the service exists already', async () => {
      expect((await tacos('service', 'create', 'dup')).code).toBe(0);
      const again = await tacos('service', 'create', 'dup');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('HTTP 400');
      expect(again.stderr).toContain('specified service already exists');
      expect(again.stdout).toBe('');
    });

    it('uses --group for every service command', async () => {
      expect((await tacos('--group', 'PAY', 'service', 'create', 'ledger')).code).toBe(0);
      expect(await json('--group', 'PAY', 'service', 'get', 'ledger')).toMatchObject({ name: 'ledger', groupName: 'PAY' });
      expect((await tacos('service', 'get', 'ledger')).code).toBe(1);
    });
  });

  describe('instance', () => {
    it('registers, lists, gets, updates and deregisters an instance', async () => {
      const reg = await tacos('instance', 'register', '--service', 'cart', '--ip', '127.0.0.5', '--port', '8080', '--cluster', 'c1', '--weight', '2', '--metadata', 'zone=a,v=1');
      expect(reg.code).toBe(0);
      expect(reg.stdout).toBe('registered 127.0.0.5:8080 in cart\n');

      const list = await json('instance', 'list', '--service', 'cart');
      expect(list.hosts).toHaveLength(1);
      expect(list.hosts[0]).toMatchObject({ ip: '127.0.0.5', port: 8080, clusterName: 'c1', weight: 2, healthy: true, metadata: { zone: 'a', v: '1' } });

      const table = await tacos('instance', 'list', '--service', 'cart');
      const [header, row] = table.stdout.split('\n');
      expect(header).toMatch(/^IP\s+PORT\s+CLUSTER\s+WEIGHT\s+HEALTHY\s+ENABLED\s+EPHEMERAL\s+METADATA$/);
      expect(row).toMatch(/^127\.0\.0\.5\s+8080\s+c1\s+2\s+true\s+true\s+true\s+zone=a,v=1$/);
      expect(table.stderr).toContain('1 instance(s)');

      const one = await json('instance', 'get', '--service', 'cart', '--ip', '127.0.0.5', '--port', '8080', '--cluster', 'c1');
      expect(one).toMatchObject({ ip: '127.0.0.5', port: 8080, weight: 2 });

      expect((await tacos('instance', 'update', '--service', 'cart', '--ip', '127.0.0.5', '--port', '8080', '--cluster', 'c1', '--weight', '5')).code).toBe(0);
      const after = await json('instance', 'list', '--service', 'cart');
      expect(after.hosts[0]).toMatchObject({ weight: 5, metadata: { zone: 'a', v: '1' } });

      expect((await tacos('instance', 'update', '--service', 'cart', '--ip', '127.0.0.5', '--port', '8080', '--cluster', 'c1', '--enabled', 'false')).code).toBe(0);
      expect((await json('instance', 'list', '--service', 'cart')).hosts).toHaveLength(0);

      const dereg = await json('instance', 'deregister', '--service', 'cart', '--ip', '127.0.0.5', '--port', '8080', '--cluster', 'c1');
      expect(dereg).toMatchObject({ ok: true, action: 'deregistered' });
      expect((await json('instance', 'get', '--service', 'cart', '--ip', '127.0.0.5', '--port', '8080', '--cluster', 'c1').catch((e: Error) => e)) instanceof Error).toBe(true);
    });

    it('registers persistent instances and filters with --healthy-only', async () => {
      expect((await tacos('instance', 'register', '--service', 'db', '--ip', '127.0.1.1', '--port', '5432', '--persistent')).code).toBe(0);
      expect((await tacos('instance', 'register', '--service', 'db', '--ip', '127.0.1.2', '--port', '5432', '--persistent', '--healthy', 'false')).code).toBe(0);
      const all = await json('instance', 'list', '--service', 'db');
      expect(all.hosts.map((h: { ephemeral: boolean }) => h.ephemeral)).toEqual([false, false]);
      const healthy = await json('instance', 'list', '--service', 'db', '--healthy-only');
      expect(healthy.hosts.map((h: { ip: string }) => h.ip)).toEqual(['127.0.1.1']);
      const dereg = await tacos('instance', 'deregister', '--service', 'db', '--ip', '127.0.1.2', '--port', '5432', '--persistent');
      expect(dereg.code).toBe(0);
    });

    it('exits 1 with the server message for an invalid IP', async () => {
      const run = await tacos('instance', 'register', '--service', 'x', '--ip', '999.1.1.1', '--port', '1');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('HTTP 400');
      expect(run.stderr).toMatch(/ip/i);
    });

    it('prints nothing on stdout with --quiet, and the JSON result anyway with --output json', async () => {
      const quiet = await tacos('--quiet', 'instance', 'register', '--service', 'q', '--ip', '127.0.2.1', '--port', '1');
      expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });
      const both = await tacos('--quiet', '--output', 'json', 'instance', 'register', '--service', 'q', '--ip', '127.0.2.2', '--port', '1');
      expect(JSON.parse(both.stdout)).toEqual({ ok: true, action: 'registered', serviceName: 'q', ip: '127.0.2.2', port: 1, clusterName: 'DEFAULT', ephemeral: true });
    });

    it('bulk-registers from a file with progress on stderr', async () => {
      const file = join(scratch, 'instances.json');
      const entries = Array.from({ length: 25 }, (_, i) => ({ ip: `10.1.0.${i + 1}`, port: 80, metadata: { n: String(i) } }));
      writeFileSync(file, JSON.stringify(entries));
      const run = await tacos('instance', 'register', '--service', 'bulk', '--file', file);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('registering: 10/25');
      expect(run.stderr).toContain('registering: 25/25');
      expect(run.stdout).toBe('registered 25 of 25 instance(s)\n');
      expect((await json('instance', 'list', '--service', 'bulk')).hosts).toHaveLength(25);

      const bad = join(scratch, 'bad.json');
      writeFileSync(bad, '[{"ip":"127.1.1.1"}]');
      const refused = await tacos('instance', 'register', '--service', 'bulk', '--file', bad);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('needs serviceName (or --service), ip and port');
    });

    it('keeps an instance alive with beats', async () => {
      const run = await tacos('--output', 'json', 'instance', 'beat', '--service', 'beaty', '--ip', '127.0.3.1', '--port', '9', '--count', '2', '--interval', '100');
      expect(run.code).toBe(0);
      const beats = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(beats).toHaveLength(2);
      expect(beats[0]).toMatchObject({ beat: 1 });
      // The first full beat re-registers the unknown instance; then the server knows it.
      expect(beats[1]).toMatchObject({ beat: 2, code: 10200 });
      expect((await json('instance', 'list', '--service', 'beaty')).hosts).toHaveLength(1);
    });

    it('beats until Ctrl-C, then exits 0', async () => {
      const beat = startCli(['instance', 'beat', '--service', 'beaty2', '--ip', '127.0.3.2', '--port', '9', '--interval', '100'], env);
      await beat.waitFor(/beat 2: code 10200/);
      const run = await beat.stop('SIGINT');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
    });

    it('keeps namespaces apart with --namespace', async () => {
      expect((await tacos('--namespace', 'ns-e2e', 'instance', 'register', '--service', 'iso', '--ip', '127.0.4.1', '--port', '1')).code).toBe(0);
      expect((await json('--namespace', 'ns-e2e', 'instance', 'list', '--service', 'iso')).hosts).toHaveLength(1);
      expect((await json('instance', 'list', '--service', 'iso')).hosts).toHaveLength(0);
    });

    it('colours the table only when forced or on a TTY, never with --no-color', async () => {
      await tacos('instance', 'register', '--service', 'tint', '--ip', '127.0.5.1', '--port', '1');
      const plain = await tacos('instance', 'list', '--service', 'tint');
      expect(plain.stdout).not.toContain('\u001b[');
      const forced = await runCli(['instance', 'list', '--service', 'tint'], { env: { ...env, FORCE_COLOR: '1' } });
      expect(forced.stdout).toContain('\u001b[1mIP');
      expect(forced.stdout).toContain('\u001b[32mtrue');
      const off = await runCli(['--no-color', 'instance', 'list', '--service', 'tint'], { env: { ...env, FORCE_COLOR: '1' } });
      expect(off.stdout).not.toContain('\u001b[');
      const noColor = await runCli(['instance', 'list', '--service', 'tint'], { env: { ...env, FORCE_COLOR: '1', NO_COLOR: '' } });
      expect(noColor.stdout).not.toContain('\u001b[');
    });
  });

  describe('watch', () => {
    it('prints the list, then each change, until Ctrl-C (exit 0)', async () => {
      await tacos('instance', 'register', '--service', 'watched', '--ip', '127.0.6.1', '--port', '1');
      const watch = startCli(['--output', 'json', 'watch', 'watched', '--interval', '200'], env);
      try {
        await watch.waitFor(/"127\.0\.6\.1"/);
        await tacos('instance', 'register', '--service', 'watched', '--ip', '127.0.6.2', '--port', '1');
        await watch.waitFor(/"127\.0\.6\.2"/);
      } finally {
        const run = await watch.stop('SIGINT');
        expect(run.code).toBe(0);
        // The server streams (SSE), so there is no polling note.
        expect(run.stderr).toBe('');
        const lists = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
        expect(lists.length).toBeGreaterThanOrEqual(2);
        expect(lists[0].hosts.map((h: { ip: string }) => h.ip)).toEqual(['127.0.6.1']);
        expect(lists[lists.length - 1].hosts).toHaveLength(2);
      }
    });

    it('stops after --count lists (watch stream, or polling where the server has none)', async () => {
      await tacos('instance', 'register', '--service', 'polled', '--ip', '127.0.7.1', '--port', '1');
      const run = await tacos('--output', 'json', 'watch', 'polled', '--count', '1', '--interval', '100');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout.trim()).hosts).toHaveLength(1);
      const sse = await fetch(`${server.url}/nacos/v1/ns/instance/watch?serviceName=polled`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      if (sse?.status === 404) expect(run.stderr).toContain('polling instance/list every 100 ms');
      await sse?.body?.cancel();
    });

    it('polls with --poll and prints a table per change', async () => {
      const run = await tacos('watch', 'polled', '--poll', '--count', '1', '--interval', '100');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^# \S+ polled: 1 instance\(s\)\nIP\s+PORT/);
    });
  });

  describe('namespace', () => {
    it('creates, lists and deletes a namespace', async () => {
      const created = await json('namespace', 'create', 'dev-e2e', '--name', 'Dev E2E', '--description', 'for tests');
      expect(created).toEqual({ ok: true, action: 'created', namespaceId: 'dev-e2e' });
      const list = await json('namespace', 'list');
      expect(list).toEqual(expect.arrayContaining([expect.objectContaining({ namespace: 'dev-e2e', namespaceShowName: 'Dev E2E' })]));
      const table = await tacos('namespace', 'list');
      expect(table.stdout).toMatch(/^ID\s+NAME$/m);
      expect(table.stdout).toMatch(/^dev-e2e\s+Dev E2E$/m);
      expect(await json('namespace', 'get', 'dev-e2e')).toMatchObject({ namespace: 'dev-e2e', namespaceShowName: 'Dev E2E', namespaceDesc: 'for tests' });
      expect((await tacos('namespace', 'get', 'dev-e2e')).stdout).toMatch(/^description:\s+for tests$/m);
      expect((await tacos('namespace', 'delete', 'dev-e2e')).code).toBe(0);
      expect((await json('namespace', 'list')).map((n: { namespace: string }) => n.namespace)).not.toContain('dev-e2e');
    });

    it('exits 1 with the reason when the server refuses an id', async () => {
      const run = await tacos('namespace', 'create', 'bad id!');
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: /);
    });
  });

  describe('cluster', () => {
    it('shows the standalone member with its Raft state', async () => {
      const status = await json('cluster', 'status');
      expect(status.members.length).toBeGreaterThanOrEqual(1);
      expect(status.members[0].address).toContain(String(server.port));
      const raft = await fetch(`${server.url}/nacos/v1/ns/raft/state`);
      await raft.body?.cancel();
      if (raft.status === 200) {
        // A standalone server is a one-member Raft group that leads itself.
        expect(status.members[0]).toMatchObject({ role: 'LEADER', lag: 0 });
        expect(status.members[0].term).toBeGreaterThanOrEqual(1);
        expect(status.leader).toBe(status.members[0].leader);
      } else {
        // TODO(cluster issue): /raft/state is not mounted yet; the row says so instead.
        expect(status.members[0]).toMatchObject({ role: null, error: expect.stringMatching(/^HTTP (404|501)/) });
      }
      const table = await tacos('cluster', 'status');
      expect(table.code).toBe(0);
      expect(table.stdout.split('\n')[0]).toMatch(/^ADDRESS\s+STATE\s+ROLE\s+TERM\s+LEADER\s+COMMIT\s+APPLIED\s+LAG$/);
    });

    it('asks the server to add and remove members, and says clearly when it cannot', async () => {
      for (const verb of ['add', 'remove']) {
        const run = await tacos('cluster', verb, '127.0.0.1:1');
        if (run.code === 0) continue;
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/error: /);
      }
    });
  });

  describe('login', () => {
    it('exits 1 with a clear message when the server has no auth, and stores nothing', async () => {
      const run = await tacos('login', '--username', 'nacos', '--password', 'nacos');
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: /);
      expect(existsSync(join(env.XDG_CONFIG_HOME!, 'tacos', 'credentials.json'))).toBe(false);
    });

    // A server started without --auth has no user management: the commands report its refusal
    // (test/cli-auth.test.ts covers them against a server with auth on).
    it.each([
      [['user', 'list']],
      [['role', 'list']],
      [['permission', 'list']],
      [['user', 'create', 'bob', '--password', 'pw']],
    ])('reports the refusal of %j by a server without --auth (exit 1)', async (args) => {
      const run = await tacos(...args);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: the server said no \(HTTP (404|501) on (GET|POST) http:\/\/127\.0\.0\.1:\d+\/nacos\/v1\/auth\//);
      expect(run.stdout).toBe('');
    });

    it('refuses a login without a user name (exit 2)', async () => {
      const run = await tacos('login', '--password', 'x');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('missing --username');
    });
  });
});
