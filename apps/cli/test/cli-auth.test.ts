// `tacos user init-admin`, `tacos login` and user management against a real --auth server process.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, startTacos, type TacosProcess } from '@tacos/testkit';
import { cleanEnv, runCli } from './helpers';

jest.setTimeout(60_000);

describe('tacos with auth on', () => {
  let server: TacosProcess;
  let env: Record<string, string>;
  const tacos = (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: { ...env, ...extra } });

  beforeAll(async () => {
    server = await startTacos({
      args: ['--auth', '--token-secret', 'cli-e2e-token-secret-5b7d9f1a3c8e2046'],
      env: { TACOS_BCRYPT_COST: '4' },
    });
    env = cleanEnv({ TACOS_SERVER: server.url });
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('initialises the admin once, then logs in and manages users', async () => {
    const refused = await tacos(['service', 'create', 'before-admin']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('init-admin');

    const init = await tacos(['user', 'init-admin'], { TACOS_ADMIN_PASSWORD: 'cli-admin-pass-1' });
    expect(init).toMatchObject({ code: 0 });
    expect(init.stdout).toContain("admin user 'nacos' created");

    const again = await tacos(['user', 'init-admin', '--password', 'other-pass-12']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('an admin already exists');

    const login = await tacos(['login', '--username', 'nacos'], { TACOS_PASSWORD: 'cli-admin-pass-1' });
    expect(login.code).toBe(0);
    expect((await tacos(['user', 'create', 'carol', '--password', 'carol-pass-1'])).code).toBe(0);
    const list = await tacos(['--output', 'json', 'user', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('carol');
    expect((await tacos(['service', 'create', 'after-admin'])).code).toBe(0);
  });

  // Runs after the test above (same server): the admin exists, `env` has a stored token.
  it('stores the token with mode 0600, uses it, forgets it on logout, and refuses bad passwords', async () => {
    const file = join(env.XDG_CONFIG_HOME!, 'tacos', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(env.XDG_CONFIG_HOME!, 'tacos')).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.tokens[server.url]).toMatchObject({ username: 'nacos', accessToken: expect.any(String) });

    const empty = await tacos(['login', '--username', 'nacos', '--password-stdin']);
    expect(empty.code).toBe(2); // nothing on stdin: a usage error, nothing sent

    const roles = await tacos(['--output', 'json', 'role', 'list']);
    expect(roles.code).toBe(0);
    expect(JSON.parse(roles.stdout)).toHaveProperty('pageItems');

    expect((await tacos(['logout'])).stdout).toBe('logged out\n');
    const anonymous = await tacos(['user', 'list']);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/HTTP (401|403)/);
    expect(anonymous.stderr).toContain('hint: log in with `tacos login --username NAME`');

    const wrong = await tacos(['login', '--username', 'nacos', '--password', 'not-the-password']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/HTTP 403/);
    expect(JSON.parse(readFileSync(file, 'utf8')).tokens[server.url]).toBeUndefined();
  });

  it('reads the login password from stdin', async () => {
    const run = await runCli(['--output', 'json', 'login', '--username', 'nacos', '--password-stdin'], { env, input: 'cli-admin-pass-1\n' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, action: 'login', username: 'nacos' });
  });

  // Runs after the tests above (same server): logged in as the admin, user carol exists.
  it('manages roles, permissions and passwords, in table and JSON form', async () => {
    expect((await tacos(['role', 'add', 'ops', 'carol'])).code).toBe(0);
    const rolesTable = await tacos(['role', 'list', '--username', 'carol']);
    expect(rolesTable.code).toBe(0);
    expect(rolesTable.stdout).toMatch(/^ROLE\s+USERNAME\n/);
    expect(rolesTable.stdout).toMatch(/\nops\s+carol\n/);
    const rolesJson = JSON.parse((await tacos(['--output', 'json', 'role', 'list', '--username', 'carol'])).stdout);
    expect(rolesJson.pageItems).toEqual([{ role: 'ops', username: 'carol' }]);

    const resource = 'public:DEFAULT_GROUP:naming/*';
    expect((await tacos(['permission', 'add', 'ops', resource, 'rw'])).code).toBe(0);
    const permsTable = await tacos(['permission', 'list', '--role', 'ops']);
    expect(permsTable.code).toBe(0);
    expect(permsTable.stdout).toContain(resource);
    const permsJson = JSON.parse((await tacos(['--output', 'json', 'permission', 'list', '--role', 'ops'])).stdout);
    expect(permsJson.pageItems).toEqual([{ role: 'ops', resource, action: 'rw' }]);

    // carol may now write services of DEFAULT_GROUP in public; her new password is the one that works.
    expect((await tacos(['user', 'passwd', 'carol', '--password', 'carol-pass-2'])).code).toBe(0);
    const carol = { ...env, XDG_CONFIG_HOME: cleanEnv().XDG_CONFIG_HOME! };
    const asCarol = (args: string[]) => runCli(args, { env: carol });
    expect((await asCarol(['login', '--username', 'carol', '--password', 'carol-pass-1'])).code).toBe(1);
    expect((await asCarol(['login', '--username', 'carol', '--password', 'carol-pass-2'])).code).toBe(0);
    expect((await asCarol(['service', 'create', 'carols-service'])).code).toBe(0);
    const notHers = await asCarol(['--group', 'OTHER', 'service', 'create', 'elsewhere']);
    expect(notHers.code).toBe(1);
    expect(notHers.stderr).toMatch(/HTTP 403/);

    expect((await tacos(['permission', 'remove', 'ops', resource, 'rw'])).code).toBe(0);
    expect(JSON.parse((await tacos(['--output', 'json', 'permission', 'list', '--role', 'ops'])).stdout).pageItems).toEqual([]);
    expect((await tacos(['role', 'remove', 'ops', 'carol'])).code).toBe(0);
    expect(JSON.parse((await tacos(['--output', 'json', 'role', 'list', '--username', 'carol'])).stdout).pageItems).toEqual([]);
    expect((await tacos(['user', 'delete', 'carol'])).code).toBe(0);
    expect((await tacos(['--output', 'json', 'user', 'list'])).stdout).not.toContain('carol');
  });
});
