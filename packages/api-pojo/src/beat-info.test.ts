import { BeatInfoSchema, parseBeatInfo } from './beat-info';
import { toMetadata } from './metadata';

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

  it('reads common beats without zod exactly as the schema would', () => {
    // What the schema path makes of a value (the reference for the zod-free common case).
    const viaSchema = (value: Record<string, unknown>) => {
      const data = BeatInfoSchema.parse(value);
      const out: Record<string, unknown> = {};
      if (data.ip !== undefined) out.ip = data.ip.trim();
      for (const key of ['port', 'serviceName', 'cluster', 'weight'] as const) if (data[key] !== undefined) out[key] = data[key];
      if (value.metadata) out.metadata = toMetadata(value.metadata);
      return out;
    };
    const beats: Record<string, unknown>[] = [
      {},
      { ip: ' 127.0.0.1 ', port: 8080 },
      { ip: '127.0.0.1', port: 8080.5, weight: 0, cluster: 'c', serviceName: 'G@@s', ephemeral: false },
      { metadata: null, scheduled: true, period: 5000, stopped: false },
      { metadata: {}, ephemeral: true },
      { metadata: { a: 'b', n: 1 } },
    ];
    for (const beat of beats) expect(parseBeatInfo(JSON.stringify(beat))).toEqual(viaSchema(beat));
  });

  it('sends unusual shapes to the schema, which names the field', () => {
    expect(() => parseBeatInfo('{"ip":5}')).toThrow("Param 'beat' is illegal, ip:");
    expect(() => parseBeatInfo('{"ephemeral":"yes"}')).toThrow("Param 'beat' is illegal, ephemeral:");
    expect(() => parseBeatInfo('{"metadata":[1]}')).toThrow("Param 'beat' is illegal, metadata:");
    expect(() => parseBeatInfo('[1]')).toThrow("Param 'beat' is illegal");
    expect(() => parseBeatInfo('null')).toThrow("Param 'beat' is illegal");
  });
});
