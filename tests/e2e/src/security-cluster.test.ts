// Auth in a 3-member cluster of real processes: the admin created from TACOS_ADMIN_PASSWORD and users
// created through a follower replicate through Raft, tokens work on every member, and member-to-member
// trust cannot be claimed by a client (forged peer headers, Nacos' User-Agent trick).
import { startTacosCluster, type TacosCluster, type TacosProcess, waitFor } from '@tacos/testkit';
import { ADMIN_PASSWORD, AttackTable, brief, login, raw, TEST_SECRET } from './security-support';

const NS = '/nacos/v1/ns';
const AUTH = '/nacos/v1/auth';
const CLUSTER_SECRET = 'e2e-auth-cluster-secret-0123456789ab';
const table = new AttackTable();
let cluster: TacosCluster;
let nodes: TacosProcess[] = [];

beforeAll(async () => {
  cluster = await startTacosCluster({
    secret: CLUSTER_SECRET,
    args: ['--auth', '--token-secret', TEST_SECRET],
    env: { TACOS_ADMIN_PASSWORD: ADMIN_PASSWORD, TACOS_BCRYPT_COST: '4' },
  });
  nodes = cluster.nodes;
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  process.stdout.write(`\n${table.markdown('Security suite, 3-member cluster: attack / expected / observed')}\n\n`);
});

async function leaderIndex(token: string): Promise<number> {
  let found = -1;
  await waitFor(
    async () => {
      for (const [i, n] of nodes.entries()) {
        const res = await raw(n.url, 'GET', `${NS}/raft/state`, { params: { accessToken: token } });
        if (res.status === 200 && JSON.parse(res.text).role === 'LEADER') found = i;
      }
      return found >= 0;
    },
    { timeoutMs: 15_000, intervalMs: 200, what: 'a Raft leader' },
  );
  return found;
}

describe('auth across members', () => {
  it('replicates the admin, users and tokens; follower writes reach the leader', async () => {
    const tokens: string[] = [];
    for (const n of nodes) {
      let token = '';
      await waitFor(
        async () => {
          token = await login(n.url, 'nacos', ADMIN_PASSWORD).catch(() => '');
          return token !== '';
        },
        { timeoutMs: 20_000, intervalMs: 200, what: `admin login on ${n.url}` },
      );
      tokens.push(token);
    }
    const leader = await leaderIndex(tokens[0] as string);
    const follower = nodes[(leader + 1) % 3] as TacosProcess;
    const other = nodes[(leader + 2) % 3] as TacosProcess;
    const created = await raw(follower.url, 'POST', `${AUTH}/users`, { params: { accessToken: tokens[0] as string }, form: { username: 'dave', password: 'dave-pass-12' } });
    table.record('create a user through a follower (admin token from another member)', '200, forwarded to the leader', brief(created));
    expect(created.status).toBe(200);
    let dave = '';
    await waitFor(
      async () => {
        dave = await login(other.url, 'dave', 'dave-pass-12').catch(() => '');
        return dave !== '';
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'dave replicated' },
    );
    const denied = await raw(follower.url, 'POST', `${NS}/instance`, { params: { serviceName: 'c-svc', ip: '127.0.0.3', port: '3', ephemeral: 'false', accessToken: dave } });
    table.record('user without permissions writes a persistent instance via a follower', '403 authorization failed!', brief(denied));
    expect(denied.status).toBe(403);
  });

  it('refuses client requests that claim to come from a member', async () => {
    const target = nodes[0] as TacosProcess;
    const cases: Array<[string, Record<string, string>]> = [
      ['client sends forged x-tacos-peer headers', { 'x-tacos-peer': `127.0.0.1:${nodes[1]?.port}`, 'x-tacos-timestamp': String(Date.now()), 'x-tacos-nonce': 'abc', 'x-tacos-signature': '00'.repeat(32) }],
      ['client sends User-Agent Nacos-Server + serverIdentity', { 'user-agent': 'Nacos-Server', serverIdentity: 'security' }],
    ];
    for (const [attack, headers] of cases) {
      const res = await raw(target.url, 'POST', `${NS}/instance`, { params: { serviceName: 'c-forged', ip: '127.0.0.4', port: '4' }, headers });
      table.record(`cluster: ${attack}`, '401/403, nothing stored', brief(res));
      expect([401, 403]).toContain(res.status);
    }
    const peer = await raw(target.url, 'POST', `${NS}/peer/raft`, { rawBody: '{}', headers: { 'content-type': 'application/json', 'user-agent': 'Nacos-Server' } });
    table.record('cluster: unsigned Raft message with User-Agent Nacos-Server', '401', brief(peer));
    expect(peer.status).toBe(401);
  });
});
