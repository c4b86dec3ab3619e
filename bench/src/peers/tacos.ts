import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SERVER_NODE_FLAGS } from '@tacos/server';
import { freePort, removeDir, serverBinPath, tempDir } from '@tacos/testkit';
import { formatRequest, HttpConnection, type HttpResponse } from '../http-client';
import { getText } from '../http-get';
import { type ManagedProcess, type ProcessGroup, waitReady } from '../procs';

/** Running Tacos server(s) on 127.0.0.1, started by {@link startTacosServers}. */
export interface TacosServers {
  /** `127.0.0.1:port` of each node. */
  readonly endpoints: string[];
  readonly members: ManagedProcess[];
  stop(): Promise<void>;
}

/** Why Tacos can't be benchmarked here (no built server), or undefined when it can. */
export function tacosUnavailable(): string | undefined {
  const bin = serverBinPath();
  return existsSync(bin) ? undefined : `server not built (${bin} is missing)`;
}

/**
 * Starts `size` Tacos nodes (1 = standalone; more pass `--members` with every node's address) on
 * free loopback ports, each with a fresh data dir, pinned to `cpu`. Spawned directly rather than
 * through testkit's startTacos so that `taskset` can wrap the process. Resolves once every node's
 * readiness endpoint answers 200.
 */
export async function startTacosServers(group: ProcessGroup, size: number, cpu: string): Promise<TacosServers> {
  const bin = serverBinPath();
  const ports: number[] = [];
  for (let i = 0; i < size; i++) ports.push(await freePort());
  const members = ports.map((p) => `127.0.0.1:${p}`);
  const clusterSecret = randomBytes(24).toString('hex');
  const dirs = ports.map(() => group.trackDir(tempDir('tacos-bench-data-')));
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('TACOS_')) env[key] = value;
  }
  env.NODE_ENV = 'production';
  const procs = ports.map((port, i) => {
    // Started with the flags `npm start` and `tacos cluster up` use (SERVER_NODE_FLAGS).
    const args = [...SERVER_NODE_FLAGS, bin, '--host', '127.0.0.1', '--port', String(port), '--data-dir', dirs[i]!];
    // Members sign every request to each other with the cluster secret; a per-run random one is enough here.
    if (size > 1) args.push('--members', members.join(','), '--cluster-secret', clusterSecret);
    return group.spawn(`tacos ${port}`, process.execPath, args, { cpu, env });
  });
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop(10_000)));
    for (const dir of dirs) removeDir(dir);
  };
  try {
    for (const [i, port] of ports.entries()) {
      await waitReady(
        procs[i]!,
        async () => {
          await getText(`http://127.0.0.1:${port}/nacos/v1/console/health/readiness`);
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 50, what: `Tacos on port ${port} to be ready` },
      );
    }
    await disableHealthChecks(members);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints: members, members: procs, stop };
}

/**
 * Headers every request carries, as the reference client nacos-naming sends them
 * (NACOS-CLIENT-FACTS: it poses as Java client 1.0.0 and accepts gzip, which urllib decodes).
 */
export const CLIENT_HEADERS: readonly string[] = [
  'User-Agent: Nacos-Java-Client:v1.0.0',
  'Client-Version: Nacos-Java-Client:v1.0.0',
  'Accept-Encoding: gzip,deflate,sdch',
  'Request-Module: Naming',
];

/** True when `body` starts with the gzip magic bytes. */
export function isGzip(body: Uint8Array): boolean {
  return body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
}

/** The text of a response body, gunzipped when it is gzip. */
export function bodyText(body: Buffer): string {
  return (isGzip(body) ? gunzipSync(body) : body).toString('utf8');
}

/**
 * Turns the server-side health checks off (switch `check`, replicated through Raft to every member)
 * and waits until every member reports it. The persistent instances the benchmark registers listen
 * nowhere, and tens of thousands of them pile up over a run: checking them would bill the write and
 * read rows for a checker the peers do not have (13,000 refused ports cost an idle Tacos 9–17 % of a
 * core). Health checking has its own benchmark (`src/health-push/`).
 */
