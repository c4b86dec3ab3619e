import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NamingRegistry } from '@tacos/core';
import { freePort } from '@tacos/testkit';
import pino from 'pino';
import express from 'express';
import request from 'supertest';
import type { ClusterPlumbing, ForwardRequest, ForwardResult } from './cluster';
import { classifyTarget, clusterFastPath, clusterGate, forwardBatchServer } from './cluster-mode';
import { createTestApp, type TestApp } from './testing/test-app';
import type { HotRequest, HotResponse } from './fast-path';
import type { HandlerRequest } from './handler';
import { type RunningServer, StartupError, startServer } from './server';

const quiet = pino({ level: 'silent' });
const SECRET = 'unit-cluster-secret-0123456789';

function req(method: string, path: string, params: Record<string, string>): HandlerRequest {
  return { method, path, param: (n) => params[n], header: () => undefined };
}

describe('classifyTarget', () => {
  const registry = new NamingRegistry();
  it('sends ephemeral instance writes and beats to the owner, other writes to the leader', () => {
    expect(classifyTarget(req('POST', '/nacos/v1/ns/instance', { serviceName: 's', ip: '1.1.1.1', port: '1' }), registry)).toEqual({ kind: 'owner', service: 'DEFAULT_GROUP@@s' });
    expect(classifyTarget(req('POST', '/nacos/v1/ns/instance', { serviceName: 's', groupName: 'G', ephemeral: 'false' }), registry)).toEqual({ kind: 'leader' });
    expect(classifyTarget(req('PUT', '/nacos/v1/ns/instance/beat', { serviceName: 'G@@s' }), registry)).toEqual({ kind: 'owner', service: 'G@@s' });
    expect(classifyTarget(req('POST', '/nacos/v1/ns/service', { serviceName: 's' }), registry)).toEqual({ kind: 'leader' });
    expect(classifyTarget(req('POST', '/nacos/v1/console/namespaces', {}), registry)).toEqual({ kind: 'leader' });
    const batch = (params: Record<string, string>) => classifyTarget(req('PUT', '/nacos/v1/ns/instance/metadata/batch', { serviceName: 's', ...params }), registry);
    expect(batch({})).toEqual({ kind: 'owner', service: 'DEFAULT_GROUP@@s' });
    expect(batch({ consistencyType: 'persist' })).toEqual({ kind: 'leader' });
    expect(batch({ instances: '[{"ip":"1.1.1.1","port":1}]' })).toEqual({ kind: 'owner', service: 'DEFAULT_GROUP@@s' });
    expect(batch({ instances: '[{"ip":"1.1.1.1","port":1,"ephemeral":false}]' })).toEqual({ kind: 'leader' });
  });
  it('keeps reads local unless consistent=true on instance reads', () => {
    expect(classifyTarget(req('GET', '/nacos/v1/ns/instance/list', { serviceName: 's' }), registry)).toEqual({ kind: 'local' });
    expect(classifyTarget(req('GET', '/nacos/v1/ns/instance/list', { serviceName: 's', consistent: 'true' }), registry)).toEqual({ kind: 'read-index' });
    expect(classifyTarget(req('GET', '/nacos/v1/ns/service/list', { consistent: 'true' }), registry)).toEqual({ kind: 'local' });
  });
  it('runs malformed requests here, so the handler answers its usual error', () => {
    expect(classifyTarget(req('PUT', '/nacos/v1/ns/instance/beat', {}), registry)).toEqual({ kind: 'local' });
  });
});

