/**
 * Throughput of an in-memory 3-member cluster driven synchronously (no timers, no disk): how many
 * commands per second the pure core commits, with one command per round of AppendEntries and with
 * batches (group commit). Prints figures; not a pass/fail test.
 *
 * Run: `npx tsc -p tsconfig.build.json && node dist/bench/sim-throughput.js [seconds]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStorage } from '../lmdb-storage';
import { RaftNode } from '../raft-node';
import { RawNode } from '../raw-node';
import { MemoryStorage } from '../storage';
import { InMemoryNetwork } from '../transport';
import { ENTRY_TYPES, encodeConfState, type Message } from '../types';

function cluster(ids: string[]) {
  let seed = 1;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  return ids.map((id) => {
    const storage = new MemoryStorage();
    storage.saveSync({
      entries: [{ term: 1, index: 1, type: ENTRY_TYPES.CONFIG, data: encodeConfState({ voters: ids, learners: [] }) }],
      hardState: { term: 1, vote: '', commit: 1 },
    });
    return { id, storage, raw: new RawNode({ id, storage, electionTicks: 10, heartbeatTicks: 1, random }), applied: 0 };
  });
}

type Member = ReturnType<typeof cluster>[number];

/** Persist, send, apply, advance for everyone until no message is left. */
function stabilize(members: Member[]): void {
  const byId = new Map(members.map((m) => [m.id, m]));
  let outbox: Message[] = [];
  for (;;) {
    for (const m of members) {
      while (m.raw.hasReady()) {
        const rd = m.raw.ready();
        m.storage.saveSync({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
        outbox.push(...rd.messages);
        m.applied += rd.committedEntries.filter((e) => e.type === ENTRY_TYPES.COMMAND).length;
        m.raw.advance(rd);
      }
    }
    if (outbox.length === 0) return;
    const batch = outbox;
    outbox = [];
    for (const msg of batch) byId.get(msg.to)!.raw.step(msg);
  }
}

function run(batch: number, seconds: number): number {
  const members = cluster(['a', 'b', 'c']);
  members[0].raw.campaign();
  stabilize(members);
  const leader = members[0];
  const payload = new Uint8Array(64);
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    const cmds = Array.from({ length: batch }, () => payload);
    leader.raw.propose(...cmds);
    stabilize(members);
    // Keep memory bounded: compact everyone's log behind what they applied.
    if (leader.raw.raft.log.applied - leader.storage.firstIndex() > 2000) {
      for (const m of members) {
        const idx = m.raw.raft.log.applied;
        const term = m.raw.raft.log.term(idx)!;
        m.storage.compactSync({ meta: { index: idx, term, confState: m.raw.raft.confState() }, data: new Uint8Array(0) }, idx);
      }
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return leader.applied / secs;
}

/** One member on LMDB (real fsync): sequential proposals vs many concurrent ones (group commit). */
async function lmdb(concurrent: number, total: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'raft-bench-'));
  const node = new RaftNode({
    id: 'a',
    peers: ['a'],
    storage: await LmdbStorage.open(dir),
    transport: new InMemoryNetwork().transport('a'),
    stateMachine: { apply: () => null, snapshot: () => new Uint8Array(0), restore: () => {} },
  });
  await node.start();
  const payload = new Uint8Array(64);
  const start = process.hrtime.bigint();
  for (let done = 0; done < total; done += concurrent) {
    await Promise.all(Array.from({ length: concurrent }, () => node.propose(payload)));
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
  return total / secs;
}

/** Three RaftNodes (drivers, timers, codec) over the in-memory network: real promises end to end. */
async function drivers(concurrent: number, total: number): Promise<number> {
  const net = new InMemoryNetwork();
  const ids = ['a', 'b', 'c'];
  const nodes = ids.map(
    (id) =>
      new RaftNode({
        id,
        peers: ids,
        storage: new MemoryStorage(),
        transport: net.transport(id),
        stateMachine: { apply: () => null, snapshot: () => new Uint8Array(0), restore: () => {} },
        tickMs: 10,
      }),
  );
  await Promise.all(nodes.map((n) => n.start()));
  while (!nodes.some((n) => n.status().role === 'LEADER')) await new Promise((r) => setTimeout(r, 10));
  const leader = nodes.find((n) => n.status().role === 'LEADER')!;
  const payload = new Uint8Array(64);
  const start = process.hrtime.bigint();
  for (let done = 0; done < total; done += concurrent) {
    await Promise.all(Array.from({ length: concurrent }, () => leader.propose(payload)));
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(nodes.map((n) => n.stop()));
  return total / secs;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 2);
  for (const batch of [1, 16, 128]) {
    const rate = run(batch, seconds);
    process.stdout.write(`3-member in-memory cluster, ${batch} command(s) per AppendEntries round: ${Math.round(rate)} commits/s\n`);
  }
  for (const concurrent of [1, 100]) {
    const rate = await drivers(concurrent, concurrent === 1 ? 2000 : 50000);
    process.stdout.write(`3-member RaftNode cluster, in-memory network and storage, ${concurrent} concurrent proposal(s): ${Math.round(rate)} commits/s\n`);
  }
  for (const concurrent of [1, 100]) {
    const rate = await lmdb(concurrent, concurrent === 1 ? 300 : 20000);
    process.stdout.write(`1-member RaftNode on LMDB (fsync), ${concurrent} concurrent proposal(s): ${Math.round(rate)} commits/s\n`);
  }
}

void main();
