import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { CLUSTER_ERROR_CODES, ClusterError } from './errors';

/** Nacos' default member port when a cluster.conf line has none (NACOS-FACTS §10). */
export const DEFAULT_MEMBER_PORT = 8848;

/** Name of the member file looked up in the data directory. */
export const CLUSTER_CONF = 'cluster.conf';

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function bad(where: string, entry: string, why: string): ClusterError {
  return new ClusterError(CLUSTER_ERROR_CODES.BAD_MEMBER, `${where}: member "${entry}" ${why} (expected ip[:port] or host[:port])`);
}

/**
 * Normalises one member entry to `host:port`: trims, lower-cases host names, fills in
 * `defaultPort` when the port is missing, accepts `[v6]:port`. Throws ClusterError BAD_MEMBER
 * naming `where` and the entry when the host or port is malformed.
 */
export function normalizeMember(entry: string, where: string, defaultPort = DEFAULT_MEMBER_PORT): string {
  const raw = entry.trim();
  if (raw === '') throw bad(where, entry, 'is empty');
  let host: string;
  let portText: string | undefined;
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    if (close < 0) throw bad(where, entry, 'has an unclosed [');
    host = raw.slice(0, close + 1).toLowerCase();
    const rest = raw.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw bad(where, entry, 'has text after ]');
      portText = rest.slice(1);
    }
    if (!/^\[[0-9a-f:.]+\]$/.test(host)) throw bad(where, entry, 'has a bad IPv6 address');
  } else {
    const parts = raw.split(':');
    if (parts.length > 2) throw bad(where, entry, 'has more than one ":" (write IPv6 addresses as [addr]:port)');
    host = (parts[0] as string).toLowerCase();
    portText = parts[1];
    const v4 = IPV4.exec(host);
    if (v4) {
      if (v4.slice(1).some((o) => Number(o) > 255)) throw bad(where, entry, 'has an IPv4 octet above 255');
    } else if (!HOSTNAME.test(host) || /^[\d.]+$/.test(host)) {
      throw bad(where, entry, 'has a bad host');
    }
  }
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw bad(where, entry, 'has a bad port (1..65535)');
    port = Number(portText);
  }
  return `${host}:${port}`;
}

/** Sorts and de-duplicates addresses in JavaScript's (= Java's `String.compareTo`) order, as distro does. */
function sortUnique(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}

/**
 * Parses a comma-separated member list (`--members`, `TACOS_MEMBERS`, or an array from a config
 * file) into sorted, de-duplicated `host:port` addresses. Blank items are ignored. Throws
 * ClusterError BAD_MEMBER naming `source` and the bad entry.
 */
export function parseMemberList(value: string | readonly string[], source = '--members', defaultPort = DEFAULT_MEMBER_PORT): string[] {
  const items = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(','));
  return sortUnique(items.filter((i) => i.trim() !== '').map((i) => normalizeMember(i, source, defaultPort)));
}

/**
 * Parses cluster.conf text (Nacos format, NACOS-FACTS §10): one `ip[:port]` a line (port default
 * 8848), full-line or trailing `#` comments, several entries on a line separated by commas or
 * blanks. Returns sorted, de-duplicated `host:port` addresses. Errors name the file and line.
 */
export function parseClusterConf(text: string, fileName = CLUSTER_CONF, defaultPort = DEFAULT_MEMBER_PORT): string[] {
  const out: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const hash = line.indexOf('#');
    const content = hash >= 0 ? line.slice(0, hash) : line;
    for (const item of content.split(/[,\s]+/)) {
      if (item === '') continue;
      out.push(normalizeMember(item, `${fileName} line ${i + 1}`, defaultPort));
    }
  });
  return sortUnique(out);
}

/** Where a member list came from (for the start-up log line). */
export type MemberSource = 'flag' | 'cluster.conf';

/** A resolved member list. */
export interface ClusterMembers {
  /** Every member, self included, sorted. */
  members: string[];
  /** This member's address as it appears in `members`. */
  self: string;
  source: MemberSource;
}

/**
 * Finds this node in `members`: the entry equal to `host:port`, or, when `host` is a wildcard
 * (`0.0.0.0`, `::`) or a loopback name, the one entry with `port` whose host is one of this
 * machine's interface addresses (`localAddresses`, default from `os.networkInterfaces()`) or a
 * loopback address. Throws ClusterError BAD_MEMBER when none or more than one matches.
 */
