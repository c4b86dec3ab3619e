import fc from 'fast-check';
import { distroHash, javaStringHashCode } from './java-hash';

/** Naive reference: exact BigInt polynomial, then reduced to a signed 32-bit value as Java would. */
function referenceHashCode(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = h * 31n + BigInt(s.charCodeAt(i));
  return Number(BigInt.asIntN(32, h));
}

/** Java's `%` on ints: truncating division, result takes the dividend's sign. */
function javaRem(a: bigint, b: bigint): bigint {
  const q = a / b; // BigInt division truncates toward zero, as Java does
  return a - q * b;
}

describe('javaStringHashCode', () => {
  it.each([
    ['', 0],
    ['a', 97],
    ['hello', 99162322],
    ['Aa', 2112],
    ['BB', 2112],
    // Well-known strings whose Java hashCode is Integer.MIN_VALUE.
    ['polygenelubricants', -2147483648],
    ['GydZG_', -2147483648],
    ['DESIGNING WORKHOUSES', -2147483648],
    // Outside the BMP Java hashes both surrogates: 31 * 0xD83D + 0xDE00.
    ['\u{1F600}', 31 * 0xd83d + 0xde00],
  ])('hashCode(%j) = %d', (s, expected) => {
    expect(javaStringHashCode(s)).toBe(expected);
  });

  it('matches the exact BigInt computation for arbitrary strings (incl. lone surrogates)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => javaStringHashCode(s) === referenceHashCode(s)),
      { numRuns: 500 },
    );
  });
});

describe('distroHash', () => {
  it('maps a hashCode of Integer.MIN_VALUE to 1 (Java % keeps the sign, then abs)', () => {
    expect(distroHash('polygenelubricants')).toBe(1);
    expect(Number(javaRem(-2147483648n, 2147483647n))).toBe(-1);
  });

  it('equals abs(javaRem(hashCode, MAX_VALUE)) and stays in range', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const h = distroHash(s);
        const expected = javaRem(BigInt(referenceHashCode(s)), 2147483647n);
        return h === Number(expected < 0n ? -expected : expected) && h >= 0 && h <= 2147483646;
      }),
      { numRuns: 500 },
    );
  });

  it('handles typical grouped service names', () => {
    // Negative Java hashCodes: the distro hash is their absolute value.
    expect(javaStringHashCode('DEFAULT_GROUP@@nacos.test.1')).toBe(-301437168);
    expect(distroHash('DEFAULT_GROUP@@nacos.test.1')).toBe(301437168);
    expect(javaStringHashCode('DEFAULT_GROUP@@demo')).toBe(-1251993628);
    expect(distroHash('DEFAULT_GROUP@@demo')).toBe(1251993628);
    expect(distroHash('public##DEFAULT_GROUP@@demo')).toBe(1684607163);
  });
});
