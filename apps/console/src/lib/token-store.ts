// The access token lives in sessionStorage: one login per browser tab, gone when the tab closes.

/** What the console keeps after a login. `expiresAt` is epoch ms (from the server's `tokenTtl`). */
export interface StoredToken {
  accessToken: string;
  username: string;
  globalAdmin: boolean;
  expiresAt: number;
}

const KEY = 'tacos.console.token';

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

/** Stores a fresh login. `tokenTtl` is in seconds, as the login answer gives it. */
export function saveToken(login: { accessToken: string; tokenTtl: number; globalAdmin: boolean }, username: string, now = Date.now()): StoredToken {
  const token: StoredToken = {
    accessToken: login.accessToken,
    username,
    globalAdmin: login.globalAdmin === true,
    expiresAt: now + Math.max(0, Number(login.tokenTtl) || 0) * 1000,
  };
  storage()?.setItem(KEY, JSON.stringify(token));
  return token;
}

/**
 * The stored token, or undefined when there is none, it is malformed, or it has expired (an expired token
 * is removed, so the next call goes to the login page instead of failing with "token expired!").
 */
export function readToken(now = Date.now()): StoredToken | undefined {
  const raw = storage()?.getItem(KEY);
  if (!raw) return undefined;
  try {
    const token = JSON.parse(raw) as StoredToken;
    if (typeof token.accessToken !== 'string' || token.accessToken === '') throw new Error('no token');
    if (typeof token.expiresAt === 'number' && token.expiresAt > 0 && token.expiresAt <= now) {
      clearToken();
      return undefined;
    }
    return token;
  } catch {
    clearToken();
    return undefined;
  }
}

/** Forgets the token (logout, or the server rejected it). */
export function clearToken(): void {
  storage()?.removeItem(KEY);
}
