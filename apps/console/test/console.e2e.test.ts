// End-to-end: the built console in headless Chromium (Debian's chromium driven by playwright-core) against
// a real standalone Tacos server process that serves it at /nacos/ (with its CSP; a page error or CSP
// violation fails the test). Screenshots of the main pages go to test-artifacts/screenshots/
// (apps/console/screenshots/ with UPDATE_SCREENSHOTS=1). Auth and cluster mode: auth.e2e / cluster.e2e.
import { createSocket } from 'node:dgram';
import { TacosClient } from '@tacos/client';
import { type TacosProcess, removeDir, startTacos, waitFor } from '@tacos/testkit';
import type { Page } from 'playwright-core';
import { type BrowserSession, DIST, checkBuilt, expectServedConsole, openBrowser, shot as saveShot } from './browser';
import { ensureChromium } from './chromium';

const skipReason = ensureChromium();
if (skipReason) process.stderr.write(`SKIPPING console browser tests: ${skipReason}\n`);
const describeBrowser = skipReason ? describe.skip : describe;

/** Whether the server answers the SSE watch (`GET /nacos/v1/ns/instance/watch`) with an event stream. */
async function serverHasWatch(base: string): Promise<boolean> {
  const controller = new AbortController();
  try {
    const res = await fetch(`${base}/nacos/v1/ns/instance/watch?serviceName=orders`, { signal: controller.signal });
    return res.ok && (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  } catch {
    return false;
  } finally {
    controller.abort();
  }
}

jest.setTimeout(60_000);

describeBrowser('console in a real browser against a real server', () => {
  let tacos: TacosProcess;
  let web: { url: string };
  let browser: BrowserSession;
  let page: Page;
  let client: TacosClient;
  let beats: NodeJS.Timeout | undefined;
  const beating = new Set<string>();

  const register = async (ip: string, port: number, serviceName = 'orders', metadata: Record<string, string> = {}) => {
    await client.registerInstance({ serviceName, ip, port, metadata, ephemeral: true });
    beating.add(JSON.stringify({ serviceName, ip, port }));
  };

  const shot = (name: string) => saveShot(page, name);

  const row = (address: string) => page.locator(`[data-testid="instance-${address}"]`);

  beforeAll(async () => {
    checkBuilt();
    tacos = await startTacos({ env: { TACOS_CONSOLE_DIR: DIST } });
    client = new TacosClient({ servers: tacos.url });
    await expectServedConsole(tacos.url);
    web = { url: tacos.url };
    browser = await openBrowser();
    page = browser.page;
    // Ephemeral instances live on heartbeats, as a real application's would (every 4 s; expiry is 15 s).
    beats = setInterval(() => {
      for (const key of beating) {
        const { serviceName, ip, port } = JSON.parse(key) as { serviceName: string; ip: string; port: number };
        void client.sendBeat({ serviceName, ip, port, beat: { serviceName, ip, port } }).catch(() => undefined);
      }
    }, 4000);
  });

  afterEach(() => browser?.expectNoProblems());

  afterAll(async () => {
    if (beats) clearInterval(beats);
    await browser?.close();
    await tacos?.stop();
    if (tacos) removeDir(tacos.dataDir);
  });

  test('the service list starts empty, then shows registered services with their counts', async () => {
    await page.goto(`${web.url}/nacos/`);
    await page.getByText('No services in this namespace yet').waitFor();
    await register('127.0.0.1', 8080, 'orders', { version: '1.0' });
    await register('127.0.0.2', 8080, 'orders', { version: '1.1' });
    await register('127.0.0.7', 9090, 'payments');
    const orders = page.locator('tr', { has: page.getByRole('link', { name: 'orders', exact: true }) });
    await orders.waitFor({ timeout: 15_000 });
    expect(await orders.locator('td.num').allTextContents()).toEqual(['1', '2', '2/2']);
    await shot('services');
  });

  test('searching by name filters the list on the server', async () => {
    await page.getByLabel('Service name').fill('pay');
    await page.getByRole('link', { name: 'orders', exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'payments', exact: true }).waitFor();
    await page.getByLabel('Service name').fill('');
    await page.getByRole('link', { name: 'orders', exact: true }).waitFor();
  });

  test('service detail shows instances per cluster, and new ones appear without a reload', async () => {
    await page.getByRole('link', { name: 'orders', exact: true }).click();
    await row('127.0.0.1:8080').waitFor();
    await row('127.0.0.2:8080').waitFor();
    expect(await row('127.0.0.1:8080').textContent()).toContain('version=1.0');
    await register('127.0.0.3', 8080);
    await row('127.0.0.3:8080').waitFor({ timeout: 8000 });
    await page.getByLabel('Filter instances').fill('version=1.1');
    await row('127.0.0.1:8080').waitFor({ state: 'detached' });
    expect(await row('127.0.0.2:8080').count()).toBe(1);
    await page.getByLabel('Filter instances').fill('');
    await row('127.0.0.1:8080').waitFor();
    // The page must use the SSE watch when the server has it, and say it polls when it does not.
    const expected = (await serverHasWatch(tacos.url)) ? 'live (SSE watch)' : 'polling every 2 s';
    await waitFor(async () => (await page.getByTestId('watch-mode').textContent())?.trim() === expected, { what: `watch mode "${expected}"` });
    const mode = expected;
    process.stderr.write(`console e2e: detail page kept current by: ${mode}\n`);
  });

  test('editing the weight saves it on the server', async () => {
    await row('127.0.0.1:8080').getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Weight').fill('3');
    await page.getByRole('button', { name: 'Save' }).click();
    await waitFor(async () => (await row('127.0.0.1:8080').getByTestId('weight').textContent()) === '3', { what: 'weight 3 in the table' });
    const { list } = await client.catalogInstances({ serviceName: 'orders', clusterName: 'DEFAULT' });
    expect(list.find((i) => i.ip === '127.0.0.1')?.weight).toBe(3);
    expect(list.find((i) => i.ip === '127.0.0.1')?.metadata).toEqual({ version: '1.0' });
  });

  test('taking an instance offline hides it from clients', async () => {
    await row('127.0.0.2:8080').getByRole('button', { name: 'Take offline' }).click();
    await waitFor(async () => (await row('127.0.0.2:8080').getByTestId('state').textContent()) === 'offline', { what: 'offline badge' });
    const listed = await client.listInstances({ serviceName: 'orders' });
    expect(listed.hosts.map((h) => h.ip).sort()).toEqual(['127.0.0.1', '127.0.0.3']);
  });

  test('a persistent instance can be registered and deregistered by hand', async () => {
    await page.getByRole('button', { name: 'Register instance' }).click();
    await page.getByLabel('IP').fill('127.0.1.9');
    await page.getByLabel('Port').fill('9000');
    await page.getByLabel('Cluster').fill('BACKUP');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await row('127.0.1.9:9000').waitFor();
    expect(await row('127.0.1.9:9000').textContent()).toContain('persistent');
    await page.getByTestId('cluster-BACKUP').waitFor();
    // With the NONE checker, health is set by hand.
    await page.getByTestId('cluster-BACKUP').getByRole('button', { name: 'Edit cluster' }).click();
    await page.getByLabel('Health checker').selectOption('NONE');
    await page.getByRole('button', { name: 'Save' }).click();
    await row('127.0.1.9:9000').getByRole('button', { name: 'Mark unhealthy' }).click();
    await row('127.0.1.9:9000').getByText('unhealthy', { exact: true }).waitFor();
    const backup = await client.catalogInstances({ serviceName: 'orders', clusterName: 'BACKUP' });
    expect(backup.list[0]).toMatchObject({ ip: '127.0.1.9', healthy: false, ephemeral: false });
    await shot('service-detail');
    await row('127.0.0.2:8080').getByRole('button', { name: 'Bring online' }).click();
    await waitFor(async () => (await row('127.0.0.2:8080').getByTestId('state').textContent()) === 'online', { what: 'online badge' });
    await row('127.0.1.9:9000').getByRole('button', { name: 'Deregister' }).click();
    await row('127.0.1.9:9000').waitFor({ state: 'detached' });
  });

  test('editing the cluster health checker and the protect threshold shows on the page and in the list', async () => {
    await page.getByTestId('cluster-DEFAULT').getByRole('button', { name: 'Edit cluster' }).click();
    await page.getByLabel('Health checker').selectOption('HTTP');
    await page.getByLabel('Path').fill('/actuator/health');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('cluster-DEFAULT').getByText('checker: HTTP GET /actuator/health').waitFor();
    const detail = await client.catalogService({ serviceName: 'orders' });
    expect(detail.clusters.find((c) => c.name === 'DEFAULT')?.healthChecker).toMatchObject({ type: 'HTTP', path: '/actuator/health' });

    await page.getByRole('button', { name: 'Edit service' }).click();
    await page.getByLabel('Protect threshold (0–1)').fill('1');
    await page.getByLabel('Metadata').fill('owner=payments-team');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('protection on').first().waitFor();
    await page.getByText('owner=payments-team').waitFor();
    await page.getByRole('link', { name: '← Services' }).click();
    const orders = page.locator('tr', { has: page.getByRole('link', { name: 'orders', exact: true }) });
    await orders.getByText('threshold reached').waitFor();
    await orders.getByRole('link', { name: 'Detail' }).click();
    await page.getByRole('button', { name: 'Edit service' }).click();
    await page.getByLabel('Protect threshold (0–1)').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('protection on').first().waitFor({ state: 'detached' });
  });

  test('subscribers of a service are listed', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
    try {
      const udpPort = socket.address().port;
      const javaLike = new TacosClient({ servers: tacos.url, userAgent: 'Nacos-Java-Client:v1.4.1' });
      await javaLike.listInstances({ serviceName: 'orders', udpPort, clientIP: '127.0.0.1' });
      await page.getByRole('link', { name: 'Subscribers' }).click();
      await page.getByRole('cell', { name: `127.0.0.1:${udpPort}` }).waitFor();
      await page.getByRole('cell', { name: 'Nacos-Java-Client:v1.4.1' }).waitFor();
    } finally {
      socket.close();
    }
  });

  test('a service can be created and deleted from the console', async () => {
    await page.goto(`${web.url}/nacos/#/services`);
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('dialog').getByLabel('Service name').fill('inventory');
    await page.getByLabel('Protect threshold (0–1)').fill('0.5');
    await page.getByLabel('Metadata').fill('team=stock');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText('No clusters and no instances yet').waitFor();
    expect(page.url()).toContain('#/services/detail?name=inventory');
    const created = await client.catalogService({ serviceName: 'inventory' });
    expect(created.service).toMatchObject({ protectThreshold: 0.5, metadata: { team: 'stock' } });
    await page.getByRole('button', { name: 'Delete service' }).click();
    await page.getByRole('heading', { name: 'Services' }).waitFor();
    await page.getByRole('link', { name: 'orders', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'inventory', exact: true }).count()).toBe(0);
    await expect(client.catalogService({ serviceName: 'inventory' })).rejects.toMatchObject({ status: 404 });
  });

  test('an unknown service says so in place', async () => {
    await page.goto(`${web.url}/nacos/#/services/detail?name=no-such-service`);
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not found/);
    expect(await alert.textContent()).toMatch(/no-such-service/);
  });

  test("the server's error is shown in place", async () => {
    await page.goto(`${web.url}/nacos/#/services`);
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByLabel('Service name').last().fill('orders');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const alert = page.getByRole('dialog').getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/already exists/);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  test('namespaces: create one, see it in the switcher, and switch to it', async () => {
    await page.goto(`${web.url}/nacos/#/namespaces`);
    await page.getByRole('button', { name: 'Create namespace' }).click();
    await page.getByLabel('ID (optional)').fill('e2e-staging');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Staging');
    await page.getByLabel('Description').fill('made by the browser test');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('cell', { name: 'e2e-staging' }).waitFor();
    await page.getByRole('cell', { name: 'made by the browser test' }).waitFor();
    const namespaces = await client.listNamespaces();
    expect(namespaces.map((n) => n.namespace)).toContain('e2e-staging');
    await shot('namespaces');
    await page.getByLabel('Namespace').selectOption('e2e-staging');
    await page.goto(`${web.url}/nacos/#/services`);
    await page.getByText('No services in this namespace yet').waitFor();
    await page.getByLabel('Namespace').selectOption('');
    await page.getByRole('link', { name: 'orders', exact: true }).waitFor();

    await page.goto(`${web.url}/nacos/#/namespaces`);
    const staging = page.locator('tr', { has: page.getByRole('cell', { name: 'e2e-staging' }) });
    await staging.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Staging EU');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Staging EU' }).waitFor();
    await page.getByRole('button', { name: 'Create namespace' }).click();
    await page.getByLabel('ID (optional)').fill('e2e-doomed');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Doomed');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const doomed = page.locator('tr', { has: page.getByRole('cell', { name: 'e2e-doomed' }) });
    await doomed.getByRole('button', { name: 'Delete' }).click();
    await doomed.waitFor({ state: 'detached' });
    expect((await client.listNamespaces()).map((n) => n.namespace)).not.toContain('e2e-doomed');
  });

  test('the cluster page shows this node and standalone mode', async () => {
    await page.goto(`${web.url}/nacos/#/cluster`);
    await page.getByRole('heading', { name: 'This node' }).waitFor();
    await page.getByText('standalone').first().waitFor();
    await shot('cluster');
  });

  test('10,000 services page on the server: the last page renders at once', async () => {
    await client.createNamespace({ customNamespaceId: 'bulk', namespaceName: 'Bulk' });
    let next = 0;
    const worker = async () => {
      while (next < 10_000) {
        const i = next++;
        await client.createService({ namespaceId: 'bulk', serviceName: `svc-${String(i).padStart(5, '0')}`, groupName: 'BULK' });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await page.goto(`${web.url}/nacos/#/services`);
    await page.getByLabel('Namespace').selectOption('bulk');
    await page.getByText('1–20 of 10,000').waitFor();
    const started = Date.now();
    await page.getByRole('button', { name: 'Last page' }).click();
    await page.getByRole('link', { name: 'svc-09999', exact: true }).waitFor();
    const elapsed = Date.now() - started;
    expect(await page.getByText('9,981–10,000 of 10,000').count()).toBe(1);
    expect(await page.locator('tbody tr').count()).toBe(20);
    // One page of 20 rows from a server-side page: generous bound for a loaded 2-core CI machine.
    expect(elapsed).toBeLessThan(5000);
    await page.getByLabel('Service name').fill('svc-0420');
    await page.getByText('1–10 of 10').waitFor();
    await page.getByLabel('Service name').fill('svc-04207');
    await page.getByText('1–1 of 1').waitFor();
    await page.getByLabel('Namespace').selectOption('');
  }, 120_000);

  test('a narrow screen (390 px) has no horizontal page scroll', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${web.url}/nacos/#/services/detail?name=orders`);
      await row('127.0.0.1:8080').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await shot('narrow-service-detail');
      await page.goto(`${web.url}/nacos/#/services`);
      await page.getByRole('link', { name: 'orders', exact: true }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      await shot('narrow-services');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
