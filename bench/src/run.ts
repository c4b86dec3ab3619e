// `npm run bench [-- --quick]`: Tacos side by side with etcd and ZooKeeper on this machine.
// Servers run on core 0, this process (the load generator) on core 1. See bench/README.md.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startBaseline } from './baseline';
import { ensurePeers, type PeerAvailability } from './install';
import { runClosedLoop } from './loop';
import { describeMachine, machineLine } from './machine';
import { measureMemory, type MemoryResult } from './memory';
import { type BenchOptions, parseOptions, USAGE } from './options';
import { startEtcd } from './peers/etcd';
import { startTacosServers, tacosUnavailable } from './peers/tacos';
import { startZooKeeper } from './peers/zookeeper';
import { canPin, type ManagedProcess, ProcessGroup } from './procs';
import { GENERATOR_BOUND_NOTE, type Measurement, renderMemory, renderRows, type Row, summarize, toMeasurement } from './report';
import { median } from './stats';
import { evaluateTargets, renderTargets } from './targets';
import { formatLatency, formatRate } from './table';
import { PAIRS, type Pair, type Subject, type System, type Topology } from './scenarios';

const SERVER_CPU = '0';
const GENERATOR_CPU = '1';
const PINNED_ENV = 'TACOS_BENCH_PINNED';
/** Shown in the Tacos column of 3-node rows until the server has cluster mode. */
export const TACOS_CLUSTER_NA = 'n/a (cluster mode not implemented yet)';
/** Bound on connecting and creating fixtures for one measurement. */
const PREPARE_TIMEOUT_MS = 30_000;

