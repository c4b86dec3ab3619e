// End-to-end on a real 3-member cluster (`--members a,b,c`), each member serving the console: the cluster
// page shows the three members with their state, the Raft role / term / leader and the member you are on;
// an instance registered on one member appears live on the detail page served by another.
// Screenshot: cluster-3-nodes.
import { TacosClient } from '@tacos/client';
import { type TacosProcess, freePort, removeDir, startTacos, tempDir, waitFor } from '@tacos/testkit';
import { type BrowserSession, DIST, checkBuilt, expectServedConsole, openBrowser, shot } from './browser';
import { ensureChromium } from './chromium';

const skipReason = ensureChromium();
if (skipReason) process.stderr.write(`SKIPPING console browser tests: ${skipReason}\n`);
const describeBrowser = skipReason ? describe.skip : describe;

const CLUSTER_SECRET = 'console-e2e-cluster-secret-0123456789';

interface RaftView {
  leader: string | null;
  term: number;
  role: string;
}

async function raftState(node: TacosProcess): Promise<RaftView | undefined> {
  try {
    const res = await fetch(`${node.url}/nacos/v1/ns/raft/state`);
    return res.ok ? ((await res.json()) as RaftView) : undefined;
  } catch {
    return undefined;
  }
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let i = 0; i < 50 && ports.size < n; i++) ports.add(await freePort());
  if (ports.size < n) throw new Error(`could not find ${n} distinct free ports`);
  return [...ports].slice(0, n);
}

jest.setTimeout(60_000);

describeBrowser('console on a real 3-member cluster', () => {
  let nodes: TacosProcess[] = [];
  let browser: BrowserSession;
  let beats: NodeJS.Timeout | undefined;
  const address = (node: TacosProcess) => `127.0.0.1:${node.port}`;

  beforeAll(async () => {
    checkBuilt();
    const ports = await distinctFreePorts(3);
    const members = ports.map((port) => `127.0.0.1:${port}`).join(',');
    // Readiness needs a Raft leader, which needs a majority: start all three at once.
    nodes = await Promise.all(
      ports.map((port) =>
        startTacos({
          port,
          dataDir: tempDir('tacos-console-cluster-'),
          args: ['--members', members, '--cluster-secret', CLUSTER_SECRET],
          env: { TACOS_CONSOLE_DIR: DIST },
          readyTimeoutMs: 45_000,
        }),
      ),
    );
    await waitFor(
      async () => {
        const views = await Promise.all(nodes.map(raftState));
        const leader = views[0]?.leader;
        return leader != null && views.every((view) => view?.leader === leader);
      },
      { timeoutMs: 30_000, what: 'all three members to agree on a Raft leader' },
    );
    for (const node of nodes) await expectServedConsole(node.url);
    browser = await openBrowser();
  }, 90_000);

  afterEach(() => browser?.expectNoProblems());

  afterAll(async () => {
    if (beats) clearInterval(beats);
    await browser?.close();
    await Promise.all(nodes.map((node) => node.stop()));
    for (const node of nodes) removeDir(node.dataDir);
  });

  test('the cluster page shows the three members with state, the Raft leader, term and role, and the member you are on', async () => {
    const { page } = browser;
    // Look at a follower, so "you are here" and "leader" fall on different rows.
    const leaderAddress = (await raftState(nodes[0]!))!.leader!;
    const here = nodes.find((node) => address(node) !== leaderAddress)!;
    await page.goto(`${here.url}/nacos/#/cluster`);
    await page.getByText('cluster of 3').waitFor();
    for (const node of nodes) {
      const row = page.getByTestId(`member-${address(node)}`);
      await row.waitFor();
      // Members start SUSPICIOUS until their first probe; the page refreshes every 3 s.
      await row.getByText('UP', { exact: true }).waitFor({ timeout: 15_000 });
      // Every member publishes its Distro readiness through the member probes.
      await row.getByText('ready', { exact: true }).waitFor({ timeout: 15_000 });
    }
    expect(await page.getByTestId(`member-${address(here)}`).textContent()).toContain('you are here');
    expect(await page.getByTestId(`member-${leaderAddress}`).textContent()).toContain('leader');
    expect(await page.getByTestId('self-address').textContent()).toBe(address(here));
    const raft = page.getByTestId('raft');
    const server = (await raftState(here))!;
    expect(await raft.getByTestId('raft-role').textContent()).toBe(server.role);
    expect(await raft.getByTestId('raft-leader').textContent()).toBe(leaderAddress);
    expect(await raft.getByTestId('raft-term').textContent()).toBe(String(server.term));
    await page.getByTestId('self-ready').getByText('ready', { exact: true }).waitFor();
    await shot(page, 'cluster-3-nodes');
  });

  test('an instance registered on one member appears live on the detail page served by another', async () => {
    const { page } = browser;
    const [writer, reader, third] = nodes as [TacosProcess, TacosProcess, TacosProcess];
    const client = new TacosClient({ servers: writer.url });
    const beating: Array<{ ip: string; port: number }> = [];
    const register = async (target: TacosClient, ip: string, port: number) => {
      await target.registerInstance({ serviceName: 'orders', ip, port, ephemeral: true });
      beating.push({ ip, port });
    };
    beats = setInterval(() => {
      for (const { ip, port } of beating) void client.sendBeat({ serviceName: 'orders', ip, port, beat: { serviceName: 'orders', ip, port } }).catch(() => undefined);
    }, 4000);
    await register(client, '127.2.0.1', 8080);
    const readerClient = new TacosClient({ servers: reader.url });
    await waitFor(async () => (await readerClient.listInstances({ serviceName: 'orders' })).hosts.length === 1, { what: 'the first instance to reach the reading member' });
    await page.goto(`${reader.url}/nacos/#/services/detail?name=orders`);
    await page.getByTestId('instance-127.2.0.1:8080').waitFor();
    await waitFor(async () => (await page.getByTestId('watch-mode').textContent())?.trim() === 'live (SSE watch)', { what: 'the SSE watch to be live' });
    await register(client, '127.2.0.2', 8080);
    await page.getByTestId('instance-127.2.0.2:8080').waitFor({ timeout: 8000 });
    await register(new TacosClient({ servers: third.url }), '127.2.0.3', 8080);
    await page.getByTestId('instance-127.2.0.3:8080').waitFor({ timeout: 8000 });
  });
});
