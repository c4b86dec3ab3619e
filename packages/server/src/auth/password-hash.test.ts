import {
  BCRYPT_HASH_PATTERN,
  checkPasswordPolicy,
  hashPassword,
  MAX_PASSWORD_BYTES,
  makeDummyHash,
  PasswordPolicyError,
  verifyPassword,
} from './password-hash';

// Cost 4 (the minimum) keeps these tests fast; the production default is 10.
const COST = 4;

describe('hashPassword / verifyPassword', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('s3cret-Pass', COST);
    expect(hash).toMatch(BCRYPT_HASH_PATTERN);
    expect(hash.startsWith('$2b$04$')).toBe(true);
    await expect(verifyPassword('s3cret-Pass', hash)).resolves.toBe(true);
    await expect(verifyPassword('s3cret-pass', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const a = await hashPassword('same', COST);
    const b = await hashPassword('same', COST);
    expect(a).not.toBe(b);
    await expect(verifyPassword('same', a)).resolves.toBe(true);
    await expect(verifyPassword('same', b)).resolves.toBe(true);
  });

  it('verifies a Nacos $2a$10$ hash (the well-known bcrypt of "nacos" from its SQL seed)', async () => {
    const nacosSeed = '$2a$10$EuWPZHzz32dJN7jexM34MOeYirDdFAZm2kuWj7VEOJhhZkDrxfvUu';
    await expect(verifyPassword('nacos', nacosSeed)).resolves.toBe(true);
    await expect(verifyPassword('nacos1', nacosSeed)).resolves.toBe(false);
  });

  it('handles unicode passwords', async () => {
    const hash = await hashPassword('pässwörd-密码', COST);
    await expect(verifyPassword('pässwörd-密码', hash)).resolves.toBe(true);
    await expect(verifyPassword('passwörd-密码', hash)).resolves.toBe(false);
  });

  it('refuses to hash passwords past 72 bytes rather than truncating them', async () => {
    await expect(hashPassword('x'.repeat(MAX_PASSWORD_BYTES + 1), COST)).rejects.toThrow(PasswordPolicyError);
    await expect(hashPassword('é'.repeat(37), COST)).rejects.toThrow(/at most 72 bytes/);
    await expect(hashPassword('x'.repeat(MAX_PASSWORD_BYTES), COST)).resolves.toMatch(BCRYPT_HASH_PATTERN);
  });

  it('does not accept a longer password that shares the 72-byte prefix', async () => {
    const base = 'y'.repeat(MAX_PASSWORD_BYTES);
    const hash = await hashPassword(base, COST);
    await expect(verifyPassword(base, hash)).resolves.toBe(true);
    await expect(verifyPassword(`${base}extra`, hash)).resolves.toBe(false);
  });

  it('refuses empty passwords, control characters and bad costs', async () => {
    await expect(hashPassword('', COST)).rejects.toThrow(/password must not be empty/);
    await expect(hashPassword('a\nb', COST)).rejects.toThrow(/control characters/);
    await expect(hashPassword('ok', 3)).rejects.toThrow(/cost must be/);
    await expect(hashPassword('ok', 16)).rejects.toThrow(/cost must be/);
    await expect(hashPassword('ok', 4.5)).rejects.toThrow(/cost must be/);
  });

  it('is false, not a throw, for malformed stored hashes and odd input', async () => {
    for (const stored of ['', 'nacos', '$2b$04$short', '$1$abc$def', `$2b$99$${'a'.repeat(53)}`]) {
      await expect(verifyPassword('nacos', stored)).resolves.toBe(false);
    }
    await expect(verifyPassword(undefined as unknown as string, await hashPassword('a', COST))).resolves.toBe(false);
  });

  it('makes dummy hashes that no empty or common password matches', async () => {
    const dummy = await makeDummyHash(COST);
    expect(dummy).toMatch(BCRYPT_HASH_PATTERN);
    for (const guess of ['', 'nacos', 'password', 'admin']) await expect(verifyPassword(guess, dummy)).resolves.toBe(false);
  });
});

describe('checkPasswordPolicy', () => {
  it('names the field', () => {
    expect(checkPasswordPolicy('', 'newPassword')).toBe('newPassword must not be empty');
    expect(checkPasswordPolicy('fine')).toBeUndefined();
  });
});
