import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type RunningServer, StartupError, startServer } from './server';

/** Settings resolved from flags, environment and config file (flags win, then env, then file). */
export interface ServerCliSettings {
  host: string;
  port: number;
  dataDir: string;
  members: string[];
  clusterSecret?: string;
  /** Built console directory to serve under /nacos/ (default: the repository's apps/console/dist). */
  consoleDir?: string;
  /** Peer routes on port + offset (same on every member). */
  peerPortOffset?: number;
  /** Join an existing cluster (wait for `cluster add` on the leader). */
  join?: boolean;
  /** Auth on (`--auth` / TACOS_AUTH=true) and its token secret (`--token-secret` / TACOS_TOKEN_SECRET). */
  auth?: boolean;
  tokenSecret?: string;
  /** Hot client calls through the hot front's HTTP reader (`--hot-front` / TACOS_HOT_FRONT, default true). */
  hotFront?: boolean;
}

const USAGE = `Usage: tacos-server [options]

Options:
  --host H            interface to bind (env TACOS_HOST, default 127.0.0.1)
  --port P            HTTP port (env TACOS_PORT, default 8848)
  --data-dir D        data directory (env TACOS_DATA_DIR, default ~/.tacos)
  --members a:p,b:p   cluster members, self included (env TACOS_MEMBERS; else <data-dir>/cluster.conf)
  --cluster-secret S  secret shared by members, >= 16 bytes (env TACOS_CLUSTER_SECRET)
  --peer-port-offset N  serve peer routes on port + N (env TACOS_PEER_PORT_OFFSET; same on every member)
  --join true         join a running cluster: wait to be added by \`tacos cluster add\` (env TACOS_JOIN)
  --console-dir D     built console to serve at /nacos/ (env TACOS_CONSOLE_DIR)
  --auth              require users, tokens and permissions (env TACOS_AUTH=true); first admin from
                      env TACOS_ADMIN_PASSWORD or \`tacos user init-admin\`
  --token-secret S    HS256 key of login tokens, >= 32 bytes, not a Nacos default (env TACOS_TOKEN_SECRET)
  --hot-front B       false: read every request with node's HTTP parser, not the hot front's reader
                      for beats, list polls and registrations (env TACOS_HOT_FRONT, default true)
  --config FILE       JSON file with host, port, dataDir, members, clusterSecret, consoleDir
  -h, --help          show this help
`;

function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return resolve(path);
}

function parsePort(value: string, where: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new StartupError(`${where}: port must be an integer 0..65535, got "${value}"`);
  return port;
}

/**
 * Resolves settings from argv (without node and script), env and an optional `--config` JSON file.
 * Throws StartupError with a readable message for unknown flags or bad values. Returns undefined
 * for `--help` (after printing usage).
 */
