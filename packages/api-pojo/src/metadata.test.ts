import { NacosError } from './errors';
import { parseMetadata, toMetadata } from './metadata';

describe('parseMetadata', () => {
  it('treats blank as empty', () => {
    expect(parseMetadata(undefined)).toEqual({});
    expect(parseMetadata('')).toEqual({});
    expect(parseMetadata('   ')).toEqual({});
  });

  it('parses a JSON object and coerces scalars to strings', () => {
    expect(parseMetadata('{"k":"v","n":1,"b":true,"z":null}')).toEqual({ k: 'v', n: '1', b: 'true' });
  });

  it('parses k=v,k=v', () => {
    expect(parseMetadata('a=1,b=2')).toEqual({ a: '1', b: '2' });
  });

  it('refuses k=v parts without exactly one = and a value (Java split)', () => {
    expect(() => parseMetadata('a=b=c')).toThrow('metadata format incorrect:a=b=c');
    expect(() => parseMetadata('a=')).toThrow('metadata format incorrect:a=');
    expect(() => parseMetadata('novalue')).toThrow('metadata format incorrect:novalue');
  });

  it('refuses broken JSON and nested values', () => {
    expect(() => parseMetadata('{"k":')).toThrow('metadata format incorrect:{"k":');
    expect(() => parseMetadata('{"k":{"x":1}}')).toThrow(NacosError);
    expect(() => parseMetadata('{"k":[1]}')).toThrow(NacosError);
  });

  it('refuses prototype-polluting keys in both formats', () => {
    for (const raw of ['{"__proto__":"x"}', '{"constructor":"x"}', 'prototype=x', '__proto__=1']) {
      expect(() => parseMetadata(raw)).toThrow(/is not allowed/);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps preserved.* keys as plain strings', () => {
    expect(parseMetadata('preserved.heart.beat.timeout=3000')).toEqual({ 'preserved.heart.beat.timeout': '3000' });
  });
});

describe('toMetadata', () => {
  it('refuses non-objects', () => {
    expect(() => toMetadata([1])).toThrow(NacosError);
    expect(() => toMetadata('x')).toThrow(NacosError);
    expect(() => toMetadata(null)).toThrow(NacosError);
  });
});