describe('clusterGate, read-your-write on a follower', () => {
  function follower(forwardResult: Partial<ForwardResult>) {
    const forwarded: ForwardRequest[] = [];
    const waits: { index: number; release: (reached: boolean) => void }[] = [];
    const plumbing = {
      forwarder: {
        forward: async (_target: string, req: ForwardRequest): Promise<ForwardResult> => {
          forwarded.push(req);
          if (req.url.startsWith('/nacos/v1/ns/raft/state')) return { status: 200, contentType: 'application/json', body: '{"commitIndex":7}', forwardedTo: 'leader:1' };
          return { status: 200, contentType: 'text/plain', body: 'ok', forwardedTo: 'leader:1', ...forwardResult };
        },
      },
    } as unknown as ClusterPlumbing;
    const raft = {
      leadership: () => ({ role: 'FOLLOWER', leaderId: 'leader:1', appliedIndex: 3 }),
      waitApplied: (index: number) => new Promise<boolean>((release) => waits.push({ index, release })),
    };
    const app = express();
    app.use(clusterGate({ self: 'me:1', registry: new NamingRegistry(), plumbing, raft: raft as never, distro: {} as never }));
    return { app, forwarded, waits };
  }
  const write = '/nacos/v1/ns/instance?serviceName=s&ip=127.0.0.1&port=1&ephemeral=false';

  it('answers a relayed write only once it applied the index the leader answered with', async () => {
    const { app, forwarded, waits } = follower({ raftApplied: 42 });
    let answered = false;
    const pending = request(app)
      .post(write)
      .then((res) => {
        answered = true;
        return res;
      });
    for (let i = 0; i < 100 && waits.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(waits.map((w) => w.index)).toEqual([42]);
    // No extra round trip to the leader for its state.
    expect(forwarded.map((f) => f.url)).toEqual([write]);
    await new Promise((r) => setTimeout(r, 30));
    expect(answered).toBe(false);
    waits[0]?.release(true);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.text).toBe('ok');
  });

  it('asks an older leader (no index header) for its commit index and waits for that', async () => {
    const { app, forwarded, waits } = follower({});
    const pending = request(app).post(write).then((res) => res);
    for (let i = 0; i < 100 && waits.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(waits.map((w) => w.index)).toEqual([7]);
    expect(forwarded.map((f) => f.url)).toEqual([write, '/nacos/v1/ns/raft/state']);
    waits[0]?.release(true);
    expect((await pending).status).toBe(200);
  });
});

describe('clusterFastPath', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A member 'me:1' whose fast path is mounted in front of a stand-in for express. */
  async function member(opts: { role?: string; owner?: string; verify?: { ok: boolean; peer?: string; reason?: string }; status?: string } = {}) {
    const forwarded: { target: string; req: ForwardRequest }[] = [];
    const verified: string[] = [];
    const waits: number[] = [];
    const registry = new NamingRegistry();
    // A registry without persistence reports not ready: pin the status the test wants.
    registry.switches.overriddenServerStatus = (opts.status ?? 'UP') as never;
    const plumbing = {
      forwarder: {
        forward: async (target: string, req: ForwardRequest): Promise<ForwardResult> => {
          forwarded.push({ target, req });
          return { status: 200, contentType: 'text/plain', body: `from ${target}`, forwardedTo: target, raftApplied: 9 };
        },
      },
      verifier: {
        verify: (req: { url: string }) => {
          verified.push(req.url);
          return opts.verify ?? { ok: true, peer: 'peer:1' };
        },
      },
    } as unknown as ClusterPlumbing;
    const raft = {
      leadership: () => ({ role: opts.role ?? 'FOLLOWER', leaderId: opts.role === 'LEADER' ? 'me:1' : 'leader:1', appliedIndex: 3 }),
      waitApplied: async (index: number) => {
        waits.push(index);
        return true;
      },
    };
    const distro = { ownerOf: () => opts.owner ?? 'me:1' };
    const local = (req: HotRequest, res: HotResponse) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('local');
      return true;
    };
    const fast = clusterFastPath({ self: 'me:1', registry, plumbing, raft: raft as never, distro: distro as never }, local);
    server = createServer((req, res) => {
      if (fast(req, res)) return;
      req.resume();
      res.writeHead(299, { 'content-type': 'text/plain' });
      res.end('express');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, forwarded, verified, waits };
  }
  const beat = '/nacos/v1/ns/instance/beat?serviceName=s&ip=127.0.0.1&port=1';
  const persistent = '/nacos/v1/ns/instance?serviceName=s&ip=127.0.0.1&port=1&ephemeral=false';
  const signed = { 'x-tacos-peer': 'peer:1', 'x-tacos-signature': 'sig' };

  it('relays a beat to its owner without express, with the security headers express would set', async () => {
    const m = await member({ owner: 'owner:1' });
    const res = await fetch(`${m.base}${beat}`, { method: 'PUT' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('from owner:1');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(m.forwarded.map((f) => [f.target, f.req.url])).toEqual([['owner:1', beat]]);
    expect(m.waits).toEqual([]);
  });

  it('relays a persistent write to the leader and waits for the applied index it answered with', async () => {
    const m = await member();
    const res = await fetch(`${m.base}${persistent}`, { method: 'POST' });
    expect(await res.text()).toBe('from leader:1');
    expect(m.waits).toEqual([9]);
  });

  it('serves calls that run here with the local fast path, and leaves bodies and consistent reads to express', async () => {
    const m = await member({ role: 'LEADER' });
    expect(await (await fetch(`${m.base}${persistent}`, { method: 'POST' })).text()).toBe('local');
    expect(await (await fetch(`${m.base}${beat}`, { method: 'PUT' })).text()).toBe('local');
    expect(await (await fetch(`${m.base}/nacos/v1/ns/instance/list?serviceName=s&consistent=true`)).text()).toBe('express');
    const form = await fetch(`${m.base}/nacos/v1/ns/instance`, { method: 'POST', body: 'serviceName=s&ip=127.0.0.1&port=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(await form.text()).toBe('express');
    expect(m.forwarded).toEqual([]);
  });

  it('verifies a forwarded call once and serves it here; a bad signature gets 401', async () => {
    const ok = await member({ role: 'LEADER' });
    const res = await fetch(`${ok.base}${persistent}`, { method: 'POST', headers: signed });
    expect(await res.text()).toBe('local');
    expect(ok.verified).toEqual([persistent]);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const bad = await member({ role: 'LEADER', verify: { ok: false, reason: 'bad-signature' } });
    const refused = await fetch(`${bad.base}${persistent}`, { method: 'POST', headers: signed });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toBe('peer authentication failed: bad-signature');
  });

  it('leaves to express (unverified) a forwarded call that would need another hop, or while the status gate is closed', async () => {
    const follower = await member();
    expect(await (await fetch(`${follower.base}${persistent}`, { method: 'POST', headers: signed })).text()).toBe('express');
    expect(follower.verified).toEqual([]);
    expect(follower.forwarded).toEqual([]);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const down = await member({ role: 'LEADER', status: 'DOWN' });
    expect(await (await fetch(`${down.base}${persistent}`, { method: 'POST', headers: signed })).text()).toBe('express');
    expect(down.verified).toEqual([]);
  });
});

describe('forwardBatchServer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  const batchOn = (opts: { role: string; owner: string }) =>
    forwardBatchServer(
      {
        self: 'me:1',
        registry: t.registry,
        plumbing: {} as ClusterPlumbing,
        raft: { leadership: () => ({ role: opts.role, leaderId: 'me:1', appliedIndex: 77 }) } as never,
        distro: { ownerOf: () => opts.owner } as never,
      },
      { registry: t.registry },
    );
  const call = (url: string, method = 'POST') => ({ method, url, headers: { 'user-agent': 'Nacos-Java-Client:v1.4.1' }, origin: '127.0.0.9' });

  it('serves each call as the express app would, never forwarding it again, and reports the applied index', async () => {
    const serve = batchOn({ role: 'LEADER', owner: 'me:1' });
    const reply = await serve(
      [
        call('/nacos/v1/ns/instance?serviceName=b&ip=127.0.0.1&port=1&ephemeral=false'),
        call('/nacos/v1/ns/instance?serviceName=b&ip=127.0.0.2&port=1&ephemeral=true'),
        call('/nacos/v1/ns/instance?serviceName=b&ip=127.0.0.3&port=1&ephemeral=false&metadata=%7Bbad'),
        call('/nacos/v1/ns/service?serviceName=b'),
      ],
      'peer:1',
      '127.0.0.1',
    );
    expect(reply.applied).toBe(77);
    expect(reply.results.map((r) => [r.status, r.body])).toEqual([
      [200, 'ok'],
      [200, 'ok'],
      [400, expect.any(String)],
      [400, 'not a call members relay in batches: POST /nacos/v1/ns/service'],
    ]);
    const entry = t.registry.state.getService('public', 'DEFAULT_GROUP@@b');
    expect([entry?.persistent.size, entry?.ephemeral.size]).toEqual([1, 1]);
  });

  it('refuses calls that belong to another member (owner: 400 invalid redirect; leader: 503)', async () => {
    const serve = batchOn({ role: 'FOLLOWER', owner: 'other:1' });
    const reply = await serve(
      [call('/nacos/v1/ns/instance/beat?serviceName=c&ip=127.0.0.1&port=1', 'PUT'), call('/nacos/v1/ns/instance?serviceName=c&ip=127.0.0.1&port=1&ephemeral=false')],
      'peer:1',
      undefined,
    );
    expect(reply.results.map((r) => [r.status, r.body])).toEqual([
      [400, 'receive invalid redirect request from peer peer:1'],
      [503, 'no Raft leader here; retry or ask another member'],
    ]);
  });

  it('lets calls from a member through the status gate, as forwarded calls are', async () => {
    t.registry.switches.overriddenServerStatus = 'DOWN' as never;
    try {
      const reply = await batchOn({ role: 'LEADER', owner: 'me:1' })([call('/nacos/v1/ns/instance?serviceName=d&ip=127.0.0.1&port=1&ephemeral=true')], 'peer:1', undefined);
      expect(reply.results[0]?.status).toBe(200);
    } finally {
      t.registry.switches.overriddenServerStatus = null as never;
    }
  });
});

describe('cluster start-up in one process', () => {
  const dirs: string[] = [];
  const running: RunningServer[] = [];
  afterAll(async () => {
    for (const s of running) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses cluster mode without a secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tacos-cm-'));
    dirs.push(dir);
    const port = await freePort();
    await expect(startServer({ port, dataDir: dir, logger: quiet, members: [`127.0.0.1:${port}`, '127.0.0.1:1'] })).rejects.toThrow(StartupError);
  });

  it('forms a cluster from --members on two members and cluster.conf on the third', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const members = ports.map((p) => `127.0.0.1:${p}`);
    const servers = await Promise.all(
      ports.map((port, i) => {
        const dataDir = mkdtempSync(join(tmpdir(), 'tacos-cm-'));
        dirs.push(dataDir);
        if (i === 2) writeFileSync(join(dataDir, 'cluster.conf'), `# members\n${members.join('\n')}\n`);
        return startServer({ port, dataDir, logger: quiet, clusterSecret: SECRET, members: i === 2 ? undefined : members });
      }),
    );
    running.push(...servers);
    const deadline = Date.now() + 10_000;
    let states: { leader: string | null; members: string[] }[] = [];
    while (Date.now() < deadline) {
      states = await Promise.all(servers.map(async (s) => (await fetch(`${s.url}/nacos/v1/ns/raft/state`)).json() as Promise<{ leader: string | null; members: string[] }>).map((p) => p.catch(() => ({ leader: null, members: [] }))));
      if (states.every((st) => st.leader && st.leader === states[0]?.leader)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(new Set(states.map((st) => st.leader)).size).toBe(1);
    expect(states[2]?.members).toEqual([...members].sort());
    const mode = (await (await fetch(`${servers[2]?.url}/nacos/v1/console/server/state`)).json()) as { standalone_mode: string };
    expect(mode.standalone_mode).toBe('cluster');
  }, 20_000);

  it('answers a forwarded write with the leader\'s applied index, and the follower that relayed it shows the write at once', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const members = ports.map((p) => `127.0.0.1:${p}`);
    const servers = await Promise.all(
      ports.map((port) => {
        const dataDir = mkdtempSync(join(tmpdir(), 'tacos-cm-'));
        dirs.push(dataDir);
        return startServer({ port, dataDir, logger: quiet, clusterSecret: SECRET, members });
      }),
    );
    running.push(...servers);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !servers.every((s) => s.cluster?.ready())) await new Promise((r) => setTimeout(r, 50));
    const leaderId = servers[0]?.cluster?.raft.status().leaderId;
    const follower = servers.find((s) => s.cluster?.raft.status().role !== 'LEADER' && `127.0.0.1:${s.port}` !== leaderId);
    expect(leaderId).toBeTruthy();
    expect(follower).toBeDefined();
    if (!follower?.cluster || !leaderId) return;

    // The leader stamps its applied index on answers to signed requests; it covers the write.
    const direct = await follower.cluster.plumbing.forwarder.forward(leaderId, {
      method: 'POST',
      url: '/nacos/v1/ns/instance?serviceName=stamp&ip=127.0.0.9&port=9&ephemeral=false',
      headers: {},
    });
    expect(direct.status).toBe(200);
    expect(direct.raftApplied).toBeGreaterThan(0);
    const leader = servers.find((s) => `127.0.0.1:${s.port}` === leaderId);
    expect(direct.raftApplied).toBeLessThanOrEqual(leader?.cluster?.raft.status().appliedIndex ?? 0);
    expect(leader?.registry.state.getService('public', 'DEFAULT_GROUP@@stamp')?.persistent.size).toBe(1);

    // Through the follower: every registration is listed by that follower right after its answer.
    for (let i = 1; i <= 20; i++) {
      const reg = await fetch(`${follower.url}/nacos/v1/ns/instance?serviceName=ryw&ip=127.0.1.${i}&port=8080&ephemeral=false`, { method: 'POST' });
      expect(reg.status).toBe(200);
      const applied = follower.cluster.raft.status().appliedIndex;
      const list = (await (await fetch(`${follower.url}/nacos/v1/ns/instance/list?serviceName=ryw`)).json()) as { hosts: unknown[] };
      expect({ i, hosts: list.hosts.length }).toEqual({ i, hosts: i });
      expect(applied).toBeGreaterThan(0);
    }
  }, 30_000);
});
