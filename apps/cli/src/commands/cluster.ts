import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Member, type RaftState, TacosClient, TacosClientError, TacosHttpError } from '@tacos/client';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { action, type Context, type Io } from '../context';
import { intArg, portArg } from '../parse';
import { type StopSignal, untilSignal } from '../signals';

interface UpOptions {
  nodes: number;
  basePort: number;
  portStep: number;
  dir?: string;
  wait: number;
  leader: boolean;
}

/** One row of `cluster status`. */
export interface MemberStatus {
  address: string;
  state: string | null;
  role: string | null;
  term: number | null;
  leader: string | null;
  commitIndex: number | null;
  appliedIndex: number | null;
  /** How many committed entries (by the highest commitIndex seen) this member has not applied yet. */
  lag: number | null;
  error?: string;
}

/**
 * `tacos cluster up|status|add|remove`. `up` runs a local dev cluster in the foreground (Ctrl-C stops
 * every node); `status` shows members, state and Raft role/term/leader/lag; `add`/`remove` change the
 * membership through `POST|DELETE /nacos/v1/core/cluster/members?address=`.
 */
export function registerClusterCommands(program: Command, io: Io, binPath: string): void {
  const cluster = program.command('cluster').description('run a local cluster and inspect or change membership');

  cluster
    .command('up')
    .description('start N server processes on 127.0.0.1 as one cluster; Ctrl-C stops them all')
    .option('--nodes <n>', 'number of nodes', intArg(1, 15), 3)
    .option('--base-port <port>', 'port of the first node', portArg, 18848)
    .option('--port-step <n>', 'distance between node ports', intArg(1, 1000), 10)
    .option('--dir <dir>', 'parent of the node data dirs (default: a new temp dir)')
    .option('--wait <ms>', 'how long to wait for readiness and a leader', intArg(1000), 60_000)
    .option('--no-leader', 'do not wait for a Raft leader')
    .action(action<UpOptions>(io, (ctx, opts) => clusterUp(ctx, opts, binPath, io)));

  cluster
    .command('status')
    .description('members, their state, Raft role, term, leader and apply lag')
    .action(action(io, (ctx) => clusterStatus(ctx)));

  for (const verb of ['add', 'remove'] as const) {
    cluster
      .command(verb)
      .description(verb === 'add' ? 'add a member (ip:port) to the cluster' : 'remove a member (ip:port) from the cluster')
      .argument('<address>', 'member address ip:port')
      .action(
        action(io, async (ctx, _opts, [address]) => {
          const client = await leaderFirstClient(ctx);
          try {
            if (verb === 'add') await client.addClusterMember(address!);
            else await client.removeClusterMember(address!);
          } catch (error) {
            if (error instanceof TacosHttpError && (error.status === 404 || error.status === 501)) {
              throw new CliError('REFUSED', `this server does not support membership changes (HTTP ${error.status}: ${error.body.trim()})`, {
                hint: 'membership changes need a Tacos server with cluster support',
                cause: error,
              });
            }
            throw error;
          }
          ctx.out.result({ ok: true, action: verb === 'add' ? 'added' : 'removed', address }, `${verb === 'add' ? 'added' : 'removed'} member ${address}`);
        }),
      );
  }
}

