import { InvalidArgumentError } from 'commander';
import { boolArg, intArg, numberArg, portArg } from './parse';

describe('argument parsers', () => {
  it('accepts whole numbers in range and rejects the rest', () => {
    expect(intArg(1, 5)('3')).toBe(3);
    expect(() => intArg(1, 5)('6')).toThrow(InvalidArgumentError);
    expect(() => intArg()('1.5')).toThrow('"1.5" is not a whole number.');
    expect(portArg('8848')).toBe(8848);
    expect(() => portArg('0')).toThrow('out of range 1..65535');
  });

  it('accepts finite numbers', () => {
    expect(numberArg('0.25')).toBe(0.25);
    expect(() => numberArg('abc')).toThrow('"abc" is not a number.');
    expect(() => numberArg('')).toThrow(InvalidArgumentError);
  });

  it('accepts true/false spellings', () => {
    expect(boolArg('TRUE')).toBe(true);
    expect(boolArg('no')).toBe(false);
    expect(() => boolArg('maybe')).toThrow('"maybe" is not true or false.');
  });
});
