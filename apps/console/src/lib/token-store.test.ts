import { clearToken, readToken, saveToken } from './token-store';

beforeEach(() => sessionStorage.clear());

test('a saved token is read back until it expires, then removed', () => {
  saveToken({ accessToken: 'jwt', tokenTtl: 60, globalAdmin: true }, 'admin', 1_000);
  expect(readToken(2_000)).toEqual({ accessToken: 'jwt', username: 'admin', globalAdmin: true, expiresAt: 61_000 });
  expect(readToken(61_000)).toBeUndefined();
  expect(sessionStorage.length).toBe(0);
});

test('malformed storage is ignored and cleared; clearToken logs out', () => {
  sessionStorage.setItem('tacos.console.token', '{not json');
  expect(readToken()).toBeUndefined();
  saveToken({ accessToken: 't', tokenTtl: 100, globalAdmin: false }, 'u');
  expect(readToken()?.username).toBe('u');
  clearToken();
  expect(readToken()).toBeUndefined();
});
