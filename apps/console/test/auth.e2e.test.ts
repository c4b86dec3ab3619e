// End-to-end with auth on: the console served by a real `--auth` Tacos server, in headless Chromium.
// Login (wrong and right password), the token on every call, users / roles / permissions, logout, and a
// short-lived token sending the tab back to the login page. Screenshots: login, users.
import { TacosClient } from '@tacos/client';
import { type TacosProcess, removeDir, startTacos, waitFor } from '@tacos/testkit';
import type { Request } from 'playwright-core';
import { type BrowserSession, DIST, checkBuilt, expectServedConsole, openBrowser, shot } from './browser';
import { ensureChromium } from './chromium';

const skipReason = ensureChromium();
if (skipReason) process.stderr.write(`SKIPPING console browser tests: ${skipReason}\n`);
const describeBrowser = skipReason ? describe.skip : describe;

const TOKEN_SECRET = 'console-e2e-token-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'console-e2e-admin-pw';

/** Starts a real server with auth on, serving the built console; `ttlSeconds` sets the token lifetime. */
function startAuthServer(ttlSeconds?: number): Promise<TacosProcess> {
  const env: Record<string, string> = { TACOS_CONSOLE_DIR: DIST, TACOS_ADMIN_PASSWORD: ADMIN_PASSWORD, TACOS_BCRYPT_COST: '4' };
  if (ttlSeconds !== undefined) env.TACOS_TOKEN_TTL_SECONDS = String(ttlSeconds);
  return startTacos({ args: ['--auth', '--token-secret', TOKEN_SECRET], env });
}

jest.setTimeout(60_000);