export function parseServerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerCliSettings | undefined {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      return undefined;
    }
    if (!arg.startsWith('--')) throw new StartupError(`unexpected argument "${arg}"\n${USAGE}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!['host', 'port', 'data-dir', 'members', 'cluster-secret', 'console-dir', 'config', 'peer-port-offset', 'join', 'auth', 'token-secret', 'hot-front'].includes(name)) {
      throw new StartupError(`unknown option --${name}\n${USAGE}`);
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (name === 'auth' && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--'))) value = 'true';
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new StartupError(`option --${name} needs a value`);
    flags.set(name, value);
  }
  let file: Record<string, unknown> = {};
  const configPath = flags.get('config');
  if (configPath) {
    try {
      file = JSON.parse(readFileSync(expandHome(configPath), 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new StartupError(`cannot read config file ${configPath}: ${(err as Error).message}`);
    }
  }
  const pick = (flag: string, envName: string, key: string): string | undefined => {
    const fromFlag = flags.get(flag);
    if (fromFlag !== undefined) return fromFlag;
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    const fromFile = file[key];
    return fromFile === undefined || fromFile === null ? undefined : String(fromFile);
  };
  const portText = pick('port', 'TACOS_PORT', 'port');
  const membersText = pick('members', 'TACOS_MEMBERS', 'members');
  const settings: ServerCliSettings = {
    host: pick('host', 'TACOS_HOST', 'host') ?? '127.0.0.1',
    port: portText === undefined ? 8848 : parsePort(portText, 'port'),
    dataDir: expandHome(pick('data-dir', 'TACOS_DATA_DIR', 'dataDir') ?? '~/.tacos'),
    members: membersText ? membersText.split(',').map((m) => m.trim()).filter((m) => m !== '') : [],
  };
  const secret = pick('cluster-secret', 'TACOS_CLUSTER_SECRET', 'clusterSecret');
  if (secret !== undefined) settings.clusterSecret = secret;
  const consoleDir = pick('console-dir', 'TACOS_CONSOLE_DIR', 'consoleDir');
  if (consoleDir !== undefined) settings.consoleDir = expandHome(consoleDir);
  const offset = pick('peer-port-offset', 'TACOS_PEER_PORT_OFFSET', 'peerPortOffset');
  if (offset !== undefined) {
    const n = Number(offset);
    if (!Number.isInteger(n) || Math.abs(n) > 65535) throw new StartupError(`peer-port-offset must be an integer, got "${offset}"`);
    settings.peerPortOffset = n;
  }
  const join = pick('join', 'TACOS_JOIN', 'join');
  if (join !== undefined) settings.join = join === 'true' || join === '1';
  const auth = pick('auth', 'TACOS_AUTH', 'auth');
  if (auth !== undefined) settings.auth = auth === 'true' || auth === '1';
  const tokenSecret = pick('token-secret', 'TACOS_TOKEN_SECRET', 'tokenSecret');
  if (tokenSecret !== undefined) settings.tokenSecret = tokenSecret;
  const hotFront = pick('hot-front', 'TACOS_HOT_FRONT', 'hotFront');
  if (hotFront !== undefined) {
    if (!/^(true|false|1|0)$/.test(hotFront)) throw new StartupError(`hot-front must be true or false, got "${hotFront}"`);
    settings.hotFront = hotFront === 'true' || hotFront === '1';
  }
  return settings;
}

/**
 * The `tacos-server` command: parses flags/env, starts a standalone server, prints where the API and
 * console are, and stops cleanly on SIGINT/SIGTERM (exit code 0). Start-up problems (port in use,
 * unwritable data dir, bad flags) print one readable line to stderr and exit with code 1.
 */
export async function runServerCli(argv: string[]): Promise<void> {
  let server: RunningServer;
  try {
    const settings = parseServerArgs(argv);
    if (!settings) return;
    server = await startServer({
      host: settings.host,
      port: settings.port,
      dataDir: settings.dataDir,
      consoleDir: settings.consoleDir,
      members: settings.members,
      clusterSecret: settings.clusterSecret,
      peerPortOffset: settings.peerPortOffset,
      join: settings.join,
      hotFront: settings.hotFront,
      // Cost and TTL knobs are for tests and operators (env only): bcrypt cost 10 and 18000 s by default.
      auth: settings.auth
        ? {
            tokenSecret: settings.tokenSecret,
            adminPassword: process.env.TACOS_ADMIN_PASSWORD,
            bcryptCost: process.env.TACOS_BCRYPT_COST ? Number(process.env.TACOS_BCRYPT_COST) : undefined,
            tokenTtlSeconds: process.env.TACOS_TOKEN_TTL_SECONDS ? Number(process.env.TACOS_TOKEN_TTL_SECONDS) : undefined,
          }
        : undefined,
      // Tuning knob for tests and operators (not a flag): snapshot more often than every 10,000 entries.
      raftSnapshotEntries: process.env.TACOS_RAFT_SNAPSHOT_ENTRIES ? Number(process.env.TACOS_RAFT_SNAPSHOT_ENTRIES) : undefined,
      // Fault-test knob: dial peers through per-link proxies at port + this offset.
      peerDialOffset: process.env.TACOS_PEER_DIAL_OFFSET ? Number(process.env.TACOS_PEER_DIAL_OFFSET) : undefined,
      onFatal: () => {
        process.stderr.write('tacos-server: the data store failed; stopping\n');
        process.exit(1);
      },
    });
    const cluster = server.cluster;
    if (cluster) {
      process.stdout.write(
        `Tacos cluster member ${cluster.plumbing.self} listening on ${server.url} — members ${cluster.plumbing.members.join(',')} (data in ${settings.dataDir})\n`,
      );
    } else process.stdout.write(
      `Tacos standalone listening on ${server.url} — API /nacos/v1/ns, console ${server.url}/nacos/ (data in ${settings.dataDir})\n`,
    );
  } catch (err) {
    const message = err instanceof StartupError ? err.message : `failed to start: ${(err as Error)?.message ?? String(err)}`;
    process.stderr.write(`tacos-server: ${message}\n`);
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`Tacos: ${signal} received, stopping\n`);
    server.close().then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`tacos-server: error while stopping: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
