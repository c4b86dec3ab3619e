import fc from 'fast-check';
import { checkLinearizable, KV_MODEL } from './linearizability';
import { Simulator } from './testing/simulator';

/**
 * fast-check over the simulator's fault space: whatever the seed, cluster size and fault rates,
 * Election Safety, Log Matching, Leader Completeness and State Machine Safety hold (checked by
 * the simulator after every step) and client histories are linearizable.
 */
describe('Raft safety properties under arbitrary fault mixes (fast-check)', () => {
  it('holds for random seeds, sizes and fault rates', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          nodes: fc.constantFrom(1, 2, 3, 4, 5),
          dropRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
          dupRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
          crashRate: fc.double({ min: 0, max: 0.01, noNaN: true }),
          partitionRate: fc.double({ min: 0, max: 0.01, noNaN: true }),
          transferRate: fc.double({ min: 0, max: 0.01, noNaN: true }),
          compactEvery: fc.integer({ min: 3, max: 60 }),
          batch: fc.integer({ min: 1, max: 8 }),
        }),
        (o) => {
          const sim = new Simulator({ ...o, steps: 600 });
          sim.run();
          sim.settle();
          sim.checkConverged();
          return checkLinearizable(KV_MODEL, sim.clientHistory()).ok;
        },
      ),
      { seed: Number(process.env.RAFT_FC_SEED ?? 20261124), numRuns: Number(process.env.RAFT_FC_RUNS ?? 40) },
    );
  });
});
