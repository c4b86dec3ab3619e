import { usageError } from './cli-error';

/**
 * Parses `--metadata` text: `k=v,k2=v2` (values may contain `=`; whitespace around keys and values is
 * trimmed) or a JSON object of strings. Throws a usage error naming the bad entry. An empty string
 * gives `{}`.
 */
export function parseMetadata(text: string): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw usageError(`--metadata is not valid JSON: ${text}`, 'use k=v,k2=v2 or a JSON object');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw usageError(`--metadata must be a JSON object: ${text}`);
    }
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  const result: Record<string, string> = {};
  for (const entry of trimmed.split(',')) {
    const at = entry.indexOf('=');
    const key = at === -1 ? '' : entry.slice(0, at).trim();
    if (key === '') throw usageError(`bad --metadata entry "${entry}"`, 'use k=v,k2=v2');
    result[key] = entry.slice(at + 1).trim();
  }
  return result;
}

/** Renders metadata compactly for tables: `k=v,k2=v2` (empty → ``). */
export function formatMetadata(metadata: Record<string, string> | undefined): string {
  if (!metadata) return '';
  return Object.entries(metadata)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
