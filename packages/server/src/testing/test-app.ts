import { type Clock, NamingRegistry } from '@tacos/core';
import { MemoryStorage, RaftNode } from '@tacos/raft';
import type { Express } from 'express';
import { createApp } from '../app';
import type { ServerDeps } from '../deps';

/** An app over a registry backed by a real one-member Raft group in memory. */
export interface TestApp {
  app: Express;
  registry: NamingRegistry;
  stop(): Promise<void>;
}

/** Builds `createApp(deps)` over a fresh registry and in-memory RaftNode; the caller must `stop()`. */
export async function createTestApp(options: { clock?: Clock; deps?: Partial<ServerDeps> } = {}): Promise<TestApp> {
  const registry = new NamingRegistry({ clock: options.clock });
  const raft = new RaftNode({
    id: 'test',
    peers: ['test'],
    storage: new MemoryStorage(),
    transport: { send() {}, onMessage() {} },
    stateMachine: registry.stateMachine,
    tickMs: 20,
  });
  await raft.start();
  registry.setProposer(raft, () => raft.status().role === 'LEADER');
  const app = createApp({ registry, selfAddress: '127.0.0.1:8848', ...options.deps });
  return {
    app,
    registry,
    stop: async () => {
      registry.stop();
      await raft.stop();
    },
  };
}
