import { NACOS_ERROR_CODES, NacosError } from './errors';

/**
 * Java's `Boolean.parseBoolean`: true only for "true" in any case; every other string (including
 * "yes", "1" and "") is false. Nacos reads every boolean parameter this way, so `healthy=yes` means
 * false — an odd rule kept for compatibility.
 */
export function parseJavaBoolean(value: string): boolean {
  return value.length === 4 && value.toLowerCase() === 'true';
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/;

/**
 * Parses an integer parameter like Java's `Integer.parseInt` (no decimals, no blanks, 32-bit).
 * Throws INVALID_PARAM naming the field otherwise.
 */
export function parseJavaInt(name: string, value: string): number {
  if (INTEGER.test(value)) {
    const n = Number(value);
    if (n >= -2147483648 && n <= 2147483647) return n;
  }
  throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param '${name}' is illegal, For input string: "${value}"`);
}

/**
 * Parses a long parameter (Java `Long.parseLong`), limited to JavaScript's safe integers.
 * Throws INVALID_PARAM naming the field otherwise.
 */
export function parseJavaLong(name: string, value: string): number {
  if (INTEGER.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param '${name}' is illegal, For input string: "${value}"`);
}

/**
 * Parses a decimal parameter like Java's `Double.parseDouble` (accepts `1`, `1.5`, `.5`, `1e3`, a
 * trailing `d`/`f`), refusing NaN and infinities. Throws INVALID_PARAM naming the field otherwise.
 */
export function parseJavaDouble(name: string, value: string): number {
  if (DECIMAL.test(value)) {
    const n = Number(value.replace(/[dDfF]$/, ''));
    if (Number.isFinite(n)) return n;
  }
  throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param '${name}' is illegal, For input string: "${value}"`);
}
