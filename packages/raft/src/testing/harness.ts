import { RawNode } from '../raw-node';
import { MemoryStorage } from '../storage';
import { ENTRY_TYPES, type Entry, encodeConfState, type HardState, type Message } from '../types';
import { mulberry32 } from './rng';

/** A member in a {@link Harness}: its core, storage and what it applied. */
export interface HarnessNode {
  raw: RawNode;
  storage: MemoryStorage;
  applied: Entry[];
}

/**
 * A synchronous test cluster of RawNodes (etcd's `network` in raft_test.go): messages go into an
 * outbox; `deliver` hands them over, with a filter to drop some. Persist/apply happens in
 * `process`, in the Ready order.
 */
export class Harness {
  readonly nodes = new Map<string, HarnessNode>();
  outbox: Message[] = [];

  constructor(ids: string[], options: { seed?: number; preVote?: boolean; checkQuorum?: boolean; logs?: Record<string, { entries: Entry[]; hardState?: HardState }> } = {}) {
    const rnd = mulberry32(options.seed ?? 7);
    for (const id of ids) {
      const storage = new MemoryStorage();
      const boot: Entry = { term: 1, index: 1, type: ENTRY_TYPES.CONFIG, data: encodeConfState({ voters: ids, learners: [] }) };
      const extra = options.logs?.[id];
      storage.saveSync({ entries: [boot, ...(extra?.entries ?? [])], hardState: extra?.hardState ?? { term: 1, vote: '', commit: 1 } });
      const raw = new RawNode({ id, storage, electionTicks: 10, heartbeatTicks: 1, random: rnd, preVote: options.preVote ?? false, checkQuorum: options.checkQuorum ?? false });
      this.nodes.set(id, { raw, storage, applied: [] });
    }
  }

  node(id: string): RawNode {
    return this.nodes.get(id)!.raw;
  }

  /** Runs every node's Ready once (persist, collect messages, apply, advance). */
  process(): void {
    for (const n of this.nodes.values()) {
      while (n.raw.hasReady()) {
        const rd = n.raw.ready();
        n.storage.saveSync({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
        this.outbox.push(...rd.messages);
        n.applied.push(...rd.committedEntries);
        n.raw.advance(rd);
      }
    }
  }

  /** Delivers messages until none are left; `drop` returns true for messages to lose. */
  stabilize(drop: (m: Message) => boolean = () => false, rounds = 100): void {
    for (let i = 0; i < rounds; i++) {
      this.process();
      if (this.outbox.length === 0) return;
      const batch = this.outbox;
      this.outbox = [];
      for (const m of batch) if (!drop(m)) this.nodes.get(m.to)?.raw.step(m);
    }
  }

  /** Committed command payloads applied by `id`, as strings. */
  appliedCommands(id: string): string[] {
    return this.nodes
      .get(id)!
      .applied.filter((e) => e.type === ENTRY_TYPES.COMMAND)
      .map((e) => new TextDecoder().decode(e.data));
  }
}

/** A command entry for seeding logs in tests. */
export function cmd(index: number, term: number, text = `t${term}i${index}`): Entry {
  return { index, term, type: ENTRY_TYPES.COMMAND, data: new TextEncoder().encode(text) };
}