async function clusterStatus(ctx: Context): Promise<void> {
  const client = ctx.client();
  let members: Member[] | undefined;
  let note: string | undefined;
  try {
    members = await client.clusterNodes();
  } catch (error) {
    if (!(error instanceof TacosHttpError && (error.status === 404 || error.status === 501))) throw error;
    try {
      members = (await client.operatorServers()).servers;
    } catch (inner) {
      if (!(inner instanceof TacosHttpError && (inner.status === 404 || inner.status === 501))) throw inner;
      note = 'the server lists no members (no /core/cluster/nodes or /ns/operator/servers); showing the configured servers';
    }
  }
  const addresses = members && members.length > 0 ? members.map((m) => m.address ?? `${m.ip}:${m.port}`) : client.servers.map((s) => s.replace(/^https?:\/\//, ''));
  const states = new Map((members ?? []).map((m) => [m.address ?? `${m.ip}:${m.port}`, m.state]));
  const rows: MemberStatus[] = await Promise.all(
    addresses.map(async (address): Promise<MemberStatus> => {
      const row: MemberStatus = {
        address,
        state: states.get(address) ?? null,
        role: null,
        term: null,
        leader: null,
        commitIndex: null,
        appliedIndex: null,
        lag: null,
      };
      try {
        const raft: RaftState = await ctx.clientFor(address).raftState();
        row.role = raft.role ?? null;
        row.term = raft.term ?? null;
        row.leader = raft.leader ?? null;
        row.commitIndex = raft.commitIndex ?? null;
        row.appliedIndex = raft.appliedIndex ?? null;
      } catch (error) {
        row.error = error instanceof TacosHttpError ? `HTTP ${error.status}: ${error.body.trim()}` : (error as Error).message;
        if (row.state === null && !(error instanceof TacosHttpError)) row.state = 'UNREACHABLE';
      }
      return row;
    }),
  );
  const highest = Math.max(-1, ...rows.map((r) => r.commitIndex ?? -1));
  for (const row of rows) if (row.appliedIndex !== null && highest >= 0) row.lag = Math.max(0, highest - row.appliedIndex);
  const leaders = [...new Set(rows.map((r) => r.leader).filter((l): l is string => typeof l === 'string' && l !== ''))];
  ctx.out.data<MemberStatus>(
    { leader: leaders.length === 1 ? leaders[0] : null, members: rows },
    [
      { header: 'ADDRESS', value: (r) => r.address, keep: true },
      { header: 'STATE', value: (r) => r.state, style: (t, r) => ctx.out.paint(r.state === 'UP' ? 'green' : 'yellow', t) },
      { header: 'ROLE', value: (r) => r.role, style: (t, r) => (r.role === 'LEADER' ? ctx.out.paint('bold', t) : t) },
      { header: 'TERM', value: (r) => r.term },
      { header: 'LEADER', value: (r) => r.leader },
      { header: 'COMMIT', value: (r) => r.commitIndex },
      { header: 'APPLIED', value: (r) => r.appliedIndex },
      { header: 'LAG', value: (r) => r.lag },
    ],
    rows,
  );
  if (note) ctx.out.info(`note: ${note}`);
  if (ctx.out.format === 'table') {
    for (const row of rows) if (row.error) ctx.out.info(`${row.address}: raft state unavailable (${row.error})`);
    if (leaders.length > 1) ctx.out.warn(`members disagree on the leader: ${leaders.join(', ')}`);
  }
  if (rows.every((r) => r.state === 'UNREACHABLE')) {
    throw new CliError('UNREACHABLE', `no member answered: ${rows.map((r) => `${r.address} (${r.error})`).join(', ')}`);
  }
}

interface Node {
  index: number;
  address: string;
  url: string;
  dataDir: string;
  logFile: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  exitCode: number | null | undefined;
  tail: string;
}

async function clusterUp(ctx: Context, opts: UpOptions, binPath: string, io: Io): Promise<void> {
  const out = ctx.out;
  const ports = Array.from({ length: opts.nodes }, (_, i) => opts.basePort + i * opts.portStep);
  if (ports[ports.length - 1]! > 65535) throw new CliError('USAGE', `ports ${ports[0]}..${ports[ports.length - 1]} go past 65535`);
  // A node whose port is taken would fail, and the readiness probe would reach the other process.
  for (const port of ports) {
    if (!(await isPortFree(port))) {
      throw new CliError('REFUSED', `port 127.0.0.1:${port} is already in use`, {
        hint: 'stop what listens there or choose another --base-port / --port-step',
      });
    }
  }
  const root = opts.dir ? resolve(opts.dir) : mkdtempSync(join(tmpdir(), 'tacos-cluster-'));
  mkdirSync(root, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  const secretFile = join(root, 'cluster-secret');
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  const members = ports.map((port) => `127.0.0.1:${port}`).join(',');
  const stop = untilSignal();
  const nodes: Node[] = [];
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(io.env)) if (!key.startsWith('TACOS_')) env[key] = value;

  // The Node flags every server runs with, loaded here only: other commands need not load the server.
  const { SERVER_NODE_FLAGS } = require('@tacos/server') as typeof import('@tacos/server');
  try {
    out.info(`starting ${opts.nodes} node(s) on 127.0.0.1 (ports ${ports.join(', ')}), data under ${root}`);
    for (const [index, port] of ports.entries()) {
      const dataDir = join(root, `node-${index + 1}`);
      mkdirSync(dataDir, { recursive: true });
      const args = [...SERVER_NODE_FLAGS, binPath, 'server', 'start', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir];
      if (opts.nodes > 1) args.push('--members', members, '--cluster-secret', secret);
      nodes.push(launch(index, port, dataDir, args, env));
    }
    await waitReady(nodes, opts.wait, out, stop);
    if (stop.stopped) return;
    if (opts.leader) await waitLeader(nodes, opts.wait, out, stop);
    if (stop.stopped) return;

    const summary = nodes.map((n) => ({ address: n.address, url: n.url, pid: n.child.pid ?? null, dataDir: n.dataDir, log: n.logFile }));
    out.data(
      { nodes: summary, members, secretFile },
      [
        { header: 'NODE', value: (n: (typeof summary)[number]) => n.url },
        { header: 'PID', value: (n: (typeof summary)[number]) => n.pid },
        { header: 'DATA DIR', value: (n: (typeof summary)[number]) => n.dataDir },
      ],
      summary,
    );
    out.info(`cluster is up: --server ${members}\ncluster secret in ${secretFile}; press Ctrl-C to stop all nodes`);

    // Run until a signal; a node that dies is reported and the others keep running.
    const watching = nodes.map((node) =>
      node.exited.then((code) => {
        if (!stop.stopped) out.warn(`node ${node.address} exited (code ${code}); its log: ${node.logFile}`);
      }),
    );
    await Promise.race([stop.promise, Promise.all(watching)]);
    if (!stop.stopped) throw new CliError('REFUSED', 'every node exited');
  } finally {
    stop.dispose();
    await stopAll(nodes, out);
  }
}

function launch(index: number, port: number, dataDir: string, args: string[], env: NodeJS.ProcessEnv): Node {
  const logFile = join(dataDir, 'server.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const node: Node = {
    index,
    address: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    logFile,
    child,
    exitCode: undefined,
    tail: '',
    exited: Promise.resolve(null),
  };
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    node.tail = (node.tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  node.exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      node.exitCode = code ?? (signal ? 128 : null);
      log.end();
      resolveExit(node.exitCode);
    });
  });
  return node;
}

