import { checkLinearizable, KV_MODEL, type KvInput, type KvOutput, type Operation } from './linearizability';

type Op = Operation<KvInput, KvOutput>;
const put = (key: string, value: string, output: KvOutput, call: number, ret: number): Op => ({ input: { op: 'put', key, value }, output, call, ret });
const get = (key: string, output: KvOutput, call: number, ret: number): Op => ({ input: { op: 'get', key }, output, call, ret });
const pendingPut = (key: string, value: string, call: number): Op => ({ input: { op: 'put', key, value }, call, ret: Number.POSITIVE_INFINITY });

describe('checkLinearizable (Wing–Gong–Lowe) on a key-value register', () => {
  it('accepts a sequential history', () => {
    expect(checkLinearizable(KV_MODEL, [put('x', '1', null, 0, 1), get('x', '1', 2, 3), put('x', '2', '1', 4, 5)]).ok).toBe(true);
  });

  it('accepts instantaneous operations (call time = return time)', () => {
    expect(checkLinearizable(KV_MODEL, [get('x', null, 1, 1), put('x', '1', null, 2, 2), get('x', '1', 3, 3)]).ok).toBe(true);
    expect(checkLinearizable(KV_MODEL, [put('x', '1', null, 2, 2), get('x', null, 3, 3)]).ok).toBe(false);
  });

  it('rejects a stale read after a completed write', () => {
    expect(checkLinearizable(KV_MODEL, [put('x', '1', null, 0, 1), get('x', null, 2, 3)]).ok).toBe(false);
  });

  it('accepts concurrent reads seeing either side of an overlapping write', () => {
    const h = [put('x', '1', null, 0, 10), get('x', null, 1, 2), get('x', '1', 3, 4)];
    expect(checkLinearizable(KV_MODEL, h).ok).toBe(true);
  });

  it('rejects a read that goes back in time (new value then old value, sequential reads)', () => {
    const h = [put('x', '1', null, 0, 10), get('x', '1', 1, 2), get('x', null, 3, 4)];
    expect(checkLinearizable(KV_MODEL, h).ok).toBe(false);
  });

  it('lets a pending write take effect, or not', () => {
    expect(checkLinearizable(KV_MODEL, [pendingPut('x', '1', 0), get('x', '1', 5, 6)]).ok).toBe(true);
    expect(checkLinearizable(KV_MODEL, [pendingPut('x', '1', 0), get('x', null, 5, 6)]).ok).toBe(true);
    // ...but not before it was invoked.
    expect(checkLinearizable(KV_MODEL, [get('x', '1', 0, 1), pendingPut('x', '1', 2)]).ok).toBe(false);
  });

  it('rejects two writes that both claim to have seen the initial value', () => {
    const h = [put('x', '1', null, 0, 5), put('x', '2', null, 1, 6)];
    expect(checkLinearizable(KV_MODEL, h).ok).toBe(false);
  });

  it('checks keys independently and returns a witness order', () => {
    const h = [put('x', '1', null, 0, 3), put('y', 'a', null, 1, 2), get('y', 'a', 4, 5), get('x', '1', 4, 5)];
    const res = checkLinearizable(KV_MODEL, h);
    expect(res.ok).toBe(true);
    expect(res.order?.slice().sort()).toEqual([0, 1, 2, 3]);
  });

  it('handles a larger concurrent history quickly', () => {
    const h: Op[] = [];
    let prev: string | null = null;
    for (let i = 0; i < 200; i++) {
      // Each write overlaps the next one; the real order is the index order.
      h.push(put('x', `v${i}`, prev, i * 2, i * 2 + 3));
      prev = `v${i}`;
    }
    expect(checkLinearizable(KV_MODEL, h).ok).toBe(true);
  });
});
