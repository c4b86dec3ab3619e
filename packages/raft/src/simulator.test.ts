import { checkLinearizable, KV_MODEL } from './linearizability';
import { Simulator, type SimStats } from './testing/simulator';

const SEEDS = Number(process.env.RAFT_SIM_SEEDS ?? 200);
const FIRST = Number(process.env.RAFT_SIM_SEED ?? 1);
const STEPS = Number(process.env.RAFT_SIM_STEPS ?? 1500);

function replay(seed: number): string {
  return `RAFT_SIM_SEED=${seed} RAFT_SIM_SEEDS=1 RAFT_SIM_STEPS=${STEPS} npx jest src/simulator.test.ts (in packages/raft)`;
}

describe('deterministic cluster simulation', () => {
  const total: SimStats = {
    steps: 0, messagesDelivered: 0, dropped: 0, duplicated: 0, crashes: 0, restarts: 0, partitions: 0,
    lostUnsyncedWrites: 0, invariantChecks: 0, commits: 0, snapshotsSent: 0, leadersElected: 0, confChanges: 0, transfers: 0,
  };
  afterAll(() => {
    // The figures quoted in the package report.
    process.stdout.write(`raft simulator: ${SEEDS} seeds ${JSON.stringify(total)}\n`);
  });

  it(`keeps every safety invariant and stays linearizable over ${SEEDS} seeds`, () => {
    for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
      // Every 4th seed: 5 nodes; every 3rd: one node joins later and membership changes.
      const membershipChanges = seed % 3 === 0;
      const nodes = (seed % 4 === 0 ? 5 : 3) + (membershipChanges ? 1 : 0);
      const sim = new Simulator({ seed, nodes, steps: STEPS, membershipChanges });
      try {
        sim.run();
        sim.settle();
        sim.checkConverged();
        const lin = checkLinearizable(KV_MODEL, sim.clientHistory());
        if (!lin.ok) throw new Error('client history is not linearizable');
      } catch (err) {
        throw new Error(`seed ${seed} failed: ${(err as Error).message}\nreplay: ${replay(seed)}`, { cause: err });
      }
      for (const k of Object.keys(total) as (keyof SimStats)[]) total[k] += sim.stats[k];
    }
    expect(total.commits).toBeGreaterThan(SEEDS * 10);
    expect(total.crashes).toBeGreaterThan(0);
    expect(total.snapshotsSent).toBeGreaterThan(0);
    if (SEEDS >= 50) {
      expect(total.confChanges).toBeGreaterThan(0);
      expect(total.transfers).toBeGreaterThan(0);
    }
  });
});
