import { BCRYPT_HASH_PATTERN } from './password-hash';
import { GLOBAL_ADMIN_ROLE, type GrantedAction, isGrantedAction, type Permission } from './permissions';

/**
 * Users, role bindings and permissions as one plain, JSON-serialisable object, and the commands that
 * change it as pure functions. Core's Raft state machine owns the live state: it applies committed
 * {@link AuthCommand}s in log order with {@link applyAuthCommand} and snapshots the state with
 * `JSON.stringify`. Determinism: the same state and command always give the same result (no clock, no
 * randomness; passwords arrive already hashed, so the slow and salted part happens on the node that
 * received the request, before proposing).
 */

/** Nacos' default (and only bootstrap) admin username. */
export const DEFAULT_ADMIN_USERNAME = 'nacos';

/**
 * Usernames and role names: letters, digits and `_ . @ -`, 1-128 characters. Nacos itself only bounds
 * the length (varchar(50)); Tacos is stricter so names are safe in logs, URLs and the console, and can
 * never contain `:` or `*`, which mean something in resources.
 */
export const NAME_PATTERN = /^[A-Za-z0-9_.@-]{1,128}$/;

/**
 * Stored permission resources: service-name characters plus `*` (wildcard) and `/` (`naming/…`),
 * 1-1024 characters. Everything but `*` matches literally (permissions.ts).
 */
