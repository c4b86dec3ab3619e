import { parseBeatInfo } from './beat-info';

describe('parseBeatInfo', () => {
  it('reads the nacos-naming payload and ignores the stray scheduled flag', () => {
    const beat = parseBeatInfo(
      '{"serviceName":"DEFAULT_GROUP@@svc","ip":"127.0.0.9","port":1234,"cluster":"DEFAULT","weight":2,"metadata":{"k":"v"},"scheduled":true}',
    );
    expect(beat).toEqual({ serviceName: 'DEFAULT_GROUP@@svc', ip: '127.0.0.9', port: 1234, cluster: 'DEFAULT', weight: 2, metadata: { k: 'v' } });
  });

  it('accepts numeric strings for port and weight', () => {
    expect(parseBeatInfo('{"ip":"1.2.3.4","port":"80","weight":"1.5"}')).toEqual({ ip: '1.2.3.4', port: 80, weight: 1.5 });
  });

  it('refuses broken JSON and bad fields naming beat', () => {
    expect(() => parseBeatInfo('{')).toThrow("Param 'beat' is illegal");
    expect(() => parseBeatInfo('{"port":"abc"}')).toThrow("Param 'beat' is illegal");
    expect(() => parseBeatInfo('{"metadata":{"__proto__":"x"}}')).toThrow(/not allowed/);
  });
});
