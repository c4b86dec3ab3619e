// Metadata as an operator types it: Nacos accepts a JSON object (`{"k":"v"}`) or `k=v` pairs separated by
// commas; the console also accepts one pair per line, which is easier to edit in a textarea.

/** The result of {@link parseMetadata}: the map, or an error message that says what is wrong and where. */
export type MetadataParse = { ok: true; value: Record<string, string> } | { ok: false; error: string };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses metadata text. Blank text is an empty map. Text starting with `{` must be a JSON object whose
 * values are strings, numbers or booleans (converted to strings). Otherwise the text is `k=v` pairs,
 * separated by commas and/or new lines; keys are trimmed and must be non-empty, a value may contain `=`,
 * a later duplicate key wins. Keys such as `__proto__` are refused (the server refuses them too).
 */
export function parseMetadata(text: string): MetadataParse {
  const trimmed = text.trim();
  const value: Record<string, string> = {};
  if (trimmed === '') return { ok: true, value };
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      return { ok: false, error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, error: 'JSON metadata must be an object of key/value pairs' };
    }
    for (const [key, raw] of Object.entries(parsed)) {
      if (FORBIDDEN_KEYS.has(key)) return { ok: false, error: `key "${key}" is not allowed` };
      if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') value[key] = String(raw);
      else return { ok: false, error: `value of "${key}" must be a string, number or boolean` };
    }
    return { ok: true, value };
  }
  const pairs = trimmed.split(/[,\n]/);
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq === -1) return { ok: false, error: `"${pair}" is not key=value (entry ${i + 1})` };
    const key = pair.slice(0, eq).trim();
    if (key === '') return { ok: false, error: `"${pair}" has an empty key (entry ${i + 1})` };
    if (FORBIDDEN_KEYS.has(key)) return { ok: false, error: `key "${key}" is not allowed` };
    value[key] = pair.slice(eq + 1).trim();
  }
  return { ok: true, value };
}

/** Formats metadata for editing: one `k=v` per line, keys sorted; JSON when a key or value holds `,`, `=` or a new line. */
export function formatMetadata(metadata: Record<string, string> | undefined): string {
  const entries = Object.entries(metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  const needsJson = entries.some(([k, v]) => /[,=\n]/.test(k) || /[,\n]/.test(v) || k !== k.trim() || v !== v.trim());
  if (needsJson) return JSON.stringify(Object.fromEntries(entries), null, 2);
  return entries.map(([k, v]) => `${k}=${v}`).join('\n');
}

/** The wire form of metadata for the server: a JSON object string (unambiguous for any key or value). */
export function metadataToParam(value: Record<string, string>): string {
  return JSON.stringify(value);
}