const started = Date.now();
/** Console output, each line stamped with the seconds since start (to see where the time goes). */
const log = (line: string) => console.log(line === '' ? '' : `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
/** Set on Ctrl-C / SIGTERM: servers exiting then are expected, not crashes to report. */
let shuttingDown = false;

/** Endpoints of a running system, or why it isn't running. */
type Running = { endpoints: string[]; members: ManagedProcess[]; stop(): Promise<void> } | { unavailable: string };

/** Restarts allowed per system and topology after a server crashed mid-benchmark. */
const MAX_RESTARTS = 2;

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Starts a system, on fresh ports again (3 tries in all) when a port it picked was taken before it bound it. */
async function startSystem(
  system: System,
  size: number,
  group: ProcessGroup,
  availability: PeerAvailability,
  options: BenchOptions,
): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSystemOnce(system, size, group, availability, options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const what = `${system} (${size} node${size > 1 ? 's' : ''})`;
      // Free ports are picked before the servers bind them; an outgoing connection can take one
      // from the same ephemeral range in between.
      if (attempt < START_ATTEMPTS && PORT_TAKEN.test(message)) {
        log(`${what}: a port was taken before the server bound it; starting again on fresh ports`);
        continue;
      }
      log(`${what} failed to start: ${message}`);
      return { unavailable: `not run: failed to start (${message.split('\n')[0]})` };
    }
  }
}

const START_ATTEMPTS = 3;
const PORT_TAKEN = /address already in use|EADDRINUSE|is already in use/i;

async function startSystemOnce(
  system: System,
  size: number,
  group: ProcessGroup,
  availability: PeerAvailability,
  options: BenchOptions,
): Promise<Running> {
  if (system === 'Tacos') {
    const missing = tacosUnavailable();
    if (missing) return { unavailable: `not run: ${missing}` };
    if (size > 1 && !options.tacosCluster) return { unavailable: TACOS_CLUSTER_NA };
    try {
      return await startTacosServers(group, size, SERVER_CPU);
    } catch (error) {
      // A build without cluster mode refuses --members at start-up: that is "not yet", not a failure.
      if (size > 1 && /cluster mode .*not available/i.test(String((error as Error).message))) {
        return { unavailable: TACOS_CLUSTER_NA };
      }
      throw error;
    }
  }
  if (!options.peers) return { unavailable: 'skipped (--no-peers)' };
  const ok = system === 'etcd' ? availability.etcd : availability.zookeeper;
  if (ok !== true) return { unavailable: `not run: ${ok}` };
  return system === 'etcd'
    ? await startEtcd(group, size, SERVER_CPU)
    : await startZooKeeper(group, size, SERVER_CPU);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let measurementCounter = 0;

/** Prepares connections and fixtures, runs the bounded closed loop, closes everything. Never throws. */
async function measure(subject: Subject, endpoints: string[], connections: number, options: BenchOptions) {
  const tag = `m${++measurementCounter}`;
  let prepared: Awaited<ReturnType<Subject['prepare']>> | undefined;
  const preparing = subject.prepare(endpoints, connections, tag);
  try {
    prepared = await withTimeout(preparing, PREPARE_TIMEOUT_MS, `${subject.system} set-up`);
    const result = await runClosedLoop(prepared.op, {
      connections,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      maxOps: options.maxOps,
    });
    return toMeasurement(result);
  } catch (error) {
    // A set-up that timed out may still finish later: its connections are closed then.
    if (!prepared) void preparing.then((late) => late.close()).catch(() => undefined);
    const failed: Measurement = {
      opsPerSec: 0,
      ops: 0,
      errors: 1,
      elapsedMs: 0,
      p50Ms: Number.NaN,
      p99Ms: Number.NaN,
      maxMs: Number.NaN,
      stoppedBy: 'errors',
      firstError: error instanceof Error ? error.message : String(error),
    };
    return failed;
  } finally {
    await prepared?.close().catch(() => undefined);
  }
}

function rate(m: Measurement | undefined): string {
  if (!m) return '-';
  if (m.ops === 0 || m.stoppedBy === 'errors' || m.stoppedBy === 'stuck') {
    return `failed (${m.stoppedBy}: ${m.firstError ?? '?'})`;
  }
  const cpu = m.generatorCpu === undefined ? '' : ` (gen ${Math.round(m.generatorCpu * 100)}%)`;
  return `${Math.round(m.opsPerSec).toLocaleString('en-US')}/s${cpu}`;
}

/**
 * Runs `fn` with every other system's processes paused (SIGSTOP), resuming them after, when `pause`
 * is set. A system's background work (etcd revoking the leases of an earlier scenario took 10-12 %
 * of the server core for a minute at a time; ZooKeeper's snapshots; Tacos' own) then only ever slows
 * its own figures, never those of whichever system happens to be measured meanwhile. Only for single
 * servers: members of a paused 3-node etcd or ZooKeeper found their peer connections timed out on
 * SIGCONT and the next rows failed.
 */
async function alone<T>(pause: boolean, system: System, running: Record<System, Running>, fn: () => Promise<T>): Promise<T> {
  if (!pause) return fn();
  const others = (Object.keys(running) as System[]).filter((s) => s !== system).flatMap((s) => {
    const r = running[s];
    return 'members' in r ? r.members : [];
  });
  for (const p of others) p.pause();
  try {
    return await fn();
  } finally {
    for (const p of others) p.resume();
  }
}

/** Runs every selected pair at every connection count, `runs` times, Tacos then its peers back to back. */
async function measureTopology(
  topology: Topology,
  running: Record<System, Running>,
  connections: number[],
  pairs: readonly Pair[],
  options: BenchOptions,
  rows: Row[],
  restart: (system: System) => Promise<Running>,
): Promise<void> {
  const restarts: Partial<Record<System, number>> = {};
  const pauseOthers = topology === 'standalone';
  // A server that crashed under load is reported with its last output, then started afresh (a few
  // times at most) so the remaining scenarios still get figures.
  const checkAlive = async (system: System) => {
    if (shuttingDown) return;
    const r = running[system];
    if (!('members' in r)) return;
    const dead = r.members.find((m) => m.hasExited());
    if (!dead) return;
    log(`${system} (${topology}): ${dead.name} exited during the benchmark; its last output:\n${tail(dead.output(), 15)}`);
    await r.stop();
    const n = (restarts[system] ?? 0) + 1;
    restarts[system] = n;
    running[system] = n <= MAX_RESTARTS ? await restart(system) : { unavailable: 'not run: crashed repeatedly' };
  };
  const rowOf = new Map<string, Row>();
  for (const pair of pairs) {
    for (const c of connections) {
      for (const peer of pair.peers) {
        const tacos = running.Tacos;
        const other = running[peer.system];
        const row: Row = {
          scenario: pair.title,
          topology,
          connections: c,
          tacosLabel: pair.tacos.label,
          peer: peer.system,
          peerLabel: peer.label,
          samples: [],
          tacosNote: 'unavailable' in tacos ? tacos.unavailable : undefined,
          peerNote: 'unavailable' in other ? other.unavailable : undefined,
        };
        rowOf.set(`${pair.id}/${c}/${peer.system}`, row);
        rows.push(row);
      }
    }
  }
  for (let run = 1; run <= options.runs; run++) {
    for (const pair of pairs) {
      for (const c of connections) {
        for (const system of ['Tacos', ...pair.peers.map((p) => p.system)] as System[]) await checkAlive(system);
        const tacos = running.Tacos;
        // Tacos first, then each peer straight after, so each ratio compares neighbours in time.
        const tacosM = 'endpoints' in tacos ? await alone(pauseOthers, 'Tacos', running, () => measure(pair.tacos, tacos.endpoints, c, options)) : undefined;
        const parts = [`Tacos ${rate(tacosM)}`];
        for (const peer of pair.peers) {
          const other = running[peer.system];
          const peerM = 'endpoints' in other ? await alone(pauseOthers, peer.system, running, () => measure(peer, other.endpoints, c, options)) : undefined;
          await checkAlive(peer.system);
          rowOf.get(`${pair.id}/${c}/${peer.system}`)!.samples.push({ run, tacos: tacosM, peer: peerM });
          parts.push(`${peer.system} ${peer.label} ${rate(peerM)}`);
        }
        log(`[run ${run}/${options.runs}] ${topology} ${pair.title}, ${c} conn: ${parts.join(' | ')}`);
      }
    }
  }
}

/** The node:http ceiling measured at the largest connection count. */
interface BaselineResult {
  connections: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  runs: Measurement[];
}

async function measureBaseline(group: ProcessGroup, options: BenchOptions): Promise<BaselineResult | undefined> {
  const connections = Math.max(...options.connections);
  try {
    const server = await startBaseline(group, SERVER_CPU);
    const runs: Measurement[] = [];
    try {
      for (let run = 1; run <= options.runs; run++) {
        const { op, close } = server.open(connections);
        try {
          runs.push(
            toMeasurement(
              await runClosedLoop(op, {
                connections,
                warmupMs: options.warmupMs,
                durationMs: options.durationMs,
                maxOps: options.maxOps,
              }),
            ),
          );
        } finally {
          close();
        }
      }
    } finally {
      await server.stop();
    }
    const result: BaselineResult = {
      connections,
      opsPerSec: median(runs.map((m) => m.opsPerSec)),
      p50Ms: median(runs.map((m) => m.p50Ms)),
      p99Ms: median(runs.map((m) => m.p99Ms)),
      runs,
    };
    log(baselineLine(result));
    return result;
  } catch (error) {
    log(`ceiling: node:http baseline failed: ${(error as Error).message}`);
    return undefined;
  }
}

function baselineLine(b: BaselineResult): string {
  return (
    `Ceiling: a trivial node:http route on the server core answers ${formatRate(b.opsPerSec)} requests/s ` +
    `at ${b.connections} connections (p50/p99 ${formatLatency(b.p50Ms, b.p99Ms)} ms), as driven by this load generator.`
  );
}

async function stopAll(running: Record<System, Running>): Promise<void> {
  await Promise.all(Object.values(running).map((r) => ('stop' in r ? r.stop() : undefined)));
}

async function bench(options: BenchOptions, group: ProcessGroup, pinned: boolean): Promise<number> {
  const startedAt = new Date();
  log(
    `Tacos benchmark (${options.quick ? 'quick mode: 1 run per figure, short measurements' : `${options.runs} run${options.runs > 1 ? 's' : ''} per figure, median reported`})`,
  );
  const availability: PeerAvailability = options.peers
    ? ensurePeers(log)
    : { etcd: 'skipped (--no-peers)', zookeeper: 'skipped (--no-peers)' };
  if (!options.peers) log('peers: skipped (--no-peers)');
  const machine = describeMachine(pinned);
  log(`machine: ${machineLine(machine)}`);
  if (machine.loadAverageAtStart > 0.5) {
    log('note: the machine is busy (load average above 0.5); absolute figures are noisy, ratios within a run count');
  }

  const baseline = await measureBaseline(group, options);
  const pairs = options.only.length > 0 ? PAIRS.filter((p) => options.only.includes(p.id)) : PAIRS;
  const rows: Row[] = [];
  const systems: System[] = ['Tacos', 'etcd', 'ZooKeeper'];

  const topologies: [Topology, number, number[]][] = [['standalone', 1, options.connections]];
  if (options.clusters) topologies.push(['3 nodes', 3, options.clusterConnections]);
  for (const [topology, size, connections] of topologies) {
    log(`starting ${topology} servers...`);
    const running = {} as Record<System, Running>;
    for (const system of systems) running[system] = await startSystem(system, size, group, availability, options);
    for (const system of systems) {
      const r = running[system];
      log(`  ${system}: ${'endpoints' in r ? r.endpoints.join(', ') : r.unavailable}`);
    }
    try {
      await measureTopology(topology, running, connections, pairs, options, rows, (system) =>
        startSystem(system, size, group, availability, options),
      );
    } finally {
      await stopAll(running);
    }
  }

  let memory: MemoryResult | undefined;
  if (options.memoryTargets.length > 0) {
    const missing = tacosUnavailable();
    if (missing) {
      log(`memory: not run: ${missing}`);
      memory = { points: [], note: `not run: ${missing}` };
    } else {
      log('memory: fresh standalone Tacos, registering ephemeral instances over 64 connections...');
      memory = await measureMemory(group, options.memoryTargets, options.memoryTimeMs, SERVER_CPU, log).catch(
        (error: Error) => ({ points: [], note: `failed: ${error.message.split('\n')[0]}` }),
      );
    }
  }

  const finishedAt = new Date();
  const summaries = rows.map(summarize);
  const header = options.quick
    ? 'Quick mode: ONE run per figure (not a median), short measurements.'
    : `Each figure is the median of ${options.runs} run${options.runs > 1 ? 's' : ''}; ratios are taken within each run, then the median.`;
  console.log('');
  console.log(header);
  console.log(renderRows(summaries));
  if (summaries.some((r) => r.tacos?.generatorBound || r.peerFigure?.generatorBound)) console.log(GENERATOR_BOUND_NOTE);
  if (baseline) console.log(`\n${baselineLine(baseline)}`);
  if (memory) {
    console.log('');
    console.log(renderMemory(memory.baselineRss, memory.points));
    if (memory.oldestServiceListed !== undefined) {
      console.log(`(the first service registered still lists ${memory.oldestServiceListed} of 100 instances)`);
    }
    if (memory.note) console.log(`memory: ${memory.note}`);
  }
  const targets = evaluateTargets(summaries, memory?.points);
  console.log(`\nTargets of issue 8:\n${renderTargets(targets)}`);
  const loadAtEnd = loadavg()[0] ?? 0;
  console.log(`\nload average at end: ${loadAtEnd.toFixed(2)}; wall time ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s`);

  const report = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    mode: options.quick ? 'quick' : 'full',
    options,
    machine: { ...machine, loadAverageAtEnd: loadAtEnd },
    peers: availability,
    baseline,
    rows: summaries.map((s, i) => ({ ...s, samples: rows[i]!.samples })),
    memory,
    targets,
  };
  const outDir = options.outDir ?? resolve(__dirname, '..', 'results');
  mkdirSync(outDir, { recursive: true });
  const json = `${JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
  const file = join(outDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(outDir, 'latest.json'), json);
  const markdown = [
    `Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machineLine(machine)}. ${header}`,
    '',
    renderRows(summaries, true),
    '',
    baseline ? `${baselineLine(baseline)}\n` : '',
    memory ? `${renderMemory(memory.baselineRss, memory.points, true)}\n` : '',
    renderTargets(targets, true),
  ].join('\n');
  writeFileSync(join(outDir, 'latest.md'), `${markdown}\n`);
  log(`wrote ${file} (and latest.json, latest.md)`);
  return 0;
}

/** Re-runs this script under `taskset -c 1` so the load generator stays off the servers' core. */
function reexecPinned(): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn('taskset', ['-c', GENERATOR_CPU, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, [PINNED_ENV]: '1' },
    });
    // Signals sent to this process are passed on; the child stops its servers and exits (a second
    // Ctrl-C from the terminal reaching the child directly is harmless: stopping is idempotent).
    process.on('SIGINT', () => child.kill('SIGINT'));
    process.on('SIGTERM', () => child.kill('SIGTERM'));
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 130 : 1)));
  });
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const pin = canPin();
  if (pin && process.env[PINNED_ENV] !== '1') return reexecPinned();

  const group = new ProcessGroup(pin);
  const shutdown = (code: number) => {
    shuttingDown = true;
    void group.stopAll().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => {
    console.error('\ninterrupted: stopping servers...');
    shutdown(130);
  });
  process.on('SIGTERM', () => shutdown(143));
  process.on('exit', () => group.killAllNow());
  try {
    return await bench(options, group, pin);
  } catch (error) {
    console.error(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await group.stopAll();
  }
}

void main().then((code) => {
  process.exitCode = code;
  // Leftover client sockets or timers must not keep the process alive once the report is written.
  setTimeout(() => process.exit(code), 2_000).unref();
});
