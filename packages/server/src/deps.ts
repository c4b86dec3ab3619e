import type { NamingRegistry } from '@tacos/core';
import type { Logger } from 'pino';

/** One cluster member as `/operator/servers` shows it. */
export interface MemberView {
  ip: string;
  port: number;
  state: string;
  extendInfo: Record<string, unknown>;
  address: string;
  failAccessCnt: number;
}

/**
 * What the HTTP layer needs. `createApp(deps)` never listens; tests pass a registry with a fake clock
 * and an in-test Raft node.
 */
export interface ServerDeps {
  registry: NamingRegistry;
  /** This node's `ip:port` (shown by /health/server and /operator/servers). Default `127.0.0.1:8848`. */
  selfAddress?: string;
  /** Cluster members; default: this node alone, UP. */
  members?: () => MemberView[];
  /** Request/diagnostic logger; when absent nothing is logged. */
  logger?: Logger;
  /** Largest accepted request body (bytes or an express size string such as '1mb'); default 1 MiB. */
  bodyLimit?: number | string;
  /** Version string shown in server state and members. */
  version?: string;
  /** Directory of the built console (index.html + assets), served under `/nacos/`; none = API only. */
  consoleDir?: string;
}

/** The version Tacos reports. */
export const TACOS_VERSION = '0.1.0';
