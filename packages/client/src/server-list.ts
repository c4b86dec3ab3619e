/**
 * Turns the `servers` option into a list of base URLs (`http://host:port`, no trailing slash).
 *
 * Accepts a string or an array; each string may hold several addresses separated by commas or
 * whitespace. An address is `host`, `host:port`, `[v6]:port` or a full `http(s)://` URL; a missing scheme
 * means `http`, a missing port means 8848 (as Nacos), and a trailing `/nacos` context path is dropped
 * (the client adds it). Duplicates are removed, order is kept. Throws a `TypeError` naming the bad
 * address when one cannot be parsed, and when the list ends up empty.
 */
export function parseServerList(servers: string | readonly string[]): string[] {
  const raw = (typeof servers === 'string' ? [servers] : [...servers])
    .flatMap((entry) => entry.split(/[\s,]+/))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const result: string[] = [];
  for (const entry of raw) {
    const normalized = normalizeAddress(entry);
    if (!result.includes(normalized)) result.push(normalized);
  }
  if (result.length === 0) throw new TypeError('no Tacos server address given');
  return result;
}

/** Normalizes one address (see {@link parseServerList}). */
export function normalizeAddress(address: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (error) {
    throw new TypeError(`invalid server address: ${address}`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`invalid server address: ${address} (only http and https are supported)`);
  }
  if (url.hostname === '') throw new TypeError(`invalid server address: ${address}`);
  const port = url.port === '' && !/^[a-z]+:\/\//i.test(address) ? '8848' : url.port;
  let path = url.pathname.replace(/\/+$/, '');
  if (path === '/nacos') path = '';
  const hostPort = port === '' ? url.hostname : `${url.hostname}:${port}`;
  return `${url.protocol}//${hostPort}${path}`;
}
