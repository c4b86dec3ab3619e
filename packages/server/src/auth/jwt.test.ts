import { createHmac } from 'node:crypto';
import { issueLoginToken, MAX_TOKEN_LENGTH, nacosTokenError, signJwt, verifyJwt } from './jwt';

const KEY = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEF', 'utf8');
const OTHER_KEY = Buffer.from('zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVU', 'utf8');
const NOW = 1_700_000_000;

function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
}

/** A token with any header and payload, signed with HS256 under `key` (to build hostile tokens). */
function forge(header: unknown, payload: unknown, key: Uint8Array = KEY): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe('signJwt / verifyJwt', () => {
  it('round-trips sub, iat and exp', () => {
    const token = signJwt({ sub: 'nacos', iat: NOW, exp: NOW + 100 }, KEY);
    expect(verifyJwt(token, KEY, NOW + 1)).toEqual({ ok: true, claims: { sub: 'nacos', iat: NOW, exp: NOW + 100 } });
  });

  it('writes an HS256 header and base64url parts without padding', () => {
    const token = signJwt({ sub: 'a', exp: NOW }, KEY);
    const [header, payload, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header as string, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload as string, 'base64url').toString())).toEqual({ sub: 'a', exp: NOW });
    expect(token).not.toMatch(/[=+/]/);
    expect(Buffer.from(signature as string, 'base64url')).toHaveLength(32);
  });

  it('accepts a Nacos-style token (header {"alg":"HS256"}, no iat)', () => {
    const token = forge({ alg: 'HS256' }, { sub: 'nacos', exp: NOW + 10 });
    expect(verifyJwt(token, KEY, NOW)).toEqual({ ok: true, claims: { sub: 'nacos', exp: NOW + 10 } });
  });

  it('is expired at exp exactly, valid one second before', () => {
    const token = signJwt({ sub: 'a', exp: NOW }, KEY);
    expect(verifyJwt(token, KEY, NOW - 1).ok).toBe(true);
    expect(verifyJwt(token, KEY, NOW)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token signed with another key', () => {
    const token = signJwt({ sub: 'nacos', exp: NOW + 100 }, OTHER_KEY);
    expect(verifyJwt(token, KEY, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('reports a forged expired token as bad-signature, not expired', () => {
    const token = signJwt({ sub: 'nacos', exp: NOW - 100 }, OTHER_KEY);
    expect(verifyJwt(token, KEY, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a changed payload with the original signature', () => {
    const token = signJwt({ sub: 'alice', exp: NOW + 100 }, KEY);
    const [header, , signature] = token.split('.');
    const tampered = `${header}.${b64({ sub: 'nacos', exp: NOW + 100 })}.${signature}`;
    expect(verifyJwt(tampered, KEY, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['none', { alg: 'none' }],
    ['lower-case hs256', { alg: 'hs256' }],
    ['HS512 (what Nacos 2.x may sign)', { alg: 'HS512' }],
    ['RS256', { alg: 'RS256' }],
    ['missing alg', { typ: 'JWT' }],
    ['alg as array', { alg: ['HS256'] }],
    ['crit extension', { alg: 'HS256', crit: ['exp'] }],
  ])('refuses header %s', (_name, header) => {
    expect(verifyJwt(forge(header, { sub: 'nacos', exp: NOW + 100 }), KEY, NOW)).toEqual({ ok: false, reason: 'unsupported-alg' });
  });

  it('refuses alg:none with an empty signature (the classic bypass)', () => {
    const token = `${b64({ alg: 'none' })}.${b64({ sub: 'nacos', exp: NOW + 100 })}.`;
    expect(verifyJwt(token, KEY, NOW)).toEqual({ ok: false, reason: 'unsupported-alg' });
  });

  it('refuses an HS256 token with an empty signature', () => {
    const token = `${b64({ alg: 'HS256' })}.${b64({ sub: 'nacos', exp: NOW + 100 })}.`;
    expect(verifyJwt(token, KEY, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses the public forged Nacos token (string exp, HS512) as unsupported', () => {
    const published =
      'eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJuYWNvcyIsImV4cCI6IjI2MTYyMzkwMjIifQ.5aXePQdHbh9hKNoj_qqCC4x6PzbXmpy-vYQHhi0PdjVHyDJ40Ge6CVz6AWuV1UHa4H8-A-LXMOqQGSXjrsJ8HQ';
    expect(verifyJwt(published, KEY, NOW).ok).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['one part', 'abc'],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['non-base64url characters', 'a+b.c/d.e=f'],
    ['header not JSON', `${b64('nope')}.${b64({ sub: 'a', exp: NOW + 1 })}.sig`],
    ['header a JSON array', `${b64([1])}.${b64({ sub: 'a', exp: NOW + 1 })}.sig`],
    ['too long', `${'a'.repeat(MAX_TOKEN_LENGTH)}.b.c`],
  ])('refuses a malformed token: %s', (_name, token) => {
    expect(verifyJwt(token, KEY, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['string exp', { sub: 'a', exp: String(NOW + 100) }],
    ['fractional exp', { sub: 'a', exp: NOW + 0.5 }],
    ['missing exp', { sub: 'a' }],
    ['empty sub', { sub: '', exp: NOW + 100 }],
    ['numeric sub', { sub: 1, exp: NOW + 100 }],
    ['string iat', { sub: 'a', exp: NOW + 100, iat: 'x' }],
    ['payload is null', null],
  ])('refuses correctly signed but malformed claims: %s', (_name, payload) => {
    expect(verifyJwt(forge({ alg: 'HS256' }, payload), KEY, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses an iat far in the future, tolerates a small skew', () => {
    expect(verifyJwt(signJwt({ sub: 'a', iat: NOW + 30, exp: NOW + 1000 }, KEY), KEY, NOW).ok).toBe(true);
    expect(verifyJwt(signJwt({ sub: 'a', iat: NOW + 3600, exp: NOW + 9000 }, KEY), KEY, NOW)).toEqual({ ok: false, reason: 'not-yet-valid' });
  });

  it('throws on claims it would never accept', () => {
    expect(() => signJwt({ sub: '', exp: NOW }, KEY)).toThrow(TypeError);
    expect(() => signJwt({ sub: 'a', exp: 1.5 }, KEY)).toThrow(TypeError);
  });

  it('never throws on random garbage', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = 'ab.-_=+/{}"\\\u0000é.';
    for (let i = 0; i < 2000; i++) {
      let token = '';
      const length = Math.floor(rand() * 60);
      for (let j = 0; j < length; j++) token += alphabet[Math.floor(rand() * alphabet.length)];
      expect(verifyJwt(token, KEY, NOW).ok).toBe(false);
    }
  });
});

describe('nacosTokenError', () => {
  it('maps expiry to token expired! and the rest to token invalid!', () => {
    expect(nacosTokenError('expired')).toBe('token expired!');
    for (const reason of ['malformed', 'unsupported-alg', 'bad-signature', 'not-yet-valid'] as const) {
      expect(nacosTokenError(reason)).toBe('token invalid!');
    }
  });
});

describe('issueLoginToken', () => {
  it("answers Nacos' login body with an 18000 s token by default", () => {
    const body = issueLoginToken('nacos', KEY, NOW * 1000 + 999, true);
    expect(body.tokenTtl).toBe(18000);
    expect(body.globalAdmin).toBe(true);
    expect(verifyJwt(body.accessToken, KEY, NOW)).toEqual({ ok: true, claims: { sub: 'nacos', iat: NOW, exp: NOW + 18000 } });
    expect(verifyJwt(body.accessToken, KEY, NOW + 18000)).toEqual({ ok: false, reason: 'expired' });
  });
});
