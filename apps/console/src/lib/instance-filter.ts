// The detail page's instance filter: one box that matches addresses and metadata.

/**
 * Keeps the instances whose `ip:port` or any `key=value` metadata pair contains the query (case-insensitive).
 * Several words separated by spaces must all match (each may match a different field). A blank query keeps
 * everything. The input array is not changed.
 */
export function filterInstances<T extends { ip: string; port: number; metadata?: Record<string, string> }>(instances: readonly T[], query: string): T[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return [...instances];
  return instances.filter((instance) => {
    const fields = [`${instance.ip}:${instance.port}`, ...Object.entries(instance.metadata ?? {}).map(([k, v]) => `${k}=${v}`)].map((f) => f.toLowerCase());
    return words.every((word) => fields.some((field) => field.includes(word)));
  });
}
