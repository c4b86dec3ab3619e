/**
 * A linearizability checker in the style of Wing & Gong, with Lowe's memoization ("Testing for
 * linearizability", 2017): search for a total order of the operations that respects real time
 * and the sequential model, backtracking when an operation's return is reached before it was
 * linearized, and skipping (linearized set, state) configurations already explored.
 */

/** A sequential specification. States must be treated as immutable. */
export interface Model<S, I, O> {
  init(): S;
  /** Applies `input` to `state`; ok=false when `output` is impossible from `state`. `output` is undefined for an operation that never returned (any output allowed). */
  step(state: S, input: I, output: O | undefined): { ok: boolean; state: S };
  /** A string that identifies a state, for memoization. */
  key(state: S): string;
  /** Optional: splits a history into independent sub-histories (e.g. per key) checked separately. */
  partition?(ops: readonly Operation<I, O>[]): Operation<I, O>[][];
}

/**
 * One operation of a history: invoked at `call`, answered at `ret` with `output`. An operation
 * whose answer never came (crash, timeout) has `ret` = Infinity and no output: it may or may not
 * have taken effect, at any point after `call`.
 */
export interface Operation<I, O> {
  input: I;
  output?: O;
  call: number;
  ret: number;
}

interface Node {
  op: number;
  isCall: boolean;
  time: number;
  match?: Node; // call → its return
  prev?: Node;
  next?: Node;
}

/** Result of {@link checkLinearizable}. */
export interface CheckResult {
  ok: boolean;
  /** A linearization (indexes into the history) when ok. */
  order?: number[];
}

function checkOne<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], maxStates: number): CheckResult {
  const events: Node[] = [];
  ops.forEach((op, i) => {
    const call: Node = { op: i, isCall: true, time: op.call };
    const ret: Node = { op: i, isCall: false, time: op.ret };
    call.match = ret;
    events.push(call, ret);
  });
  // Calls sort before returns at the same instant: intervals are closed, so operations that
  // touch count as concurrent (conservative: never a false alarm), and an instantaneous
  // operation's call precedes its own return.
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.op - b.op : a.isCall ? -1 : 1));
  const head: Node = { op: -1, isCall: false, time: -Infinity };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  const lift = (call: Node) => {
    call.prev!.next = call.next;
    if (call.next) call.next.prev = call.prev;
    const ret = call.match!;
    ret.prev!.next = ret.next;
    if (ret.next) ret.next.prev = ret.prev;
  };
  const unlift = (call: Node) => {
    const ret = call.match!;
    ret.prev!.next = ret;
    if (ret.next) ret.next.prev = ret;
    call.prev!.next = call;
    if (call.next) call.next.prev = call;
  };
  const linearized = new Uint8Array(ops.length);
  const cache = new Set<string>();
  const stack: { call: Node; state: S }[] = [];
  let state = model.init();
  let entry = head.next;
  while (head.next) {
    if (!entry) return { ok: false };
    if (entry.isCall) {
      const op = ops[entry.op];
      const pending = op.ret === Number.POSITIVE_INFINITY;
      const res = model.step(state, op.input, pending ? undefined : op.output);
      let advanced = false;
      if (res.ok) {
        linearized[entry.op] = 1;
        const key = `${model.key(res.state)}|${linearized.join('')}`;
        if (!cache.has(key)) {
          cache.add(key);
          if (cache.size > maxStates) {
            throw new Error(`linearizability search exceeded ${maxStates} states on ${ops.length} operations`);
          }
          stack.push({ call: entry, state });
          state = res.state;
          lift(entry);
          entry = head.next;
          advanced = true;
        } else {
          linearized[entry.op] = 0;
        }
      }
      if (!advanced) entry = entry.next;
    } else {
      // Returns of pending operations sort last: reaching one means every completed operation
      // is linearized, and the remaining pending ones may simply never have taken effect.
      if (ops[entry.op].ret === Number.POSITIVE_INFINITY) return { ok: true, order: stack.map((s) => s.call.op) };
      // Reached a return whose call is not linearized yet: undo the last choice.
      if (stack.length === 0) return { ok: false };
      const top = stack.pop()!;
      state = top.state;
      linearized[top.call.op] = 0;
      unlift(top.call);
      entry = top.call.next;
    }
  }
  return { ok: true, order: stack.map((s) => s.call.op) };
}

/**
 * True when the history is linearizable with respect to `model`. Pending operations (ret =
 * Infinity) may be linearized anywhere after their call or left out entirely. Histories are split
 * with `model.partition` first when given (linearizability is compositional, so per-key checking
 * is sound). Throws when the search explores more than `maxStates` configurations (default
 * 2,000,000) rather than running for hours: the answer is then unknown, not "linearizable".
 */
export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  options: { maxStates?: number } = {},
): CheckResult {
  const parts = model.partition ? model.partition(history) : [history.slice()];
  const order: number[] = [];
  for (const part of parts) {
    const res = checkOne(model, part, options.maxStates ?? 2_000_000);
    if (!res.ok) return { ok: false };
    if (res.order) for (const i of res.order) order.push(history.indexOf(part[i]));
  }
  return { ok: true, order: order.filter((i) => i >= 0) };
}

/** A key-value register model: `put` returns the previous value, `get` the current one. */
export type KvInput = { op: 'put'; key: string; value: string } | { op: 'get'; key: string };
/** Output of {@link KV_MODEL} operations: the previous (put) or current (get) value, null if unset. */
export type KvOutput = string | null;

/** Model of a key-value store checked per key. */
export const KV_MODEL: Model<string | null, KvInput, KvOutput> = {
  init: () => null,
  step(state, input, output) {
    if (output !== undefined && output !== state) return { ok: false, state };
    return { ok: true, state: input.op === 'put' ? input.value : state };
  },
  key: (s) => (s === null ? '\u0000' : s),
  partition(ops) {
    const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
    for (const op of ops) {
      let list = byKey.get(op.input.key);
      if (!list) {
        list = [];
        byKey.set(op.input.key, list);
      }
      list.push(op);
    }
    return [...byKey.values()];
  },
};