async function disableHealthChecks(members: string[]): Promise<void> {
  await getText(`http://${members[0]}${NS}/operator/switches?entry=check&value=false`, 5_000, 'PUT');
  const deadline = Date.now() + 10_000;
  for (const member of members) {
    for (;;) {
      const switches = JSON.parse(await getText(`http://${member}${NS}/operator/switches`)) as { healthCheckEnabled?: boolean };
      if (switches.healthCheckEnabled === false) break;
      if (Date.now() > deadline) throw new Error(`health checks still on at ${member} 10 s after switching them off`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The Nacos group every benchmark service lives in. */
const GROUP = 'DEFAULT_GROUP';
const NS = '/nacos/v1/ns';

/**
 * The address of the n-th distinct benchmark instance: 127.x.y.z (loopback, so that a server that
 * health-checks instances by connecting to them only ever touches this machine) and a port above
 * 1024. Distinct for n < 2^32.
 */
export function instanceAddress(n: number): { ip: string; port: number } {
  const v = n + 1; // skip 127.0.0.0
  return {
    ip: `127.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`,
    port: 1025 + ((v >>> 24) & 255),
  };
}

/** The query naming one instance, as the official clients send it (register and deregister). */
function instanceQuery(serviceName: string, ip: string, port: number, ephemeral: boolean): URLSearchParams {
  return new URLSearchParams({
    serviceName: `${GROUP}@@${serviceName}`,
    groupName: GROUP,
    ip,
    port: String(port),
    ephemeral: String(ephemeral),
  });
}

/**
 * One benchmark "connection" to Tacos: one keep-alive HTTP/1.1 socket speaking the Nacos v1 open
 * API the way the official clients do (service names qualified as `DEFAULT_GROUP@@name`,
 * parameters in the query string).
 */
export class TacosConnection {
  private readonly http: HttpConnection;
  private readonly host: string;

  constructor(endpoint: string) {
    const [host, port] = endpoint.split(':');
    this.host = endpoint;
    this.http = new HttpConnection(host!, Number(port));
  }

  private async call(method: string, path: string): Promise<HttpResponse> {
    const res = await this.http.send(formatRequest(method, path, this.host, undefined, CLIENT_HEADERS));
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`${method} ${path.split('?')[0]}: ${res.status} ${bodyText(res.body).slice(0, 200)}`);
    }
    return res;
  }

  /** POST /nacos/v1/ns/instance; `metadata` is the instance's metadata as a JSON object string. */
  async register(serviceName: string, ip: string, port: number, ephemeral: boolean, metadata?: string): Promise<void> {
    const q = instanceQuery(serviceName, ip, port, ephemeral);
    if (metadata !== undefined) q.set('metadata', metadata);
    await this.call('POST', `${NS}/instance?${q}`);
  }

  /** DELETE /nacos/v1/ns/instance: what a client leaving cleanly does for its instance. */
  async deregister(serviceName: string, ip: string, port: number, ephemeral: boolean): Promise<void> {
    await this.call('DELETE', `${NS}/instance?${instanceQuery(serviceName, ip, port, ephemeral)}`);
  }

  /** GET /nacos/v1/ns/instance/list; resolves with the number of hosts returned. */
  async list(serviceName: string): Promise<number> {
    const q = new URLSearchParams({ serviceName: `${GROUP}@@${serviceName}`, groupName: GROUP });
    const res = await this.call('GET', `${NS}/instance/list?${q}`);
    return hostCount(res.body);
  }

  /** A preformatted instance/list request, for {@link sendRaw}. */
  listRequest(serviceName: string): string {
    const q = new URLSearchParams({ serviceName: `${GROUP}@@${serviceName}`, groupName: GROUP });
    return formatRequest('GET', `${NS}/instance/list?${q}`, this.host, undefined, CLIENT_HEADERS);
  }

  /** Sends a preformatted request; resolves with the body as received (maybe gzip), rejects on a non-2xx status. */
  async sendRaw(request: string): Promise<Buffer> {
    const res = await this.http.send(request);
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`${res.status} ${bodyText(res.body).slice(0, 200)}`);
    }
    return res.body;
  }

  /**
   * A preformatted beat request for one instance; sending the same bytes again is what a client's
   * beat timer does. Use with {@link sendBeat}.
   */
  beatRequest(serviceName: string, ip: string, port: number): string {
    const qualified = `${GROUP}@@${serviceName}`;
    const beat = JSON.stringify({ cluster: 'DEFAULT', ip, port, serviceName: qualified, weight: 1, scheduled: true });
    const q = new URLSearchParams({ serviceName: qualified, groupName: GROUP, beat });
    return formatRequest('PUT', `${NS}/instance/beat?${q}`, this.host, undefined, CLIENT_HEADERS);
  }

  /** PUT /nacos/v1/ns/instance/beat; rejects if the server no longer knows the instance (code 20404). */
  async sendBeat(request: string): Promise<void> {
    const res = await this.http.send(request);
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`beat: ${res.status} ${bodyText(res.body).slice(0, 200)}`);
    }
    if (res.body.includes('20404')) throw new Error('beat: instance not found (20404)');
  }

  close(): void {
    this.http.close();
  }
}

/** The number of hosts in an instance/list answer (plain or gzip). */
export function hostCount(body: Buffer): number {
  const hosts = (JSON.parse(bodyText(body)) as { hosts?: unknown[] }).hosts;
  return hosts?.length ?? 0;
}
