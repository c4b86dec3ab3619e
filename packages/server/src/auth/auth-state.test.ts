import {
  type AuthCommand,
  type AuthState,
  applyAuthCommand,
  emptyAuthState,
  findUser,
  hasGlobalAdmin,
  isGlobalAdmin,
  NO_ADMIN_MESSAGE,
  page,
  rolesOf,
  validateAuthCommand,
} from './auth-state';

// Syntactically valid bcrypt hashes (the state only checks the format; hashing is password-hash.ts').
const HASH_A = `$2b$10$${'a'.repeat(53)}`;
const HASH_B = `$2b$10$${'b'.repeat(53)}`;

/** Applies commands in order, failing the test on the first refusal. */
function run(...commands: AuthCommand[]): AuthState {
  let state = emptyAuthState();
  for (const command of commands) {
    const result = applyAuthCommand(state, command);
    if (!result.ok) throw new Error(`${command.type} refused: ${result.message}`);
    state = result.state;
  }
  return state;
}

function refusal(state: AuthState, command: unknown): { code: string; message: string } {
  const result = applyAuthCommand(state, command as AuthCommand);
  if (result.ok) throw new Error('expected a refusal');
  expect(result.state).toBe(state);
  return { code: result.code, message: result.message };
}

const withAdmin = () => run({ type: 'initAdmin', passwordHash: HASH_A });

describe('initAdmin', () => {
  it('creates user nacos with ROLE_ADMIN on an empty state', () => {
    const state = emptyAuthState();
    expect(hasGlobalAdmin(state)).toBe(false);
    const after = withAdmin();
    expect(findUser(after, 'nacos')).toEqual({ username: 'nacos', password: HASH_A });
    expect(isGlobalAdmin(after, 'nacos')).toBe(true);
    expect(hasGlobalAdmin(after)).toBe(true);
  });

  it('is refused once an admin exists', () => {
    expect(refusal(withAdmin(), { type: 'initAdmin', passwordHash: HASH_B })).toEqual({
      code: 'CONFLICT',
      message: 'an admin user already exists; init-admin is only for a new cluster',
    });
  });

  it('refuses a plain password where a hash belongs', () => {
    expect(refusal(emptyAuthState(), { type: 'initAdmin', passwordHash: 'nacos' }).message).toMatch(/^passwordHash: must be a bcrypt hash/);
  });

  it('explains how to set the first admin', () => {
    expect(NO_ADMIN_MESSAGE).toMatch(/tacos user init-admin.*TACOS_ADMIN_PASSWORD/);
  });
});

describe('users', () => {
  it('creates, changes the password of and deletes a user', () => {
    let state = run({ type: 'createUser', username: 'alice', passwordHash: HASH_A });
    expect(findUser(state, 'alice')?.password).toBe(HASH_A);
    const updated = applyAuthCommand(state, { type: 'updatePassword', username: 'alice', passwordHash: HASH_B });
    expect(updated).toMatchObject({ ok: true, message: 'update user ok!' });
    state = updated.state;
    expect(findUser(state, 'alice')?.password).toBe(HASH_B);
    const deleted = applyAuthCommand(state, { type: 'deleteUser', username: 'alice' });
    expect(deleted).toMatchObject({ ok: true, message: 'delete user ok!' });
    expect(findUser(deleted.state, 'alice')).toBeUndefined();
  });

  it("answers Nacos' messages", () => {
    const state = run({ type: 'createUser', username: 'alice', passwordHash: HASH_A });
    expect(refusal(state, { type: 'createUser', username: 'alice', passwordHash: HASH_B })).toEqual({ code: 'CONFLICT', message: "user 'alice' already exist!" });
    expect(refusal(state, { type: 'updatePassword', username: 'bob', passwordHash: HASH_B })).toEqual({ code: 'NOT_FOUND', message: 'user bob not exist!' });
    expect(refusal(state, { type: 'deleteUser', username: 'bob' }).code).toBe('NOT_FOUND');
  });

  it('never deletes the global admin', () => {
    expect(refusal(withAdmin(), { type: 'deleteUser', username: 'nacos' })).toEqual({ code: 'FORBIDDEN', message: 'cannot delete admin: nacos' });
  });

  it('drops the role bindings of a deleted user, so a new user of that name starts clean', () => {
    const state = run(
      { type: 'createUser', username: 'alice', passwordHash: HASH_A },
      { type: 'addRole', role: 'dev', username: 'alice' },
      { type: 'deleteUser', username: 'alice' },
      { type: 'createUser', username: 'alice', passwordHash: HASH_B },
    );
    expect(rolesOf(state, 'alice')).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'a b'],
    ['with a colon', 'a:b'],
    ['with a star', 'a*'],
    ['a proto key', '__proto__x!'],
    ['too long', 'x'.repeat(129)],
    ['non-ASCII', 'ünïcode'],
  ])('refuses a username %s, naming the field', (_name, username) => {
    expect(refusal(emptyAuthState(), { type: 'createUser', username, passwordHash: HASH_A })).toEqual({
      code: 'INVALID_PARAM',
      message: 'username: must be 1-128 characters of letters, digits and _ . @ -',
    });
  });

  it('accepts e-mail-like usernames up to 128 characters', () => {
    expect(findUser(run({ type: 'createUser', username: 'first.last-1@example.org', passwordHash: HASH_A }), 'first.last-1@example.org')).toBeDefined();
    expect(run({ type: 'createUser', username: 'x'.repeat(128), passwordHash: HASH_A }).users).toHaveLength(1);
  });
});

