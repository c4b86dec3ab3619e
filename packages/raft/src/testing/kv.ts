import type { StateMachine } from '../raft-node';

/** Commands of the test key-value state machine. */
export type KvCommand = { op: 'put'; key: string; value: string } | { op: 'get'; key: string } | { op: 'cas'; key: string; from: string | null; to: string };

/**
 * A tiny deterministic key-value state machine for tests: `put` returns the previous value,
 * `get` the current one, `cas` whether it swapped. Records every applied index.
 */
export class KvStateMachine implements StateMachine {
  data = new Map<string, string>();
  applied: number[] = [];
  restores = 0;

  static encode(cmd: KvCommand): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(cmd));
  }

  apply(command: Uint8Array, index: number): unknown {
    this.applied.push(index);
    const cmd = JSON.parse(new TextDecoder().decode(command)) as KvCommand;
    const prev = this.data.get(cmd.key) ?? null;
    if (cmd.op === 'put') {
      this.data.set(cmd.key, cmd.value);
      return prev;
    }
    if (cmd.op === 'cas') {
      if (prev !== cmd.from) return false;
      this.data.set(cmd.key, cmd.to);
      return true;
    }
    return prev;
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.data]));
  }

  restore(snapshot: Uint8Array): void {
    this.restores++;
    this.data = new Map(JSON.parse(new TextDecoder().decode(snapshot)) as [string, string][]);
  }
}
