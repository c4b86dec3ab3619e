import { CliError } from './cli-error';
import { formatMetadata, parseMetadata } from './metadata';

describe('parseMetadata', () => {
  it('parses k=v lists, keeping = inside values', () => {
    expect(parseMetadata('k=v, k2 = a=b ,empty=')).toEqual({ k: 'v', k2: 'a=b', empty: '' });
    expect(parseMetadata('')).toEqual({});
  });

  it('parses JSON objects and stringifies non-string values', () => {
    expect(parseMetadata('{"a":"1","b":2}')).toEqual({ a: '1', b: '2' });
  });

  it('rejects entries without a key as usage errors', () => {
    expect(() => parseMetadata('novalue')).toThrow(CliError);
    expect(() => parseMetadata('=x')).toThrow('bad --metadata entry "=x"');
    expect(() => parseMetadata('[1]')).toThrow(CliError);
  });

  it('formats maps back to k=v lists', () => {
    expect(formatMetadata({ a: '1', b: '2' })).toBe('a=1,b=2');
    expect(formatMetadata(undefined)).toBe('');
  });
});
