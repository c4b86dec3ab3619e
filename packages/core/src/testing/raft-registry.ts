import { MemoryStorage, RaftNode, type RaftStorage } from '@tacos/raft';
import type { Clock } from '../clock';
import { NamingRegistry } from '../naming-registry';

/** A registry wired to a real one-member RaftNode (MemoryStorage unless given), for tests. */
export interface RaftRegistry {
  registry: NamingRegistry;
  raft: RaftNode;
  stop(): Promise<void>;
}

/** Starts a registry over a real one-member Raft group. The caller must `stop()` it. */
export async function startRaftRegistry(options: { clock?: Clock; storage?: RaftStorage } = {}): Promise<RaftRegistry> {
  const registry = new NamingRegistry({ clock: options.clock });
  const raft = new RaftNode({
    id: 'test',
    peers: ['test'],
    storage: options.storage ?? new MemoryStorage(),
    transport: { send() {}, onMessage() {} },
    stateMachine: registry.stateMachine,
    tickMs: 20,
  });
  await raft.start();
  registry.setProposer(raft, () => raft.status().role === 'LEADER');
  return {
    registry,
    raft,
    stop: async () => {
      registry.stop();
      await raft.stop();
    },
  };
}
