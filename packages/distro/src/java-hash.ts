/**
 * Java's `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, wrapped to a
 * signed 32-bit int. JavaScript strings are UTF-16 too, so `charCodeAt` yields the same units Java
 * sees (a character outside the BMP counts as its two surrogates). Pure; never throws.
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    // Math.imul keeps the multiply in 32 bits; `| 0` wraps the add, as Java int arithmetic does.
    h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  }
  return h;
}

/**
 * Nacos' distro hash (`DistroMapper.distroHash`): `Math.abs(s.hashCode() % Integer.MAX_VALUE)`.
 * Always in `[0, 2147483646]`. JavaScript's `%` truncates toward zero like Java's, so a negative
 * hash keeps its sign before `abs`; and since `|x % 2147483647| < 2147483647`, the Java quirk
 * `Math.abs(Integer.MIN_VALUE) < 0` cannot occur (MIN_VALUE % MAX_VALUE is -1, giving 1).
 */
export function distroHash(s: string): number {
  return Math.abs(javaStringHashCode(s) % 2147483647);
}
