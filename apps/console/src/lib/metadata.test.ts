import { formatMetadata, metadataToParam, parseMetadata } from './metadata';

describe('parseMetadata', () => {
  test('blank text is an empty map', () => {
    expect(parseMetadata('   ')).toEqual({ ok: true, value: {} });
  });

  test('k=v pairs separated by commas and new lines, trimmed, = allowed in values, later key wins', () => {
    expect(parseMetadata(' a = 1 , b=x=y\nc=\n\na=2')).toEqual({ ok: true, value: { a: '2', b: 'x=y', c: '' } });
  });

  test('a JSON object, numbers and booleans become strings', () => {
    expect(parseMetadata('{"zone":"a","n":3,"on":true}')).toEqual({ ok: true, value: { zone: 'a', n: '3', on: 'true' } });
  });

  test('errors say what is wrong', () => {
    expect(parseMetadata('a=1,oops')).toEqual({ ok: false, error: '"oops" is not key=value (entry 2)' });
    expect(parseMetadata('=v')).toEqual({ ok: false, error: '"=v" has an empty key (entry 1)' });
    const bad = parseMetadata('{"a":');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^invalid JSON/);
    expect(parseMetadata('{"a":{"b":1}}')).toEqual({ ok: false, error: 'value of "a" must be a string, number or boolean' });
    expect(parseMetadata('[1]').ok).toBe(false);
  });

  test('prototype keys are refused in both forms', () => {
    expect(parseMetadata('__proto__=x')).toEqual({ ok: false, error: 'key "__proto__" is not allowed' });
    expect(parseMetadata('{"__proto__":"x"}')).toEqual({ ok: false, error: 'key "__proto__" is not allowed' });
  });
});

describe('formatMetadata', () => {
  test('one sorted k=v per line, round-trips through parseMetadata', () => {
    const text = formatMetadata({ zone: 'a', app: 'shop' });
    expect(text).toBe('app=shop\nzone=a');
    expect(parseMetadata(text)).toEqual({ ok: true, value: { app: 'shop', zone: 'a' } });
  });

  test('falls back to JSON when a value holds a comma, and still round-trips', () => {
    const metadata = { tags: 'a,b', 'k=1': 'v' };
    const text = formatMetadata(metadata);
    expect(text.startsWith('{')).toBe(true);
    expect(parseMetadata(text)).toEqual({ ok: true, value: metadata });
  });

  test('empty or missing metadata is blank; the wire form is JSON', () => {
    expect(formatMetadata(undefined)).toBe('');
    expect(metadataToParam({ a: '1' })).toBe('{"a":"1"}');
  });
});
