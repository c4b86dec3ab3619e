/**
 * Renders a JSON-compatible value as YAML 1.2 (block style, two-space indent, keys in insertion order,
 * ending with a newline). Strings that a YAML reader could take for something else (numbers, booleans,
 * null, empty, leading/trailing spaces, special characters) are double-quoted with JSON escapes, which
 * YAML accepts. `undefined` values in objects are left out, as in JSON. No anchors, no multi-documents.
 */
export function toYaml(value: unknown): string {
  const lines = render(value, 0);
  return `${lines.join('\n')}\n`;
}

function render(value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    const out: string[] = [];
    for (const item of value) {
      if (isBlock(item)) {
        const inner = render(item, indent + 2);
        out.push(`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1));
      } else {
        out.push(`${pad}- ${scalar(item)}`);
      }
    }
    return out;
  }
  if (isObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return [`${pad}{}`];
    const out: string[] = [];
    for (const [key, item] of entries) {
      if (isBlock(item)) out.push(`${pad}${scalarKey(key)}:`, ...render(item, indent + 2));
      else out.push(`${pad}${scalarKey(key)}: ${scalar(item)}`);
    }
    return out;
  }
  return [`${pad}${scalar(value)}`];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Non-empty arrays and objects are written as nested blocks; everything else inline. */
function isBlock(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return isObject(value) && Object.values(value).some((v) => v !== undefined);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '.nan';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return '[]';
  if (isObject(value)) return '{}';
  return quoteIfNeeded(String(value));
}

function scalarKey(key: string): string {
  return quoteIfNeeded(key);
}

const PLAIN_SAFE = /^[A-Za-z_./][A-Za-z0-9_./@#-]*( [A-Za-z0-9_./@#-]+)*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function quoteIfNeeded(text: string): string {
  if (PLAIN_SAFE.test(text) && !RESERVED.test(text)) return text;
  return JSON.stringify(text);
}
