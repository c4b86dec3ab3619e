import { isNacosError } from '@tacos/api-pojo';
import { type AuthCommand, type AuthState, applyAuthCommand, emptyAuthState, NO_ADMIN_MESSAGE } from './auth-state';
import {
  addRoleCommand,
  commandError,
  createUserCommand,
  deleteRoleCommand,
  deleteUserCommand,
  initAdminCommand,
  permissionCommand,
  planAdminBootstrap,
  restResult,
  updatePasswordCommand,
} from './commands';
import { verifyPassword } from './password-hash';

const COST = 4;
const params = (values: Record<string, string>) => (name: string) => (Object.hasOwn(values, name) ? values[name] : undefined);

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    expect(isNacosError(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a NacosError');
}

function apply(state: AuthState, command: AuthCommand): AuthState {
  const result = applyAuthCommand(state, command);
  if (!result.ok) throw new Error(result.message);
  return result.state;
}

describe('command builders', () => {
  it('hashes the password on this node; the command never carries it in clear', async () => {
    const command = await createUserCommand(params({ username: ' alice ', password: ' pw with blanks ' }), COST);
    expect(command).toMatchObject({ type: 'createUser', username: 'alice' });
    expect(JSON.stringify(command)).not.toContain('pw with blanks');
    const hash = (command as { passwordHash: string }).passwordHash;
    await expect(verifyPassword(' pw with blanks ', hash)).resolves.toBe(true);
  });

  it('names the missing or illegal field', async () => {
    expect(await rejection(createUserCommand(params({ password: 'x' }), COST))).toBe("Param 'username' is required.");
    expect(await rejection(createUserCommand(params({ username: 'a b', password: 'x' }), COST))).toBe(
      "Param 'username' is illegal, it must be 1-128 characters of letters, digits and _ . @ -",
    );
    expect(await rejection(updatePasswordCommand(params({ username: 'alice' }), COST))).toBe("Param 'newPassword' is required.");
    expect(await rejection(createUserCommand(params({ username: 'a', password: 'x'.repeat(73) }), COST))).toMatch(/^Param 'password' is illegal, password must be at most 72 bytes/);
    expect(await rejection(() => permissionCommand(params({ role: 'dev', resource: 'dev:*:*', action: 'x' }), 'addPermission'))).toBe("Param 'action' is illegal, it must be r, w or rw");
    expect(await rejection(() => permissionCommand(params({ role: 'dev', resource: 'a b', action: 'r' }), 'addPermission'))).toMatch(/^Param 'resource' is illegal/);
  });

  it('builds role, user and permission commands', () => {
    expect(deleteUserCommand(params({ username: 'alice' }))).toEqual({ type: 'deleteUser', username: 'alice' });
    expect(addRoleCommand(params({ role: 'dev', username: 'alice' }))).toEqual({ type: 'addRole', role: 'dev', username: 'alice' });
    expect(deleteRoleCommand(params({ role: 'dev' }))).toEqual({ type: 'deleteRole', role: 'dev' });
    expect(deleteRoleCommand(params({ role: 'dev', username: ' ' }))).toEqual({ type: 'deleteRole', role: 'dev' });
    expect(deleteRoleCommand(params({ role: 'dev', username: 'alice' }))).toEqual({ type: 'deleteRole', role: 'dev', username: 'alice' });
    expect(permissionCommand(params({ role: 'dev', resource: 'dev:*:*', action: 'rw' }), 'deletePermission')).toEqual({
      type: 'deletePermission',
      role: 'dev',
      resource: 'dev:*:*',
      action: 'rw',
    });
  });
});

describe('admin bootstrap', () => {
  it('refuses writes with instructions when there is no admin and no TACOS_ADMIN_PASSWORD', async () => {
    await expect(planAdminBootstrap(emptyAuthState(), undefined, COST)).resolves.toEqual({ action: 'refuse-writes', message: NO_ADMIN_MESSAGE });
    await expect(planAdminBootstrap(emptyAuthState(), '', COST)).resolves.toEqual({ action: 'refuse-writes', message: NO_ADMIN_MESSAGE });
  });

  it('proposes initAdmin from TACOS_ADMIN_PASSWORD, once', async () => {
    const plan = await planAdminBootstrap(emptyAuthState(), 'first-admin-pw', COST);
    if (plan.action !== 'propose') throw new Error(`unexpected ${plan.action}`);
    const state = apply(emptyAuthState(), plan.command);
    await expect(verifyPassword('first-admin-pw', state.users[0]?.password ?? '')).resolves.toBe(true);
    await expect(planAdminBootstrap(state, 'another-pw', COST)).resolves.toEqual({ action: 'none' });
    expect(await rejection(initAdminCommand(state, 'x', COST))).toBe('an admin user already exists; init-admin is only for a new cluster');
  });

  it('reports a bad TACOS_ADMIN_PASSWORD by name', async () => {
    expect(await rejection(planAdminBootstrap(emptyAuthState(), 'a\u0000b', COST))).toBe('TACOS_ADMIN_PASSWORD must not contain control characters');
  });
});

describe('commandError / restResult', () => {
  it("answers 400 with Nacos' message, as Nacos does for every refusal", () => {
    const refused = applyAuthCommand(emptyAuthState(), { type: 'deleteUser', username: 'ghost' });
    if (refused.ok) throw new Error('expected a refusal');
    const err = commandError(refused);
    expect(err.status).toBe(400);
    expect(err.message).toBe('user ghost not exist!');
    expect(restResult('create user ok!')).toEqual({ code: 200, message: 'create user ok!', data: null });
  });
});
