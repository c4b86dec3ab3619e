import type { InstanceRecord } from './instance-record';

/**
 * A binary min-heap of instances keyed by `deadline` (monotonic ms). Each instance is in the heap at
 * most once (`heapIndex` ≥ 0 while it is). A beat does not touch the heap: when an entry falls due,
 * the registry re-checks the instance's `lastBeat` and reschedules it if it was renewed, so the cost
 * is O(log n) per instance per timeout period instead of per beat, and there is no per-tick scan.
 */
export class ExpiryScheduler {
  private readonly heap: InstanceRecord[] = [];

  /** Number of scheduled instances. */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules (or reschedules) `inst` at `deadline`. */
  schedule(inst: InstanceRecord, deadline: number): void {
    inst.deadline = deadline;
    if (inst.heapIndex >= 0) {
      this.fix(inst.heapIndex);
      return;
    }
    inst.heapIndex = this.heap.length;
    this.heap.push(inst);
    this.up(inst.heapIndex);
  }

  /** Takes `inst` out of the heap (no-op when it is not scheduled). */
  remove(inst: InstanceRecord): void {
    const i = inst.heapIndex;
    if (i < 0) return;
    const last = this.heap.pop() as InstanceRecord;
    inst.heapIndex = -1;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.fix(i);
    }
  }

  /** The earliest deadline, or undefined when empty. */
  peekDeadline(): number | undefined {
    return this.heap[0]?.deadline;
  }

  /**
   * Removes and returns the earliest instance whose deadline is strictly before `now`, or undefined.
   * (Strict: Nacos acts when `now - lastBeat > timeout`.)
   */
  popDue(now: number): InstanceRecord | undefined {
    const top = this.heap[0];
    if (!top || !(top.deadline < now)) return undefined;
    this.remove(top);
    return top;
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  private up(i: number): boolean {
    const heap = this.heap;
    const item = heap[i] as InstanceRecord;
    let moved = false;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as InstanceRecord;
      if (p.deadline <= item.deadline) break;
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
      moved = true;
    }
    heap[i] = item;
    item.heapIndex = i;
    return moved;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i] as InstanceRecord;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && (heap[r] as InstanceRecord).deadline < (heap[l] as InstanceRecord).deadline) c = r;
      const child = heap[c] as InstanceRecord;
      if (child.deadline >= item.deadline) break;
      heap[i] = child;
      child.heapIndex = i;
      i = c;
    }
    heap[i] = item;
    item.heapIndex = i;
  }
}
