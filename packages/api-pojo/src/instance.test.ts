import {
  clampWeight,
  heartBeatIntervalOf,
  heartBeatTimeoutOf,
  instanceIdGeneratorOf,
  instanceKey,
  ipDeleteTimeoutOf,
  simpleInstanceId,
  snowflakeInstanceId,
  validateWeight,
} from './instance';

describe('instance ids and keys', () => {
  it('builds the simple id ip#port#cluster#group@@service', () => {
    expect(simpleInstanceId('10.0.0.5', 8080, 'DEFAULT', 'DEFAULT_GROUP@@order')).toBe('10.0.0.5#8080#DEFAULT#DEFAULT_GROUP@@order');
  });

  it('picks the smallest unused integer for snowflake', () => {
    expect(snowflakeInstanceId(new Set())).toBe('0');
    expect(snowflakeInstanceId(new Set(['0', '1', '3']))).toBe('2');
  });

  it('keys instances ip:port:unknown:cluster, ip:unknown:cluster for port 0', () => {
    expect(instanceKey('10.0.0.5', 8080, 'DEFAULT')).toBe('10.0.0.5:8080:unknown:DEFAULT');
    expect(instanceKey('10.0.0.5', 0, 'DEFAULT')).toBe('10.0.0.5:unknown:DEFAULT');
  });
});

describe('weights', () => {
  it('accepts 0..10000 and refuses the rest with the Nacos text', () => {
    expect(() => validateWeight(0)).not.toThrow();
    expect(() => validateWeight(10000)).not.toThrow();
    expect(() => validateWeight(10000.5)).toThrow('The weights range from 0.0 to 10000.0');
    expect(() => validateWeight(-0.1)).toThrow('The weights range from 0.0 to 10000.0');
    expect(() => validateWeight(Number.NaN)).toThrow('The weights range from 0.0 to 10000.0');
  });

  it('clamps on ingest: >10000 → 10000, <0 → 0, (0, 0.01) → 0.01', () => {
    expect(clampWeight(20000)).toBe(10000);
    expect(clampWeight(-5)).toBe(0);
    expect(clampWeight(0.001)).toBe(0.01);
    expect(clampWeight(0)).toBe(0);
    expect(clampWeight(2.5)).toBe(2.5);
    expect(clampWeight(Number.NaN)).toBe(0);
  });
});

describe('preserved metadata', () => {
  it('defaults to 5000 / 15000 / 30000', () => {
    expect(heartBeatIntervalOf({})).toBe(5000);
    expect(heartBeatTimeoutOf({})).toBe(15000);
    expect(ipDeleteTimeoutOf({})).toBe(30000);
  });

  it('reads ^\\d+$ overrides and ignores anything else', () => {
    const md = {
      'preserved.heart.beat.interval': '1000',
      'preserved.heart.beat.timeout': '3000',
      'preserved.ip.delete.timeout': '6000',
    };
    expect(heartBeatIntervalOf(md)).toBe(1000);
    expect(heartBeatTimeoutOf(md)).toBe(3000);
    expect(ipDeleteTimeoutOf(md)).toBe(6000);
    expect(heartBeatTimeoutOf({ 'preserved.heart.beat.timeout': '3s' })).toBe(15000);
    expect(heartBeatTimeoutOf({ 'preserved.heart.beat.timeout': '-1' })).toBe(15000);
    expect(heartBeatTimeoutOf({ 'preserved.heart.beat.timeout': ' 10' })).toBe(15000);
  });

  it('derives instanceIdGenerator with the Nacos quirk', () => {
    expect(instanceIdGeneratorOf({})).toBe('simple');
    expect(instanceIdGeneratorOf({ k: 'v' })).toBeUndefined();
    expect(instanceIdGeneratorOf({ 'preserved.instance.id.generator': 'snowflake' })).toBe('snowflake');
  });
});
