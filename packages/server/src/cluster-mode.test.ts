import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NamingRegistry } from '@tacos/core';
import { freePort } from '@tacos/testkit';
import pino from 'pino';
import { classifyTarget } from './cluster-mode';
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
});
