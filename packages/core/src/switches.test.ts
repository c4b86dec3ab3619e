import { defaultSwitches, SWITCH_ENTRIES, updateSwitches } from './switches';

describe('switches', () => {
  const base = defaultSwitches();

  it('has Nacos defaults', () => {
    expect(base.defaultPushCacheMillis).toBe(10000);
    expect(base.clientBeatInterval).toBe(5000);
    expect(base.defaultCacheMillis).toBe(3000);
    expect(base.lightBeatEnabled).toBe(true);
    expect(base.overriddenServerStatus).toBeNull();
  });

  it('updates entries without mutating the input', () => {
    const next = updateSwitches(base, 'clientBeatInterval', '3000');
    expect(next.clientBeatInterval).toBe(3000);
    expect(base.clientBeatInterval).toBe(5000);
    expect(updateSwitches(base, 'check', 'false').healthCheckEnabled).toBe(false);
    expect(updateSwitches(base, 'distro', 'false').distroEnabled).toBe(false);
    expect(updateSwitches(base, 'pushVersion', 'java:1.2.0').pushJavaVersion).toBe('1.2.0');
    expect(updateSwitches(base, 'masters', 'a,b').masters).toEqual(['a', 'b']);
    expect(updateSwitches(base, 'limitedUrlMap', '/x:503').limitedUrlMap).toEqual({ '/x': 503 });
    expect(updateSwitches(base, 'overriddenServerStatus', 'DOWN').overriddenServerStatus).toBe('DOWN');
    expect(updateSwitches(base, 'batch', '{"defaultCacheMillis":5000}').defaultCacheMillis).toBe(5000);
  });

  it('validates like Nacos', () => {
    expect(() => updateSwitches(base, 'pushCacheMillis', '9999')).toThrow('too small');
    expect(() => updateSwitches(base, 'defaultCacheMillis', '999')).toThrow('too small');
    expect(() => updateSwitches(base, 'distroThreshold', '0')).toThrow('zero or negative');
    expect(() => updateSwitches(base, 'serviceStatusSynchronizationPeriodMillis', '10')).toThrow('5000');
    expect(() => updateSwitches(base, 'limitedUrlMap', 'bad')).toThrow('limitedUrlMap');
    expect(() => updateSwitches(base, 'clientBeatInterval', 'abc')).toThrow("Param 'value' is illegal");
    expect(() => updateSwitches(base, 'batch', '{"defaultCacheMillis":"x"}')).toThrow('wrong type');
  });

  it('refuses unknown entries (Nacos 1.x silently answers ok)', () => {
    expect(() => updateSwitches(base, 'healthCheckEnabled', 'false')).toThrow(
      "Param 'entry' is illegal, unknown switch entry: healthCheckEnabled",
    );
    expect(SWITCH_ENTRIES).toContain('check');
  });
});
