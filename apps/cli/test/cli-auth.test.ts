// `tacos user init-admin`, `tacos login` and user management against a real --auth server process.
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
});
