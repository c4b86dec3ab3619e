// Hash routes (`#/services/detail?name=a&group=b`): the server serves one index.html under /nacos/ and needs
// no fallback route, and links keep working when copied.

/** A parsed route: the path (`/services`) and its query parameters. */
export interface Route {
  path: string;
  params: Record<string, string>;
}

/** Parses `location.hash`; an empty or bare hash is `/services`. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const path = pathPart === '' || pathPart === '/' ? '/services' : pathPart.startsWith('/') ? pathPart : `/${pathPart}`;
  const params: Record<string, string> = {};
  new URLSearchParams(queryPart).forEach((value, key) => {
    params[key] = value;
  });
  return { path, params };
}

/** Builds a hash for a path and parameters (empty values are left out). */
export function buildHash(path: string, params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, value);
  }
  const query = search.toString();
  return `#${path}${query ? `?${query}` : ''}`;
}
