import type { RaftNode } from '@tacos/raft';

/**
 * Works around a bug in @tacos/raft 0.1.0's `RaftNode.drain` (reported to its owner): when a drain
 * finds nothing to do, its async body finishes synchronously, clears `processing` in `finally` and
 * only then is `processing` set to the finished promise, which is never cleared; the next proposal
 * then chains `drain` on it forever (an endless microtask loop that hangs the process). This wrapper
 * clears such a stale promise once it settles. It does nothing when the bug is absent (a drain that
 * really ran has already cleared `processing`) or when the private method is gone.
 */
export function guardRaftDrain(raft: RaftNode): void {
  const node = raft as unknown as { drain?: () => Promise<void>; processing?: Promise<void> };
  const original = node.drain;
  if (typeof original !== 'function') return;
  node.drain = function guardedDrain(this: typeof node): Promise<void> {
    const run = original.call(this);
    if (node.processing === run) {
      void run.finally(() => {
        if (node.processing === run) node.processing = undefined;
      });
    }
    return run;
  };
}
