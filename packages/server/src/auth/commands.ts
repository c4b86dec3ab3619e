import { NACOS_ERROR_CODES, NacosError, paramIllegal, paramRequired } from '@tacos/api-pojo';
import {
  type AuthCommand,
  type AuthCommandResult,
  type AuthState,
  hasGlobalAdmin,
  NAME_PATTERN,
  NO_ADMIN_MESSAGE,
  RESOURCE_PATTERN,
} from './auth-state';
import { checkPasswordPolicy, DEFAULT_BCRYPT_COST, hashPassword } from './password-hash';
import { isGrantedAction } from './permissions';

/**
 * The step between an HTTP handler and the Raft log: builds {@link AuthCommand}s from request
 * parameters (validating each field with a message naming it, hashing passwords on this node), and
 * turns a refused command back into the error Nacos would answer. Also the admin bootstrap rules.
 */

/**
 * Where a builder reads parameters from: pass the RAW source (`HandlerRequest#param`), not `Params#get`.
 * Builders trim names themselves but never a password: the authenticator compares passwords exactly as
 * sent, so trimming at creation would make a password with outer blanks unusable.
 */
export type ParamSource = (name: string) => string | undefined;

/** `POST /v1/auth/users` (username, password) → createUser. Throws NacosError (400) naming the field. */
export async function createUserCommand(param: ParamSource, cost: number = DEFAULT_BCRYPT_COST): Promise<AuthCommand> {
  const username = name(param, 'username');
  return { type: 'createUser', username, passwordHash: await hashed(param, 'password', cost) };
}

/** `PUT /v1/auth/users` (username, newPassword) → updatePassword. The handler checks self-or-admin first. */
export async function updatePasswordCommand(param: ParamSource, cost: number = DEFAULT_BCRYPT_COST): Promise<AuthCommand> {
  const username = name(param, 'username');
  return { type: 'updatePassword', username, passwordHash: await hashed(param, 'newPassword', cost) };
}

/** `DELETE /v1/auth/users` (username) → deleteUser. */
export function deleteUserCommand(param: ParamSource): AuthCommand {
  return { type: 'deleteUser', username: name(param, 'username') };
}

/** `POST /v1/auth/roles` (role, username) → addRole. */
export function addRoleCommand(param: ParamSource): AuthCommand {
  return { type: 'addRole', role: name(param, 'role'), username: name(param, 'username') };
}

/** `DELETE /v1/auth/roles` (role[, username]) → deleteRole; without username the whole role goes. */
export function deleteRoleCommand(param: ParamSource): AuthCommand {
  const role = name(param, 'role');
  const username = param('username')?.trim();
  return username === undefined || username === '' ? { type: 'deleteRole', role } : { type: 'deleteRole', role, username: name(param, 'username') };
}

/** `POST` / `DELETE /v1/auth/permissions` (role, resource, action) → add/deletePermission. */
export function permissionCommand(param: ParamSource, type: 'addPermission' | 'deletePermission'): AuthCommand {
  const role = name(param, 'role');
  const resource = required(param, 'resource');
  if (!RESOURCE_PATTERN.test(resource)) {
    throw paramIllegal('resource', 'it must be 1-1024 characters of letters, digits, _ . : @ / - and * (wildcard)');
  }
  const action = required(param, 'action');
  if (!isGrantedAction(action)) throw paramIllegal('action', 'it must be r, w or rw');
  return { type, role, resource, action };
}

/**
 * `POST /v1/auth/users/admin` (password) or `tacos user init-admin` → initAdmin for user `nacos`.
 * Throws NacosError CONFLICT when an admin exists already (checked again when the command applies).
 */
export async function initAdminCommand(state: AuthState, password: string | undefined, cost: number = DEFAULT_BCRYPT_COST): Promise<AuthCommand> {
  if (hasGlobalAdmin(state)) throw new NacosError(NACOS_ERROR_CODES.CONFLICT, 'an admin user already exists; init-admin is only for a new cluster');
  return { type: 'initAdmin', passwordHash: await hashed(() => password, 'password', cost) };
}

/**
 * What to do at startup about the first admin, with auth on: `none` when an admin exists; `propose`
 * with the command when `TACOS_ADMIN_PASSWORD` is set and there is no admin yet (the leader proposes
 * it once; a follower ignores it); `refuse-writes` otherwise, with the message to log and to answer
 * (503) on every write until an admin exists. A TACOS_ADMIN_PASSWORD that breaks the policy throws
 * NacosError naming the variable, which the host reports as a startup error.
 */
export async function planAdminBootstrap(
  state: AuthState,
  envAdminPassword: string | undefined,
  cost: number = DEFAULT_BCRYPT_COST,
): Promise<{ action: 'none' } | { action: 'propose'; command: AuthCommand } | { action: 'refuse-writes'; message: string }> {
  if (hasGlobalAdmin(state)) return { action: 'none' };
  if (envAdminPassword === undefined || envAdminPassword === '') return { action: 'refuse-writes', message: NO_ADMIN_MESSAGE };
  const problem = checkPasswordPolicy(envAdminPassword, 'TACOS_ADMIN_PASSWORD');
  if (problem !== undefined) throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, problem);
  return { action: 'propose', command: await initAdminCommand(state, envAdminPassword, cost) };
}

/**
 * The error to answer for a refused command: a NacosError with Nacos' message. Nacos answers every
 * auth-management refusal with 400 (its controllers throw IllegalArgumentException), so every code
 * maps to a 400 code here; `FORBIDDEN`/`NOT_FOUND` stay visible in `cause` for logs.
 */
export function commandError(result: Extract<AuthCommandResult, { ok: false }>): NacosError {
  const code = result.code === 'CONFLICT' ? NACOS_ERROR_CODES.CONFLICT : NACOS_ERROR_CODES.INVALID_PARAM;
  return new NacosError(code, result.message, { cause: result.code });
}

/** Nacos' RestResult body of a successful write: `{"code":200,"message":"create user ok!","data":null}`. */
export function restResult(message: string, data: unknown = null): { code: 200; message: string; data: unknown } {
  return { code: 200, message, data };
}

function required(param: ParamSource, field: string, trim = true): string {
  const raw = param(field);
  const value = trim ? raw?.trim() : raw;
  if (value === undefined || value === '') throw paramRequired(field);
  return value;
}

function name(param: ParamSource, field: string): string {
  const value = required(param, field);
  if (!NAME_PATTERN.test(value)) throw paramIllegal(field, 'it must be 1-128 characters of letters, digits and _ . @ -');
  return value;
}

async function hashed(param: ParamSource, field: string, cost: number): Promise<string> {
  const password = required(param, field, false);
  const problem = checkPasswordPolicy(password, field);
  if (problem !== undefined) throw paramIllegal(field, problem);
  return hashPassword(password, cost);
}
