import { randomBytes } from 'node:crypto';
import { isKnownDefault, KNOWN_NACOS_DEFAULT_SECRETS, parseTokenSecret, TokenSecretError } from './token-secret';

function reasonOf(configured: string | undefined): string | undefined {
  try {
    parseTokenSecret(configured, true);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(TokenSecretError);
    return (err as TokenSecretError).reason;
  }
}

describe('parseTokenSecret', () => {
  it('ignores the value entirely when auth is off', () => {
    expect(parseTokenSecret(undefined, false)).toBeUndefined();
    expect(parseTokenSecret('short', false)).toBeUndefined();
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('refuses a %s secret with a message saying how to make one', (_name, value) => {
    expect(() => parseTokenSecret(value, true)).toThrow(/no token secret is configured.*openssl rand -base64 48.*TACOS_TOKEN_SECRET/);
  });

  it('decodes canonical Base64 of at least 32 bytes, as Nacos does', () => {
    const bytes = randomBytes(48);
    const secret = parseTokenSecret(bytes.toString('base64'), true);
    expect(secret?.encoding).toBe('base64');
    expect(secret?.key.equals(bytes)).toBe(true);
  });

  it('accepts an explicit base64: prefix', () => {
    const bytes = randomBytes(32);
    expect(parseTokenSecret(`base64:${bytes.toString('base64')}`, true)?.key.equals(bytes)).toBe(true);
  });

  it('refuses a base64: prefix followed by something else', () => {
    expect(reasonOf('base64:not base64 at all!!')).toBe('bad-base64');
  });

  it('takes other text as raw UTF-8 bytes', () => {
    const raw = 'correct horse battery staple, with punctuation!';
    const secret = parseTokenSecret(raw, true);
    expect(secret).toEqual({ key: Buffer.from(raw, 'utf8'), encoding: 'raw' });
  });

  it('reads Base64 that decodes to fewer than 32 bytes as raw text (still ≥ 32 bytes)', () => {
    // 32 Base64 letters decode to 24 bytes; as raw text they are 32 bytes.
    const text = 'Qm9yaW5nUGFzc3dvcmRGb3JUZXN0aW5n'.slice(0, 32);
    expect(text).toHaveLength(32);
    expect(parseTokenSecret(text, true)?.encoding).toBe('raw');
  });

  it('refuses secrets shorter than 32 bytes, however read', () => {
    expect(reasonOf('tooShortSecret_31_characters_xx')).toBe('too-short');
    expect(reasonOf(`base64:${randomBytes(31).toString('base64')}`)).toBe('too-short');
    expect(() => parseTokenSecret('x1y2z3', true)).toThrow(/6 bytes .*at least 32 bytes/);
  });

  it('refuses placeholders with few distinct bytes', () => {
    expect(reasonOf('a'.repeat(64))).toBe('low-entropy');
    expect(reasonOf('abcabcabcabcabcabcabcabcabcabcabcabc')).toBe('low-entropy');
  });

  it.each(KNOWN_NACOS_DEFAULT_SECRETS.map((s) => [s]))('refuses the published Nacos default %s', (secret) => {
    expect(reasonOf(secret)).toBe('known-default');
    expect(reasonOf(`  ${secret}  `)).toBe('known-default');
  });

  it('refuses a default written in another form', () => {
    const classic = 'SecretKey012345678901234567890123456789012345678901234567890123456789';
    expect(reasonOf(`base64:${Buffer.from(classic).toString('base64')}`)).toBe('known-default');
    expect(reasonOf(classic.toLowerCase())).toBe('known-default');
    expect(reasonOf(Buffer.from('ThisIsMyCustomSecretKey012345678').toString('base64'))).toBe('known-default');
    expect(() => parseTokenSecret(classic, true)).toThrow(/published Nacos default.*forge/);
  });

  it('accepts a fresh random secret in every form', () => {
    for (let i = 0; i < 20; i++) {
      const bytes = randomBytes(32 + i);
      expect(isKnownDefault(bytes.toString('base64'))).toBe(false);
      expect(parseTokenSecret(bytes.toString('base64'), true)?.key.equals(bytes)).toBe(true);
      expect(parseTokenSecret(bytes.toString('hex'), true)?.key.length).toBeGreaterThanOrEqual(32);
    }
  });
});