export function findSelf(members: readonly string[], host: string, port: number, localAddresses: readonly string[] = listLocalAddresses()): string {
  const exact = normalizeMember(`${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`, '--host');
  if (members.includes(exact)) return exact;
  const local = new Set(['127.0.0.1', 'localhost', '[::1]', ...localAddresses.map((a) => (a.includes(':') ? `[${a.toLowerCase()}]` : a))]);
  const candidates = members.filter((m) => {
    const split = m.lastIndexOf(':');
    return Number(m.slice(split + 1)) === port && local.has(m.slice(0, split));
  });
  if (candidates.length === 1) return candidates[0] as string;
  if (candidates.length > 1) {
    throw new ClusterError(CLUSTER_ERROR_CODES.BAD_MEMBER, `several members could be this node (${candidates.join(', ')}); start with --host set to the address other members use`);
  }
  throw new ClusterError(CLUSTER_ERROR_CODES.BAD_MEMBER, `this node (${host}:${port}) is not in the member list [${members.join(', ')}]; add it, or set --host/--port to the address other members use`);
}

/** IPv4 and IPv6 addresses of this machine's interfaces. */
export function listLocalAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

/** Inputs of {@link resolveClusterMembers}. */
export interface ResolveMembersInput {
  /** `--members` / `TACOS_MEMBERS` / config file value, already merged by the CLI (flag wins). */
  members?: string | readonly string[];
  /** The data directory; `<dataDir>/cluster.conf` is read when `members` is empty. */
  dataDir: string;
  host: string;
  port: number;
  /** For tests; default `os.networkInterfaces()` addresses. */
  localAddresses?: readonly string[];
}

/**
 * Decides cluster mode at start-up: members from the flag/env value, else from
 * `<dataDir>/cluster.conf`, else none. Returns undefined for standalone (no list, or a list that is
 * only this node). Throws ClusterError BAD_MEMBER for a malformed entry or when this node is not
 * in the list.
 */
export function resolveClusterMembers(input: ResolveMembersInput): ClusterMembers | undefined {
  let members: string[] = [];
  let source: MemberSource = 'flag';
  if (input.members !== undefined && (typeof input.members === 'string' ? input.members.trim() !== '' : input.members.length > 0)) {
    members = parseMemberList(input.members);
  } else {
    const file = join(input.dataDir, CLUSTER_CONF);
    if (existsSync(file)) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new ClusterError(CLUSTER_ERROR_CODES.BAD_MEMBER, `cannot read ${file}: ${(err as Error).message}`, { cause: err });
      }
      members = parseClusterConf(text, file);
      source = 'cluster.conf';
    }
  }
  if (members.length === 0) return undefined;
  const self = findSelf(members, input.host, input.port, input.localAddresses);
  if (members.length === 1) return undefined;
  return { members, self, source };
}

/**
 * Watches cluster.conf as Nacos does: re-reads `file` every `intervalMs` (default 5000; polling,
 * so it works on every file system) and calls `onChange` with the new sorted list whenever it
 * differs from the last good one. A file that is missing, unreadable or malformed keeps the last
 * good list and is reported through `onError` (once per distinct problem). The timer is unref'd.
 * Returns the function that stops watching. Typical use: `membership.setMembers(list)` (distro
 * follows at once; Raft voters change only through `addMember`/`removeMember` on the leader).
 */
export function watchClusterConf(file: string, onChange: (members: string[]) => void, options: { intervalMs?: number; onError?: (err: Error) => void } = {}): () => void {
  let lastText: string | undefined;
  let lastList: string[] | undefined;
  let lastError: string | undefined;
  const check = () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const message = `cannot read ${file}: ${(err as Error).message}`;
      if (message !== lastError) options.onError?.(new ClusterError(CLUSTER_ERROR_CODES.BAD_MEMBER, message, { cause: err }));
      lastError = message;
      return;
    }
    if (text === lastText) return;
    lastText = text;
    let list: string[];
    try {
      list = parseClusterConf(text, file);
    } catch (err) {
      lastError = (err as Error).message;
      options.onError?.(err as Error);
      return;
    }
    lastError = undefined;
    const first = lastList === undefined;
    const changed = first || list.length !== lastList?.length || list.some((m, i) => m !== lastList?.[i]);
    lastList = list;
    if (changed && !first) onChange(list);
  };
  check();
  const timer = setInterval(check, options.intervalMs ?? 5000);
  timer.unref();
  return () => clearInterval(timer);
}