describeBrowser('console with auth on, against a real --auth server', () => {
  let tacos: TacosProcess;
  let browser: BrowserSession;
  let admin: TacosClient;
  /** API calls the page made (login excluded), with whether each carried the access token. */
  const calls: Array<{ url: string; hasToken: boolean }> = [];

  beforeAll(async () => {
    checkBuilt();
    tacos = await startAuthServer();
    await expectServedConsole(tacos.url);
    admin = new TacosClient({ servers: tacos.url });
    admin.setToken((await admin.login('nacos', ADMIN_PASSWORD)).accessToken);
    browser = await openBrowser();
    browser.page.on('request', (request: Request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/nacos/v1/') && !url.pathname.endsWith('/auth/users/login') && url.pathname !== '/nacos/v1/console/server/state') {
        calls.push({ url: url.pathname, hasToken: url.searchParams.has('accessToken') });
      }
    });
  });

  afterEach(() => browser?.expectNoProblems());

  afterAll(async () => {
    await browser?.close();
    await tacos?.stop();
    if (tacos) removeDir(tacos.dataDir);
  });

  test('the login page appears, and a wrong password shows the server\'s refusal in place', async () => {
    const { page } = browser;
    await page.goto(`${tacos.url}/nacos/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // What the server itself says to a wrong password, so the test checks the console shows those words.
    const refusal = await fetch(`${tacos.url}/nacos/v1/auth/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'nacos', password: 'not-the-password' }).toString(),
    });
    expect(refusal.status).toBe(403);
    const words = (await refusal.text()).trim();
    await page.getByLabel('Username').fill('nacos');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Wrong username or password');
    expect(await alert.textContent()).toContain(words);
    expect(calls).toEqual([]);
    await shot(page, 'login');
  });

  test('the right password logs in, and every API call carries the token', async () => {
    const { page } = browser;
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Services' }).waitFor();
    await page.getByText('No services in this namespace yet').waitFor();
    await page.locator('.user', { hasText: 'nacos' }).waitFor();
    for (const label of ['Users', 'Roles', 'Permissions']) await page.getByRole('link', { name: label, exact: true }).waitFor();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((call) => !call.hasToken)).toEqual([]);
  });

  test('a namespace can be created with the token', async () => {
    const { page } = browser;
    await page.goto(`${tacos.url}/nacos/#/namespaces`);
    await page.getByRole('button', { name: 'Create namespace' }).click();
    await page.getByLabel('ID (optional)').fill('auth-staging');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Auth staging');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('cell', { name: 'auth-staging' }).waitFor();
    expect((await admin.listNamespaces()).map((n) => n.namespace)).toContain('auth-staging');
  });

  test('instances registered through the API appear live on the detail page (SSE with the token)', async () => {
    const { page } = browser;
    await admin.registerInstance({ serviceName: 'billing', ip: '127.1.0.1', port: 7000, ephemeral: false });
    await page.goto(`${tacos.url}/nacos/#/services/detail?name=billing`);
    await page.locator('[data-testid="instance-127.1.0.1:7000"]').waitFor();
    await waitFor(async () => (await page.getByTestId('watch-mode').textContent())?.trim() === 'live (SSE watch)', { what: 'the SSE watch to be live' });
    await admin.registerInstance({ serviceName: 'billing', ip: '127.1.0.2', port: 7000, ephemeral: false });
    await page.locator('[data-testid="instance-127.1.0.2:7000"]').waitFor({ timeout: 8000 });
    expect(calls.some((call) => call.url === '/nacos/v1/ns/instance/watch' && call.hasToken)).toBe(true);
    expect(calls.filter((call) => !call.hasToken)).toEqual([]);
  });

  test('users: the list shows nacos, and a new user can be created', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('cell', { name: 'nacos', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('dialog').getByLabel('Username').fill('alice');
    await page.getByRole('dialog').getByLabel('Password').fill('alice-password-1');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'alice', exact: true }).waitFor();
    expect((await admin.listUsers(1, 100)).pageItems.map((u) => u.username)).toContain('alice');
    await shot(page, 'users');
  });

  test('roles: a role can be bound to the new user', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Roles', exact: true }).click();
    await page.getByRole('button', { name: 'Bind role' }).click();
    await page.getByRole('dialog').getByLabel('Role').fill('ops');
    await page.getByRole('dialog').getByLabel('Username').fill('alice');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'ops', exact: true }).waitFor();
    const roles = await admin.listRoles({ pageNo: 1, pageSize: 100 });
    expect(roles.pageItems).toContainEqual(expect.objectContaining({ role: 'ops', username: 'alice' }));
  });

  test('permissions: the role can be granted read-write on the namespace', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Permissions', exact: true }).click();
    await page.getByRole('button', { name: 'Grant permission' }).click();
    await page.getByRole('dialog').getByLabel('Role').fill('ops');
    await page.getByRole('dialog').getByLabel(/^Resource/).fill('auth-staging:*:naming/*');
    await page.getByRole('dialog').getByLabel(/^Action/).fill('rw');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'auth-staging:*:naming/*' }).waitFor();
    const permissions = await admin.listPermissions({ pageNo: 1, pageSize: 100 });
    expect(permissions.pageItems).toContainEqual({ role: 'ops', resource: 'auth-staging:*:naming/*', action: 'rw' });
    await shot(page, 'permissions');
  });

  test('log out returns to the login page, and the old page is not reachable without logging in', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByText('You have logged out.').waitFor();
    await page.goto(`${tacos.url}/nacos/#/users`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Users' }).count()).toBe(0);
  });

  test('a token that expires (TTL 2 s) sends the tab back to the login page', async () => {
    const shortLived = await startAuthServer(2);
    try {
      await expectServedConsole(shortLived.url);
      const { page } = browser;
      await page.goto(`${shortLived.url}/nacos/#/namespaces`);
      await page.getByLabel('Username').fill('nacos');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Namespaces' }).waitFor();
      // Once the token is dead, the server refuses it too (checked here so the console is not the only judge).
      const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('tacos.console.token') ?? '{}').accessToken as string);
      await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 6000 });
      await page.getByText('Your session expired').waitFor();
      const refused = await fetch(`${shortLived.url}/nacos/v1/console/namespaces?accessToken=${encodeURIComponent(token)}`);
      expect(refused.status).toBe(403);
      expect(await page.evaluate(() => sessionStorage.getItem('tacos.console.token'))).toBeNull();

      // Same again, but the tab believes its token lasts an hour (a skewed clock): the server's refusal
      // of the dead token must send the tab to the login page just the same.
      await page.getByLabel('Username').fill('nacos');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Namespaces' }).waitFor();
      await page.evaluate(() => {
        const stored = JSON.parse(sessionStorage.getItem('tacos.console.token') ?? '{}') as { expiresAt: number };
        sessionStorage.setItem('tacos.console.token', JSON.stringify({ ...stored, expiresAt: Date.now() + 3_600_000 }));
      });
      await page.reload();
      await page.getByRole('heading', { name: 'Namespaces' }).waitFor();
      await new Promise((done) => setTimeout(done, 2500));
      await page.goto(`${shortLived.url}/nacos/#/users`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.locator('.notice').textContent()).toMatch(/token/i);
    } finally {
      await shortLived.stop();
      removeDir(shortLived.dataDir);
    }
  });
});