describe('roles', () => {
  const base = () => run({ type: 'initAdmin', passwordHash: HASH_A }, { type: 'createUser', username: 'alice', passwordHash: HASH_B });

  it('binds and unbinds roles', () => {
    let state = run({ type: 'createUser', username: 'alice', passwordHash: HASH_B }, { type: 'addRole', role: 'dev', username: 'alice' }, { type: 'addRole', role: 'ops', username: 'alice' });
    expect(rolesOf(state, 'alice')).toEqual(['dev', 'ops']);
    const removed = applyAuthCommand(state, { type: 'deleteRole', role: 'dev', username: 'alice' });
    expect(removed).toMatchObject({ ok: true, message: 'delete role of user alice ok!' });
    state = removed.state;
    expect(rolesOf(state, 'alice')).toEqual(['ops']);
  });

  it('never grants or removes ROLE_ADMIN through role commands', () => {
    const state = base();
    expect(refusal(state, { type: 'addRole', role: 'ROLE_ADMIN', username: 'alice' })).toEqual({ code: 'FORBIDDEN', message: "role 'ROLE_ADMIN' is not permitted to create!" });
    expect(refusal(state, { type: 'deleteRole', role: 'ROLE_ADMIN', username: 'nacos' }).message).toBe("role 'ROLE_ADMIN' is not permitted to delete!");
    expect(refusal(state, { type: 'deleteRole', role: 'ROLE_ADMIN' }).code).toBe('FORBIDDEN');
  });

  it("answers Nacos' messages for unknown users and duplicates", () => {
    const state = run({ type: 'createUser', username: 'alice', passwordHash: HASH_B }, { type: 'addRole', role: 'dev', username: 'alice' });
    expect(refusal(state, { type: 'addRole', role: 'dev', username: 'bob' })).toEqual({ code: 'NOT_FOUND', message: "user 'bob' not found!" });
    expect(refusal(state, { type: 'addRole', role: 'dev', username: 'alice' }).message).toBe("user 'alice' already bound to the role 'dev'!");
  });

  it('deleting a role as a whole unbinds every user and drops its permissions', () => {
    const state = run(
      { type: 'createUser', username: 'alice', passwordHash: HASH_A },
      { type: 'createUser', username: 'bob', passwordHash: HASH_B },
      { type: 'addRole', role: 'dev', username: 'alice' },
      { type: 'addRole', role: 'dev', username: 'bob' },
      { type: 'addPermission', role: 'dev', resource: 'dev:*:*', action: 'rw' },
      { type: 'deleteRole', role: 'dev' },
    );
    expect(state.roles).toEqual([]);
    expect(state.permissions).toEqual([]);
  });
});

