// Small formatters for tables.

/** "3 s ago", "5 min ago", "2 h ago"; "—" for a missing or zero time. */
export function formatAgo(epochMs: number | undefined, now = Date.now()): string {
  if (!epochMs) return '—';
  const seconds = Math.round((now - epochMs) / 1000);
  if (seconds < 0) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** Weight without float noise: 1 → "1", 0.5 → "0.5", 3.14159 → "3.14". */
export function formatWeight(weight: number): string {
  return Number.isFinite(weight) ? String(Math.round(weight * 100) / 100) : String(weight);
}

/** The namespace id to send for a namespace row: Nacos shows public as "". */
export function namespaceLabel(ns: { namespace: string; namespaceShowName: string }): string {
  return ns.namespaceShowName || ns.namespace || 'public';
}
