import { parseJavaBoolean, parseJavaDouble, parseJavaInt, parseJavaLong } from './primitives';

describe('Java-style parsing', () => {
  it('treats only "true" (any case) as true, as Boolean.parseBoolean does', () => {
    expect(parseJavaBoolean('true')).toBe(true);
    expect(parseJavaBoolean('TRUE')).toBe(true);
    expect(parseJavaBoolean('yes')).toBe(false);
    expect(parseJavaBoolean('1')).toBe(false);
    expect(parseJavaBoolean('')).toBe(false);
  });

  it('parses ints strictly and names the field on failure', () => {
    expect(parseJavaInt('port', '8080')).toBe(8080);
    expect(parseJavaInt('port', '-1')).toBe(-1);
    expect(() => parseJavaInt('port', 'abc')).toThrow(`Param 'port' is illegal, For input string: "abc"`);
    expect(() => parseJavaInt('port', '1.5')).toThrow(/port/);
    expect(() => parseJavaInt('port', '99999999999')).toThrow(/port/);
  });

  it('parses longs within safe integers', () => {
    expect(parseJavaLong('value', '10000')).toBe(10000);
    expect(() => parseJavaLong('value', '1e3')).toThrow(/value/);
  });

  it('parses doubles like Double.parseDouble, refusing NaN and infinities', () => {
    expect(parseJavaDouble('weight', '1')).toBe(1);
    expect(parseJavaDouble('weight', '.5')).toBe(0.5);
    expect(parseJavaDouble('weight', '1e2')).toBe(100);
    expect(parseJavaDouble('weight', '2.5d')).toBe(2.5);
    expect(() => parseJavaDouble('weight', 'NaN')).toThrow(`Param 'weight' is illegal, For input string: "NaN"`);
    expect(() => parseJavaDouble('weight', 'Infinity')).toThrow(/weight/);
    expect(() => parseJavaDouble('weight', 'x')).toThrow(/weight/);
  });
});
