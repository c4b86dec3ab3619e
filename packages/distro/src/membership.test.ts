import { isHealthyState, StaticMembership } from './membership';

describe('StaticMembership', () => {
  it('notifies subscribers on set and setState until they unsubscribe', () => {
    const m = new StaticMembership([{ address: 'b', state: 'UP' }]);
    let calls = 0;
    const off = m.onChange(() => calls++);
    m.setState('a', 'SUSPICIOUS');
    expect(m.members()).toEqual([
      { address: 'a', state: 'SUSPICIOUS' },
      { address: 'b', state: 'UP' },
    ]);
    m.setState('b', 'DOWN');
    off();
    m.set([]);
    expect(calls).toBe(2);
    expect(m.members()).toEqual([]);
  });

  it('counts UP and SUSPICIOUS as healthy', () => {
    expect([isHealthyState('UP'), isHealthyState('SUSPICIOUS'), isHealthyState('DOWN')]).toEqual([true, true, false]);
  });
});
