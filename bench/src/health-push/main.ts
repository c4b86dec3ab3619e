// `node bench/dist/health-push/main.js [--quick] [--json FILE]`: the figures of issue 5 (health and
// push at scale) against a real Tacos process on 127.0.0.1:
//   1. beats/s sustained with N beating instances (each every 5 s) and the server's event-loop delay
//      p99 meanwhile, plus the closed-loop maximum; the beat tracker alone, in process;
//   2. RSS per 100,000 instances;
//   3. change → all of S SSE streams / S UDP subscribers (p50/p99 over the changes).
// The server runs on core 0 and this generator on core 1 when taskset and two cores exist.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { getText } from '../http-get';
import { startTacosServers } from '../peers/tacos';
import { canPin, ProcessGroup, rssBytes } from '../procs';
import { beatRequest, ConnectionPool, maxBeats, pacedBeats, registerAll } from './beats';
import { type FanoutResult, sseFanout, udpFanout } from './fanout';
import { measureTracker } from './tracker';

const PINNED_ENV = 'TACOS_HP_BENCH_PINNED';
const BEAT_PERIOD_MS = 5000;

interface Settings {
  instances: number;
  pacedMs: number;
  maxMs: number;
  subscribers: number;
  changes: number;
  connections: number;
  depth: number;
}

const FULL: Settings = { instances: 100_000, pacedMs: 20_000, maxMs: 8000, subscribers: 1000, changes: 20, connections: 64, depth: 4 };
const QUICK: Settings = { instances: 10_000, pacedMs: 4000, maxMs: 2000, subscribers: 200, changes: 5, connections: 32, depth: 4 };

const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

async function loopDelay(base: string, reset: boolean): Promise<LoopDelay> {
  const body = await getText(`${base}/nacos/v1/ns/operator/metrics?resetLoopDelay=${reset}`, 10_000);
  return (JSON.parse(body) as { loopDelay: LoopDelay }).loopDelay;
}

async function healthyCount(base: string, services: number): Promise<{ total: number; healthy: number }> {
  const body = await getText(`${base}/nacos/v1/ns/catalog/services?withInstances=false&hasIpCount=true&pageNo=1&pageSize=${services + 10}&serviceNameParam=hb-`, 10_000);
  const rows = (JSON.parse(body) as { serviceList: Array<{ ipCount: number; healthyInstanceCount: number }> }).serviceList;
  let total = 0;
  let healthy = 0;
  for (const r of rows) {
    total += r.ipCount;
    healthy += r.healthyInstanceCount;
  }
  return { total, healthy };
}