export const RESOURCE_PATTERN = /^[A-Za-z0-9_.:@/*-]{1,1024}$/;

/** Bounds on state size, so a flood of create commands cannot grow snapshots without limit. */
export const AUTH_STATE_LIMITS = { users: 10_000, roleBindings: 100_000, permissions: 100_000 } as const;

/** A user; `password` is a bcrypt hash (Nacos' `users` table column name). */
export interface AuthUser {
  username: string;
  password: string;
}

/** A role bound to a user (Nacos' `roles` table row). */
export interface RoleBinding {
  role: string;
  username: string;
}

/**
 * The whole auth state. Arrays are kept sorted (users by name, bindings by role then user, permissions
 * by role, resource, action) so two replicas that applied the same log serialise identically.
 * Treat it as immutable: every command returns a new object and never mutates its input.
 */
export interface AuthState {
  users: AuthUser[];
  roles: RoleBinding[];
  permissions: Permission[];
}

/**
 * What the server says (log at startup, 503 body of every refused write) while no admin exists: there
 * is no default password, so the operator must set one.
 */
export const NO_ADMIN_MESSAGE =
  "auth is on but no admin user exists yet, so writes are refused. Set the password of the admin user 'nacos' " +
  'with `tacos user init-admin`, or start the first member with TACOS_ADMIN_PASSWORD=<password>.';

/** The state of a fresh cluster: nobody, so no admin (writes are refused until one is initialised). */
export function emptyAuthState(): AuthState {
  return { users: [], roles: [], permissions: [] };
}

/** The commands. Plain JSON objects: they travel through the Raft log as is. */
export type AuthCommand =
  | { type: 'initAdmin'; passwordHash: string }
  | { type: 'createUser'; username: string; passwordHash: string }
  | { type: 'deleteUser'; username: string }
  | { type: 'updatePassword'; username: string; passwordHash: string }
  | { type: 'addRole'; role: string; username: string }
  /** Without `username`, the role is removed from every user and its permissions are dropped. */
  | { type: 'deleteRole'; role: string; username?: string }
  | { type: 'addPermission'; role: string; resource: string; action: GrantedAction }
  | { type: 'deletePermission'; role: string; resource: string; action: GrantedAction };

/** Error codes of a refused command; they are `NACOS_ERROR_CODES` values so the host maps them directly. */
export type AuthCommandErrorCode = 'INVALID_PARAM' | 'CONFLICT' | 'NOT_FOUND' | 'FORBIDDEN';

/**
 * What applying a command gives. On success `message` is Nacos' RestResult message (`create user ok!`);
 * on refusal `state` is the input state, unchanged, and `message` is Nacos' error text where it has
 * one (`user 'x' already exist!`), else a Tacos text naming the field.
 */
export type AuthCommandResult =
  | { ok: true; state: AuthState; message: string }
  | { ok: false; state: AuthState; code: AuthCommandErrorCode; message: string };

/**
 * Applies one command. Pure and deterministic; never throws for a bad command (a replicated log must
 * not crash the state machine), it returns `ok: false` instead. Commands are re-validated here even if
 * the proposer validated them, since the log may hold entries from another version.
 */
export function applyAuthCommand(state: AuthState, command: AuthCommand): AuthCommandResult {
  const invalid = validateAuthCommand(command);
  if (invalid !== undefined) return refuse(state, 'INVALID_PARAM', invalid);
  switch (command.type) {
    case 'initAdmin': {
      if (hasGlobalAdmin(state)) return refuse(state, 'CONFLICT', 'an admin user already exists; init-admin is only for a new cluster');
      if (findUser(state, DEFAULT_ADMIN_USERNAME)) return refuse(state, 'CONFLICT', `user '${DEFAULT_ADMIN_USERNAME}' already exist!`);
      const users = insertSorted(state.users, { username: DEFAULT_ADMIN_USERNAME, password: command.passwordHash }, compareUsers);
      const roles = insertSorted(state.roles, { role: GLOBAL_ADMIN_ROLE, username: DEFAULT_ADMIN_USERNAME }, compareBindings);
      return done({ ...state, users, roles }, 'create admin user ok!');
    }
    case 'createUser': {
      if (findUser(state, command.username)) return refuse(state, 'CONFLICT', `user '${command.username}' already exist!`);
      if (state.users.length >= AUTH_STATE_LIMITS.users) return refuse(state, 'CONFLICT', `too many users (limit ${AUTH_STATE_LIMITS.users})`);
      const users = insertSorted(state.users, { username: command.username, password: command.passwordHash }, compareUsers);
      return done({ ...state, users }, 'create user ok!');
    }
    case 'deleteUser': {
      if (isGlobalAdmin(state, command.username)) return refuse(state, 'FORBIDDEN', `cannot delete admin: ${command.username}`);
      if (!findUser(state, command.username)) return refuse(state, 'NOT_FOUND', `user ${command.username} not exist!`);
      // Unlike Nacos, the user's role bindings go too: a later user of the same name must not inherit them.
      const users = state.users.filter((u) => u.username !== command.username);
      const roles = state.roles.filter((b) => b.username !== command.username);
      return done({ ...state, users, roles }, 'delete user ok!');
    }
    case 'updatePassword': {
      if (!findUser(state, command.username)) return refuse(state, 'NOT_FOUND', `user ${command.username} not exist!`);
      const users = state.users.map((u) => (u.username === command.username ? { username: u.username, password: command.passwordHash } : u));
      return done({ ...state, users }, 'update user ok!');
    }
    case 'addRole': {
      if (command.role === GLOBAL_ADMIN_ROLE) return refuse(state, 'FORBIDDEN', `role '${GLOBAL_ADMIN_ROLE}' is not permitted to create!`);
      if (!findUser(state, command.username)) return refuse(state, 'NOT_FOUND', `user '${command.username}' not found!`);
      if (state.roles.some((b) => b.role === command.role && b.username === command.username)) {
        return refuse(state, 'CONFLICT', `user '${command.username}' already bound to the role '${command.role}'!`);
      }
      if (state.roles.length >= AUTH_STATE_LIMITS.roleBindings) return refuse(state, 'CONFLICT', 'too many role bindings');
      const roles = insertSorted(state.roles, { role: command.role, username: command.username }, compareBindings);
      return done({ ...state, roles }, 'add role ok!');
    }
    case 'deleteRole': {
      if (command.role === GLOBAL_ADMIN_ROLE) return refuse(state, 'FORBIDDEN', `role '${GLOBAL_ADMIN_ROLE}' is not permitted to delete!`);
      const { role, username } = command;
      if (username === undefined) {
        const roles = state.roles.filter((b) => b.role !== role);
        const permissions = state.permissions.filter((p) => p.role !== role);
        return done({ ...state, roles, permissions }, 'delete role ok!');
      }
      const roles = state.roles.filter((b) => !(b.role === role && b.username === username));
      return done({ ...state, roles }, `delete role of user ${username} ok!`);
    }
    case 'addPermission': {
      if (command.role === GLOBAL_ADMIN_ROLE) return refuse(state, 'FORBIDDEN', `role '${GLOBAL_ADMIN_ROLE}' already has every permission`);
      if (!state.roles.some((b) => b.role === command.role)) return refuse(state, 'NOT_FOUND', `role ${command.role} not found!`);
      const permission = { role: command.role, resource: normalizeStoredResource(command.resource), action: command.action };
      if (state.permissions.some((p) => comparePermissions(p, permission) === 0)) {
        return refuse(state, 'CONFLICT', `permission ${permission.action} on ${permission.resource} already granted to ${permission.role}`);
      }
      if (state.permissions.length >= AUTH_STATE_LIMITS.permissions) return refuse(state, 'CONFLICT', 'too many permissions');
      return done({ ...state, permissions: insertSorted(state.permissions, permission, comparePermissions) }, 'add permission ok!');
    }
    case 'deletePermission': {
      const target = { role: command.role, resource: normalizeStoredResource(command.resource), action: command.action };
      const permissions = state.permissions.filter((p) => comparePermissions(p, target) !== 0);
      return done({ ...state, permissions }, 'delete permission ok!');
    }
  }
}

/**
 * Checks that `value` is a well-formed {@link AuthCommand} (right `type`, every field present, of the
 * right shape, no extra fields). Returns an error message naming the field, or undefined when valid.
 * Use it on anything decoded from the Raft log or a request before trusting it as a command.
 */
export function validateAuthCommand(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'command must be an object';
  const c = value as Record<string, unknown>;
  const fields: Record<string, readonly string[]> = {
    initAdmin: ['passwordHash'],
    createUser: ['username', 'passwordHash'],
    deleteUser: ['username'],
    updatePassword: ['username', 'passwordHash'],
    addRole: ['role', 'username'],
    deleteRole: ['role'],
    addPermission: ['role', 'resource', 'action'],
    deletePermission: ['role', 'resource', 'action'],
  };
  const type = c.type;
  if (typeof type !== 'string' || !Object.hasOwn(fields, type)) return `type: unknown command ${JSON.stringify(String(type)).slice(0, 64)}`;
  const required = fields[type] ?? [];
  const allowed = new Set(['type', ...required, ...(type === 'deleteRole' ? ['username'] : [])]);
  for (const key of Object.keys(c)) if (!allowed.has(key)) return `${key}: unexpected field for ${type}`;
  for (const key of required) if (typeof c[key] !== 'string') return `${key}: is required`;
  if (c.username !== undefined && (typeof c.username !== 'string' || !NAME_PATTERN.test(c.username))) {
    return 'username: must be 1-128 characters of letters, digits and _ . @ -';
  }
  if (c.role !== undefined && (typeof c.role !== 'string' || !NAME_PATTERN.test(c.role))) {
    return 'role: must be 1-128 characters of letters, digits and _ . @ -';
  }
  if (c.passwordHash !== undefined && !BCRYPT_HASH_PATTERN.test(c.passwordHash as string)) {
    return 'passwordHash: must be a bcrypt hash (hash the password before proposing)';
  }
  if (c.resource !== undefined && !RESOURCE_PATTERN.test(c.resource as string)) {
    return 'resource: must be 1-1024 characters of letters, digits, _ . : @ / - and * (wildcard)';
  }
  if (c.action !== undefined && !isGrantedAction(c.action as string)) return 'action: must be r, w or rw';
  return undefined;
}

/** The user named `username`, or undefined. */
export function findUser(state: AuthState, username: string): AuthUser | undefined {
  return state.users.find((u) => u.username === username);
}

/** The roles bound to `username` (sorted). */
export function rolesOf(state: AuthState, username: string): string[] {
  return state.roles.filter((b) => b.username === username).map((b) => b.role);
}

/** True when some user holds {@link GLOBAL_ADMIN_ROLE}; until then the server refuses writes. */
export function hasGlobalAdmin(state: AuthState): boolean {
  return state.roles.some((b) => b.role === GLOBAL_ADMIN_ROLE);
}

/** True when `username` holds {@link GLOBAL_ADMIN_ROLE}. */
export function isGlobalAdmin(state: AuthState, username: string): boolean {
  return state.roles.some((b) => b.role === GLOBAL_ADMIN_ROLE && b.username === username);
}

/** Nacos' page shape of the list endpoints. */
export interface Page<T> {
  totalCount: number;
  pageNumber: number;
  pagesAvailable: number;
  pageItems: T[];
}

/**
 * One page (1-based `pageNo`, `pageSize` clamped to 1..500) of `items`. The users list is paged with
 * the usernames only: unlike Nacos, which sent the bcrypt hashes to the console, Tacos never answers a
 * password hash.
 */
export function page<T>(items: readonly T[], pageNo: number, pageSize: number): Page<T> {
  const size = Math.min(500, Math.max(1, Math.floor(pageSize) || 1));
  const number = Math.max(1, Math.floor(pageNo) || 1);
  const start = (number - 1) * size;
  return {
    totalCount: items.length,
    pageNumber: number,
    pagesAvailable: Math.ceil(items.length / size),
    pageItems: items.slice(start, start + size),
  };
}

/**
 * A stored resource with a blank namespace (`:*:*`, what Nacos' console sends for `public`) is stored
 * as `public:…`, matching permissions.ts' `namingResource`, which also normalises the namespace.
 */
export function normalizeStoredResource(resource: string): string {
  return resource.startsWith(':') ? `public${resource}` : resource;
}

function done(state: AuthState, message: string): AuthCommandResult {
  return { ok: true, state, message };
}

function refuse(state: AuthState, code: AuthCommandErrorCode, message: string): AuthCommandResult {
  return { ok: false, state, code, message };
}

function insertSorted<T>(items: readonly T[], item: T, compare: (a: T, b: T) => number): T[] {
  const out = [...items, item];
  out.sort(compare);
  return out;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareUsers(a: AuthUser, b: AuthUser): number {
  return compareStrings(a.username, b.username);
}

function compareBindings(a: RoleBinding, b: RoleBinding): number {
  return compareStrings(a.role, b.role) || compareStrings(a.username, b.username);
}

function comparePermissions(a: Permission, b: Permission): number {
  return compareStrings(a.role, b.role) || compareStrings(a.resource, b.resource) || compareStrings(a.action, b.action);
}
