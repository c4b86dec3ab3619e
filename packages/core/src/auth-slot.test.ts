import { encodeAuthEntry, NO_AUTH_HANDLER_RESULT } from './auth-slot';
import { FakeClock } from './clock';
import { RegistryState } from './registry-state';
import { RegistryStateMachine } from './registry-state-machine';

// A counter stands in for the server's users/roles state: core only stores and replays it.
const handler = {
  empty: () => ({ n: 0 }),
  apply: (state: unknown, command: unknown) => {
    const next = { n: (state as { n: number }).n + (command as { add: number }).add };
    return { state: next, result: { ok: true, n: next.n } };
  },
};

function machine(): RegistryStateMachine {
  const sm = new RegistryStateMachine(new RegistryState(new FakeClock(0)));
  sm.setAuthHandler(handler);
  return sm;
}

describe('auth entries in the registry state machine', () => {
  it('applies through the handler and hands its result back', () => {
    const sm = machine();
    expect(sm.authState()).toEqual({ n: 0 });
    expect(sm.apply(encodeAuthEntry({ add: 2 }), 1)).toEqual({ ok: true, n: 2 });
    expect(sm.authState()).toEqual({ n: 2 });
  });

  it('keeps the auth state in snapshots', () => {
    const sm = machine();
    sm.apply(encodeAuthEntry({ add: 5 }), 1);
    const copy = machine();
    copy.restore(sm.snapshot());
    expect(copy.authState()).toEqual({ n: 5 });
  });

  it('loads a snapshot from before auth as the empty state', () => {
    const old = new TextEncoder().encode(JSON.stringify({ version: 1, namespaces: [], switches: {}, services: [] }));
    const sm = machine();
    sm.apply(encodeAuthEntry({ add: 1 }), 1);
    sm.restore(old);
    expect(sm.authState()).toEqual({ n: 0 });
  });

  it('changes nothing without a handler', () => {
    const sm = new RegistryStateMachine(new RegistryState(new FakeClock(0)));
    expect(sm.apply(encodeAuthEntry({ add: 1 }), 1)).toBe(NO_AUTH_HANDLER_RESULT);
    expect(sm.authState()).toBeUndefined();
  });
});