const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function fanoutLine(kind: string, r: FanoutResult): string {
  return `${kind}: ${r.subscribers} subscribers × ${r.changes} changes → all have it p50 ${r.allHaveIt.p50} ms, p99 ${r.allHaveIt.p99} ms (max ${r.allHaveIt.max}); per delivery p50 ${r.each.p50} ms, p99 ${r.each.p99} ms; missing ${r.missing}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: node bench/dist/health-push/main.js [--quick] [--json FILE]');
    return;
  }
  const quick = args.includes('--quick');
  const jsonIndex = args.indexOf('--json');
  const jsonPath = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
  const s = quick ? QUICK : FULL;
  const pinned = process.env[PINNED_ENV] === '1';
  if (!pinned && canPin()) {
    // Re-run this script on core 1; the server goes to core 0.
    const child = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, __filename, ...args], {
      stdio: 'inherit',
      env: { ...process.env, [PINNED_ENV]: '1' },
    });
    process.exitCode = child.status ?? 1;
    return;
  }
  log(`health-push bench (${quick ? 'quick' : 'full'}): ${fmt(s.instances)} instances, beat period ${BEAT_PERIOD_MS} ms, ${s.subscribers} subscribers, ${s.changes} changes; ${pinned ? 'server core 0, generator core 1' : 'unpinned'}; load average ${loadavg()[0]?.toFixed(2)}`);

  const results: Record<string, unknown> = { quick, settings: s, loadAverage: loadavg()[0] };

  // 1a. The tracker alone.
  log('beat tracker in process (no HTTP)…');
  const tracker = await measureTracker(s.instances, BEAT_PERIOD_MS, s.maxMs, Math.min(s.pacedMs, 10_000));
  results.tracker = tracker;
  log(
    `tracker: max ${fmt(tracker.maxRate)} beats/s; paced ${fmt(tracker.pacedRate)} beats/s (target ${fmt((s.instances * 1000) / BEAT_PERIOD_MS)}), loop delay p99 ${tracker.pacedLoopDelayP99Ms.toFixed(1)} ms, max ${tracker.pacedLoopDelayMaxMs.toFixed(1)} ms; lost ${tracker.lost}`,
  );

  const group = new ProcessGroup(pinned);
  const stopAll = () => {
    void group.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  try {
    const servers = await startTacosServers(group, 1, '0');
    const endpoint = servers.endpoints[0]!;
    const [host, portText] = endpoint.split(':');
    const port = Number(portText);
    const base = `http://${endpoint}`;
    const pid = servers.members[0]!.child.pid!;
    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = rssBytes(pid) ?? 0;

    // 2. Registration and RSS.
    const pool = new ConnectionPool(host!, port, s.connections, s.depth);
    log(`registering ${fmt(s.instances)} ephemeral instances…`);
    const regStart = performance.now();
    const regErrors = await registerAll(pool, s.instances, quick ? 60_000 : 300_000);
    const regMs = performance.now() - regStart;
    const rssAfter = rssBytes(pid) ?? 0;
    const rssPer100k = ((rssAfter - rssBefore) * 100_000) / s.instances;
    results.registration = { ms: regMs, rate: (s.instances * 1000) / regMs, errors: regErrors };
    results.rss = { before: rssBefore, after: rssAfter, per100k: rssPer100k };
    log(`registered in ${(regMs / 1000).toFixed(1)} s (${fmt((s.instances * 1000) / regMs)}/s, ${regErrors} errors); RSS ${mib(rssBefore)} → ${mib(rssAfter)}: ${mib(rssPer100k)} per 100,000 instances`);

    // 1b. Beats over HTTP.
    const requests = Array.from({ length: s.instances }, (_, n) => beatRequest(pool, n));
    await loopDelay(base, true);
    log(`paced beats for ${s.pacedMs / 1000} s at ${fmt((s.instances * 1000) / BEAT_PERIOD_MS)}/s…`);
    const paced = await pacedBeats(pool, requests, BEAT_PERIOD_MS, s.pacedMs);
    const pacedDelay = await loopDelay(base, true);
    const health = await healthyCount(base, Math.ceil(s.instances / 100));
    results.paced = { ...paced, loopDelay: pacedDelay, health };
    log(
      `paced: ${fmt(paced.rate)} beats/s answered of ${fmt(paced.targetRate ?? 0)} asked (backlog ${fmt(paced.backlog)}, errors ${paced.errors}); server loop delay p50 ${pacedDelay.p50} ms, p99 ${pacedDelay.p99} ms, max ${pacedDelay.max} ms; healthy ${fmt(health.healthy)}/${fmt(health.total)}`,
    );
    log(`closed-loop beats for ${s.maxMs / 1000} s (${s.connections} connections × ${s.depth} in flight)…`);
    const max = await maxBeats(pool, requests, s.maxMs);
    const maxDelay = await loopDelay(base, true);
    results.max = { ...max, loopDelay: maxDelay };
    log(`max: ${fmt(max.rate)} beats/s (errors ${max.errors}); server loop delay p99 ${maxDelay.p99} ms, max ${maxDelay.max} ms`);
    pool.close();

    // 3. Fan-out (the beat load is over; the N instances stay registered and are beaten no more).
    log(`SSE fan-out: ${s.subscribers} streams…`);
    const sse = await sseFanout(host!, port, s.subscribers, s.changes);
    results.sse = sse;
    log(fanoutLine('SSE', sse));
    log(`UDP fan-out: ${s.subscribers} subscribers…`);
    const udp = await udpFanout(host!, port, s.subscribers, s.changes);
    results.udp = udp;
    log(fanoutLine('UDP', udp));
    const push = JSON.parse(await getText(`${base}/nacos/v1/ns/operator/push/state`)) as Record<string, number>;
    results.pushState = push;
    log(`push/state: succeed ${push.succeed}, total ${push.total}, ratio ${push.ratio}`);
  } finally {
    await group.stopAll();
  }

  console.log('');
  console.log('## Health and push figures');
  console.log('');
  console.log(JSON.stringify(results, null, 2));
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