async function waitReady(nodes: Node[], timeoutMs: number, out: Context['out'], stop: StopSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(nodes);
  const started = Date.now();
  while (pending.size > 0 && !stop.stopped) {
    for (const node of [...pending]) {
      if (node.exitCode !== undefined) {
        throw new CliError('REFUSED', `node ${node.address} exited with code ${node.exitCode} before it was ready:\n${node.tail.trim()}`, {
          hint: `full log: ${node.logFile}`,
        });
      }
      if ((await isReady(node.url)) && node.exitCode === undefined) {
        pending.delete(node);
        out.progress(`ready ${node.address} (${((Date.now() - started) / 1000).toFixed(1)} s)`, nodes.length - pending.size, nodes.length);
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      throw new CliError('REFUSED', `not ready after ${timeoutMs} ms: ${[...pending].map((n) => n.address).join(', ')}`, {
        hint: `see the logs: ${[...pending].map((n) => n.logFile).join(', ')}`,
      });
    }
    if (await stop.sleep(200)) break;
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    await new TacosClient({ servers: url, timeoutMs: 1000 }).readiness();
    return true;
  } catch {
    return false;
  }
}

async function waitLeader(nodes: Node[], timeoutMs: number, out: Context['out'], stop: StopSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let round = 0;
  while (!stop.stopped) {
    round++;
    const leaders = new Set<string>();
    for (const node of nodes) {
      try {
        const state = await new TacosClient({ servers: node.url, timeoutMs: 1000 }).raftState();
        if (typeof state.leader === 'string' && state.leader !== '') leaders.add(state.leader);
      } catch (error) {
        if (error instanceof TacosHttpError && (error.status === 404 || error.status === 501)) {
          out.info('note: the server does not report Raft state; not waiting for a leader');
          return;
        }
        if (!(error instanceof TacosClientError)) throw error;
      }
    }
    if (leaders.size === 1) {
      out.info(`leader: ${[...leaders][0]}`);
      return;
    }
    if (round % 10 === 1) out.progress('waiting for a leader', round);
    if (Date.now() > deadline) throw new CliError('REFUSED', `no leader after ${timeoutMs} ms`, { hint: 'see the node logs' });
    if (await stop.sleep(200)) return;
  }
}

async function stopAll(nodes: Node[], out: Context['out']): Promise<void> {
  const running = nodes.filter((n) => n.exitCode === undefined);
  if (running.length === 0) return;
  out.info(`stopping ${running.length} node(s)`);
  for (const node of running) node.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const node of running) if (node.exitCode === undefined) node.child.kill('SIGKILL');
  }, 10_000);
  await Promise.all(running.map((n) => n.exited));
  clearTimeout(timer);
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const probe = createServer();
    probe.once('error', () => resolveFree(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolveFree(true)));
  });
}

/**
 * A client whose server list starts with the Raft leader (as the first reachable configured server
 * reports it), since only the leader accepts membership changes; the configured list follows.
 */
async function leaderFirstClient(ctx: Context): Promise<TacosClient> {
  const servers = ctx.servers();
  try {
    const leader = (await ctx.client().raftState()).leader;
    if (typeof leader === 'string' && leader !== '') return ctx.clientFor([`http://${leader}`, ...servers].join(','));
  } catch (error) {
    // No raft state (standalone, older server): use the list as given; the change itself reports why.
    if (!(error instanceof TacosClientError)) throw error;
  }
  return ctx.client();
}
