import type { Pair } from './scenarios';

/** Everything a benchmark run can be told on the command line. */
export interface BenchOptions {
  quick: boolean;
  /** Runs per figure (the reported figure is their median). */
  runs: number;
  connections: number[];
  /** Connection counts for the 3-node rows. */
  clusterConnections: number[];
  warmupMs: number;
  durationMs: number;
  /** Count bound of one measured phase. */
  maxOps: number;
  /** Scenario ids to run (all when empty). */
  only: Pair['id'][];
  /** Run the 3-node rows. */
  clusters: boolean;
  /** Try Tacos with --members for the 3-node rows (a build without cluster mode shows n/a). */
  tacosCluster: boolean;
  /** Instance counts at which Tacos RSS is read; empty skips the memory phase. */
  memoryTargets: number[];
  /** Time bound of the memory phase, in ms. */
  memoryTimeMs: number;
  /** Skip etcd and ZooKeeper (Tacos only). */
  peers: boolean;
  /** Directory for the JSON reports. */
  outDir?: string;
  help: boolean;
}

export const USAGE = `Usage: npm run bench [-- options]

  --quick                 short mode: 1 run per figure, 1.5 s per measurement, 100,000 instances
                          for memory (under 3 minutes in all)
  --runs N                runs per figure, the figure being their median (default 3; quick 1)
  --connections 1,16,64   connection counts (default 1,16,64)
  --duration S            seconds per measurement (default 5; quick 1.5)
  --warmup S              warm-up seconds before each measurement (default 1; quick 0.3)
  --max-ops N             request cap per measurement (default 2,000,000; quick 300,000)
  --only ID,...           scenarios: register-ephemeral, register-persistent, list-100, beat
  --no-clusters           skip the 3-node rows
  --no-tacos-cluster      don't start Tacos with --members for the 3-node rows (they are tried by
                          default and shown as n/a while the server has no cluster mode)
  --memory N,...          instance counts for the RSS table (default 100000,1000000; quick 100000;
                          0 skips the memory phase)
  --memory-time S         time bound of the memory phase (default 300; quick 25)
  --no-peers              Tacos only
  --out DIR               where to write the JSON reports (default bench/results)
`;

const SCENARIO_IDS: readonly Pair['id'][] = ['register-ephemeral', 'register-persistent', 'list-100', 'beat'];

function list(value: string | undefined, flag: string): number[] {
  const items = (value ?? '').split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (items.length === 0 || items.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new Error(`${flag} needs a comma-separated list of numbers, got ${JSON.stringify(value)}`);
  }
  return items;
}

function positive(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got ${JSON.stringify(value)}`);
  return n;
}

/** Parses command-line arguments; throws an Error naming the bad flag. Quick mode changes the defaults only. */
export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const o: BenchOptions = {
    quick,
    runs: quick ? 1 : 3,
    connections: [1, 16, 64],
    clusterConnections: quick ? [64] : [1, 16, 64],
    warmupMs: quick ? 300 : 1_000,
    durationMs: quick ? 1_500 : 5_000,
    maxOps: quick ? 300_000 : 2_000_000,
    only: [],
    clusters: true,
    tacosCluster: true,
    memoryTargets: quick ? [100_000] : [100_000, 1_000_000],
    memoryTimeMs: quick ? 25_000 : 300_000,
    peers: true,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        break;
      case '--runs':
        o.runs = Math.round(positive(value(), flag));
        break;
      case '--connections':
        o.connections = list(value(), flag).filter((n) => n > 0);
        o.clusterConnections = quick ? o.connections.slice(-1) : o.connections;
        break;
      case '--duration':
        o.durationMs = positive(value(), flag) * 1000;
        break;
      case '--warmup':
        o.warmupMs = Number(value()) * 1000;
        if (!(o.warmupMs >= 0)) throw new Error('--warmup needs a number of seconds');
        break;
      case '--max-ops':
        o.maxOps = Math.round(positive(value(), flag));
        break;
      case '--only': {
        const ids = value().split(',') as Pair['id'][];
        const unknown = ids.filter((id) => !SCENARIO_IDS.includes(id));
        if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')}`);
        o.only = ids;
        break;
      }
      case '--no-clusters':
        o.clusters = false;
        break;
      case '--no-tacos-cluster':
        o.tacosCluster = false;
        break;
      case '--memory':
        o.memoryTargets = list(value(), flag).filter((n) => n > 0);
        break;
      case '--memory-time':
        o.memoryTimeMs = positive(value(), flag) * 1000;
        break;
      case '--no-peers':
        o.peers = false;
        break;
      case '--out':
        o.outDir = value();
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new Error(`unknown option ${flag}\n\n${USAGE}`);
    }
  }
  if (o.connections.length === 0) throw new Error('--connections: at least one positive count');
  return o;
}