describe('permissions', () => {
  const withRole = () => run({ type: 'createUser', username: 'alice', passwordHash: HASH_A }, { type: 'addRole', role: 'dev', username: 'alice' });

  it('adds and deletes a permission', () => {
    const added = applyAuthCommand(withRole(), { type: 'addPermission', role: 'dev', resource: 'dev:*:*', action: 'r' });
    expect(added).toMatchObject({ ok: true, message: 'add permission ok!' });
    expect(added.state.permissions).toEqual([{ role: 'dev', resource: 'dev:*:*', action: 'r' }]);
    const deleted = applyAuthCommand(added.state, { type: 'deletePermission', role: 'dev', resource: 'dev:*:*', action: 'r' });
    expect(deleted).toMatchObject({ ok: true, message: 'delete permission ok!' });
    expect(deleted.state.permissions).toEqual([]);
  });

  it('stores the console’s blank-namespace resource as public', () => {
    const state = run({ type: 'createUser', username: 'alice', passwordHash: HASH_A }, { type: 'addRole', role: 'dev', username: 'alice' }, { type: 'addPermission', role: 'dev', resource: ':*:*', action: 'rw' });
    expect(state.permissions[0]?.resource).toBe('public:*:*');
  });

  it('refuses unknown roles, duplicates, bad actions and bad resources', () => {
    const state = run({ type: 'createUser', username: 'alice', passwordHash: HASH_A }, { type: 'addRole', role: 'dev', username: 'alice' }, { type: 'addPermission', role: 'dev', resource: 'dev:*:*', action: 'r' });
    expect(refusal(state, { type: 'addPermission', role: 'ops', resource: 'dev:*:*', action: 'r' })).toEqual({ code: 'NOT_FOUND', message: 'role ops not found!' });
    expect(refusal(state, { type: 'addPermission', role: 'dev', resource: 'dev:*:*', action: 'r' }).code).toBe('CONFLICT');
    expect(refusal(state, { type: 'addPermission', role: 'dev', resource: 'dev:*:*', action: 'x' }).message).toBe('action: must be r, w or rw');
    expect(refusal(state, { type: 'addPermission', role: 'dev', resource: 'dev:(a|b)', action: 'r' }).message).toMatch(/^resource: /);
    expect(refusal(state, { type: 'addPermission', role: 'ROLE_ADMIN', resource: '*', action: 'r' }).code).toBe('FORBIDDEN');
  });
});

describe('validateAuthCommand', () => {
  it.each([
    [null, 'command must be an object'],
    [[], 'command must be an object'],
    [{ type: 'dropTables' }, 'type: unknown command "dropTables"'],
    [{ type: 'toString' }, 'type: unknown command "toString"'],
    [{ type: 'createUser', username: 'a' }, 'passwordHash: is required'],
    [{ type: 'deleteUser', username: 'a', extra: 1 }, 'extra: unexpected field for deleteUser'],
    [JSON.parse('{"type":"deleteUser","username":"a","__proto__":{"x":1}}'), '__proto__: unexpected field for deleteUser'],
    [{ type: 'deleteUser', username: 5 }, 'username: is required'],
    [{ type: 'deleteRole', role: 'dev', username: 7 }, 'username: must be 1-128 characters of letters, digits and _ . @ -'],
  ])('%j → %s', (command, message) => {
    expect(validateAuthCommand(command)).toBe(message);
  });

  it('accepts deleteRole with and without username', () => {
    expect(validateAuthCommand({ type: 'deleteRole', role: 'dev' })).toBeUndefined();
    expect(validateAuthCommand({ type: 'deleteRole', role: 'dev', username: 'a' })).toBeUndefined();
  });
});

describe('determinism and snapshots', () => {
  it('gives identical JSON for the same commands, whatever order the users arrive in the arrays', () => {
    const one = run(
      { type: 'createUser', username: 'zed', passwordHash: HASH_A },
      { type: 'createUser', username: 'amy', passwordHash: HASH_B },
      { type: 'addRole', role: 'b', username: 'zed' },
      { type: 'addRole', role: 'a', username: 'amy' },
    );
    const two = run(
      { type: 'createUser', username: 'amy', passwordHash: HASH_B },
      { type: 'createUser', username: 'zed', passwordHash: HASH_A },
      { type: 'addRole', role: 'a', username: 'amy' },
      { type: 'addRole', role: 'b', username: 'zed' },
    );
    expect(JSON.stringify(one)).toBe(JSON.stringify(two));
    expect(JSON.parse(JSON.stringify(one))).toEqual(one);
  });

  it('never mutates its input state', () => {
    const state = withAdmin();
    const frozen = JSON.parse(JSON.stringify(state)) as AuthState;
    Object.freeze(frozen.users);
    Object.freeze(frozen.roles);
    Object.freeze(frozen.permissions);
    Object.freeze(frozen);
    const result = applyAuthCommand(frozen, { type: 'createUser', username: 'alice', passwordHash: HASH_B });
    expect(result.ok).toBe(true);
    expect(frozen.users).toHaveLength(1);
  });
});

