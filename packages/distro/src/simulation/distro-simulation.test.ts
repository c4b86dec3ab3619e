import { runDistroSimulation } from './distro-simulation';

/**
 * Seeds: DISTRO_SIM_SEED=<n> replays one seed; DISTRO_SIM_SEEDS=<count> runs that many (default
 * 100), starting at DISTRO_SIM_FIRST_SEED (default 1).
 */
const single = process.env.DISTRO_SIM_SEED;
const count = Number(process.env.DISTRO_SIM_SEEDS ?? 100);
const first = Number(process.env.DISTRO_SIM_FIRST_SEED ?? 1);
const seeds = single !== undefined ? [Number(single)] : Array.from({ length: count }, (_, i) => first + i);

describe('distro simulation', () => {
  jest.setTimeout(600_000);

  it(`converges after healing, with every invariant held, for ${seeds.length} seeds`, async () => {
    const failures: string[] = [];
    const totals = {
      events: 0,
      writes: 0,
      removes: 0,
      crashes: 0,
      partitions: 0,
      joins: 0,
      suspicions: 0,
      viewChanges: 0,
      applyChecks: 0,
      readinessChecks: 0,
      drops: 0,
      lost: 0,
      duplicated: 0,
    };
    for (const seed of seeds) {
      const report = await runDistroSimulation({ seed });
      totals.events += report.events;
      totals.writes += report.writes;
      totals.removes += report.removes;
      totals.crashes += report.crashes;
      totals.partitions += report.partitions;
      totals.joins += report.joins;
      totals.suspicions += report.suspicions;
      totals.viewChanges += report.viewChanges;
      totals.readinessChecks += report.readinessChecks;
      totals.applyChecks += report.applyChecks;
      totals.drops += report.drops;
      totals.lost += report.network.lost;
      totals.duplicated += report.network.duplicated;
      if (report.violations.length > 0) {
        failures.push(
          `seed ${seed} (${report.nodes} nodes) failed; replay: cd packages/distro && DISTRO_SIM_SEED=${seed} npx jest src/simulation/distro-simulation\n  ${report.violations.join('\n  ')}`,
        );
      }
    }
    // Printed so a run shows what it exercised.
    console.log(`distro simulation: ${seeds.length} seeds from ${seeds[0]}: ${JSON.stringify(totals)}`);
    expect(failures).toEqual([]);
  });
});
