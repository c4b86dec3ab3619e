import { join } from 'node:path';
import type { NamingRegistry } from '@tacos/core';
import { LmdbStorage, type Logger as RaftLogger, RaftNode, type RaftError, type Transport } from '@tacos/raft';

/** The persistent layer of a standalone server: a one-member Raft group on LMDB. */
export interface Persistence {
  readonly raft: RaftNode;
  /** True while this member leads (a one-member group leads as soon as it has started). */
  isReady(): boolean;
  /** Stops Raft and closes storage. */
  close(): Promise<void>;
}

/** A transport for a group of one: there is nobody to talk to. */
const LONE_TRANSPORT: Transport = {
  send() {},
  onMessage() {},
};

/** Options of {@link openStandalonePersistence}. */
export interface PersistenceOptions {
  dataDir: string;
  /**
   * Member id. A standalone server uses a fixed id (not its address) so the same data directory
   * still elects itself after a restart on another port or host.
   */
  id: string;
  registry: NamingRegistry;
  logger?: RaftLogger;
  /** Called if Raft stops itself on a storage failure. */
  onFatal?: (error: RaftError) => void;
  /** Cluster mode: every founding member's id (self included). Default: `[id]` (standalone). */
  peers?: string[];
  /** Cluster mode: the Raft transport (the plumbing's HTTP one). Default: none (a group of one). */
  transport?: Transport;
  /** Takes a snapshot after this many applied entries (RaftNode default 10000). */
  snapshotEntries?: number;
  /** Rejects (TIMEOUT) a proposal not known committed this long, ms (RaftNode `commitTimeoutMs`). Default: none. */
  commitTimeoutMs?: number;
  /** Called after the state machine restored a snapshot (at start-up, or one sent by the leader). */
  onRestore?: () => void;
}

/**
 * Opens `<dataDir>/raft` (LMDB), starts a one-member RaftNode over the registry's state machine
 * (restoring the snapshot and replaying committed entries, so persistent data is back before this
 * resolves) and wires it as the registry's proposer.
 */
export async function openStandalonePersistence(options: PersistenceOptions): Promise<Persistence> {
  const storage = await LmdbStorage.open(join(options.dataDir, 'raft'), { logger: options.logger });
  let fatal = false;
  const sm = options.registry.stateMachine;
  const onRestore = options.onRestore;
  const stateMachine = onRestore
    ? {
        apply: (command: Uint8Array, index: number) => sm.apply(command, index),
        snapshot: () => sm.snapshot(),
        restore: (bytes: Uint8Array) => {
          sm.restore(bytes);
          onRestore();
        },
      }
    : sm;
  const raft = new RaftNode({
    id: options.id,
    peers: options.peers ?? [options.id],
    storage,
    transport: options.transport ?? LONE_TRANSPORT,
    ...(options.snapshotEntries === undefined ? {} : { snapshotEntries: options.snapshotEntries }),
    ...(options.commitTimeoutMs === undefined ? {} : { commitTimeoutMs: options.commitTimeoutMs }),
    stateMachine,
    logger: options.logger,
    onFatal: (error) => {
      fatal = true;
      options.onFatal?.(error);
    },
  });
  try {
    await raft.start();
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
  // A cluster member serves once its data is loaded: persistent writes go to whichever member
  // leads (the server forwards them), so readiness of the data does not wait for an election.
  // Standalone: the one voter leads from its first election on and no one can depose it, so once seen
  // leading it stays ready (until a fatal store error); asked on every request, status() is not free.
  let led = false;
  const standaloneReady = () => {
    if (!led) led = raft.status().role === 'LEADER';
    return !fatal && led;
  };
  const isReady = options.transport ? () => !fatal : standaloneReady;
  options.registry.setProposer(raft, isReady);
  return {
    raft,
    isReady,
    close: () => raft.stop(),
  };
}