describe('page', () => {
  it("answers Nacos' page shape and clamps odd input", () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    expect(page(items, 2, 3)).toEqual({ totalCount: 7, pageNumber: 2, pagesAvailable: 3, pageItems: [3, 4, 5] });
    expect(page(items, 0, 0)).toEqual({ totalCount: 7, pageNumber: 1, pagesAvailable: 7, pageItems: [0] });
    expect(page(items, Number.NaN, 10_000).pageItems).toHaveLength(7);
  });
});

describe('random command sequences (seeded)', () => {
  it('keep the invariants: sorted, unique, bindings of existing users, the admin stays, refusals change nothing', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      let s = seed;
      const rand = (n: number) => {
        s = (s * 1103515245 + 12345) % 2 ** 31;
        return s % n;
      };
      const pick = <T>(items: readonly T[]): T => items[rand(items.length)] as T;
      const names = ['nacos', 'alice', 'bob', 'carol'];
      const roles = ['ROLE_ADMIN', 'dev', 'ops'];
      const resources = ['dev:*:*', ':*:*', 'public:G:naming/s'];
      const actions = ['r', 'w', 'rw'] as const;
      const hashes = [HASH_A, HASH_B];
      let state = emptyAuthState();
      let adminSeen = false;
      let applied = 0;
      for (let step = 0; step < 400; step++) {
        const command: AuthCommand = pick<AuthCommand>([
          { type: 'initAdmin', passwordHash: pick(hashes) },
          { type: 'createUser', username: pick(names), passwordHash: pick(hashes) },
          { type: 'deleteUser', username: pick(names) },
          { type: 'updatePassword', username: pick(names), passwordHash: pick(hashes) },
          { type: 'addRole', role: pick(roles), username: pick(names) },
          { type: 'deleteRole', role: pick(roles), username: pick(names) },
          { type: 'deleteRole', role: pick(roles) },
          { type: 'addPermission', role: pick(roles), resource: pick(resources), action: pick(actions) },
          { type: 'deletePermission', role: pick(roles), resource: pick(resources), action: pick(actions) },
        ]);
        const before = JSON.stringify(state);
        const result = applyAuthCommand(state, command);
        const context = `seed ${seed}, step ${step}, ${JSON.stringify(command)}`;
        if (!result.ok) {
          if (JSON.stringify(result.state) !== before) throw new Error(`refusal changed state: ${context}`);
          continue;
        }
        state = result.state;
        applied++;
        const usernames = state.users.map((u) => u.username);
        if (JSON.stringify(usernames) !== JSON.stringify([...new Set(usernames)].sort())) throw new Error(`users not sorted/unique: ${context}`);
        const bindings = state.roles.map((b) => `${b.role}\u0000${b.username}`);
        if (JSON.stringify(bindings) !== JSON.stringify([...new Set(bindings)].sort())) throw new Error(`bindings not sorted/unique: ${context}`);
        if (state.roles.some((b) => !usernames.includes(b.username))) throw new Error(`binding of a missing user: ${context}`);
        if (state.permissions.some((p) => p.role === 'ROLE_ADMIN' || p.resource.startsWith(':'))) throw new Error(`bad permission: ${context}`);
        if (adminSeen && !isGlobalAdmin(state, 'nacos')) throw new Error(`admin lost: ${context}`);
        adminSeen = adminSeen || hasGlobalAdmin(state);
        if (state.roles.filter((b) => b.role === 'ROLE_ADMIN').length > 1) throw new Error(`second admin: ${context}`);
      }
      // The sequence must exercise the state, not only bounce off validation.
      expect(applied).toBeGreaterThan(80);
      expect(adminSeen).toBe(true);
    }
  });
});
