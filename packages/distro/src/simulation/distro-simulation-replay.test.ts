import { runDistroSimulation } from './distro-simulation';

describe('distro simulation replay', () => {
  it('is deterministic: the same seed gives the same run', async () => {
    const a = await runDistroSimulation({ seed: 4242, chaosMs: 20_000, quietMs: 60_000 });
    const b = await runDistroSimulation({ seed: 4242, chaosMs: 20_000, quietMs: 60_000 });
    expect(b).toEqual(a);
    expect(a.events).toBeGreaterThan(100);
    expect(a.writes).toBeGreaterThan(0);
  });

  it('reports divergence instead of passing silently when given no time to repair', async () => {
    // With no quiet period the end-of-run check sees members that were just restarted (still
    // loading) and batches still in flight: the convergence check must flag that.
    const report = await runDistroSimulation({ seed: 7, chaosMs: 30_000, quietMs: 0 });
    expect(report.violations.length).toBeGreaterThan(0);
  });
});
