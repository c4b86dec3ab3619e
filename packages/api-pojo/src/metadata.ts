import { FORBIDDEN_METADATA_KEYS } from './constants';
import { NACOS_ERROR_CODES, NacosError } from './errors';

/** Instance, service or cluster metadata: string keys to string values. Treat as immutable once stored. */
export type Metadata = Record<string, string>;

function formatError(raw: string): NacosError {
  return new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `metadata format incorrect:${raw}`);
}

function checkKey(key: string): void {
  if (FORBIDDEN_METADATA_KEYS.has(key)) {
    throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param 'metadata' is illegal, key '${key}' is not allowed`);
  }
}

/**
 * Turns a parsed JSON object into metadata: scalar values become strings (as Jackson coerces them
 * into a `Map<String,String>`), `null` is dropped, nested objects/arrays are refused. Keys
 * `__proto__`, `constructor` and `prototype` are refused (INVALID_PARAM).
 */
export function toMetadata(value: unknown, raw = JSON.stringify(value)): Metadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw formatError(raw);
  const out: Metadata = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    checkKey(key);
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
    else throw formatError(raw);
  }
  return out;
}

/**
 * Parses the `metadata` request parameter the way Nacos does (UtilsAndCommons.parseMetadata): blank →
 * `{}`; a JSON object string → its entries; otherwise `k1=v1,k2=v2` where every part has exactly one
 * `=` with a non-empty value (so `a=b=c` and `a=` fail). Anything else throws INVALID_PARAM
 * `metadata format incorrect:<raw>`.
 */
export function parseMetadata(raw: string | undefined): Metadata {
  if (raw === undefined || raw.trim() === '') return {};
  const text = raw.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw formatError(raw);
    }
    return toMetadata(parsed, raw);
  }
  const out: Metadata = {};
  for (const part of text.split(',')) {
    // Java split drops trailing empties, so "a=" has one part and is refused, as in Nacos.
    const kv = part.split('=');
    while (kv.length > 0 && kv[kv.length - 1] === '') kv.pop();
    if (kv.length !== 2) throw formatError(raw);
    const key = kv[0] as string;
    checkKey(key);
    out[key] = kv[1] as string;
  }
  return out;
}
