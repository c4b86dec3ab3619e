import { type AuthState, type Page, page, type RoleBinding } from './auth-state';
import type { Permission } from './permissions';

/**
 * The read side of `/nacos/v1/auth/*`, over the current {@link AuthState}. Pure. Answers never carry
 * password hashes (Nacos sent its bcrypt hashes to the console; Tacos' `User.password` stays absent).
 */

/** Search mode of Nacos 2.x listings: `accurate` (equal) or `blur` (contains). Default `accurate`. */
export type SearchMode = 'accurate' | 'blur';

function matches(value: string, wanted: string | undefined, mode: SearchMode): boolean {
  if (wanted === undefined || wanted === '') return true;
  return mode === 'blur' ? value.includes(wanted) : value === wanted;
}

/** `GET /v1/auth/users?pageNo&pageSize[&username&search]` → page of `{username}`. */
export function listUsers(state: AuthState, pageNo: number, pageSize: number, username?: string, search: SearchMode = 'accurate'): Page<{ username: string }> {
  const items = state.users.filter((u) => matches(u.username, username, search)).map((u) => ({ username: u.username }));
  return page(items, pageNo, pageSize);
}

/** `GET /v1/auth/users/search?username=` → usernames containing the text (console autocomplete). */
export function searchUsernames(state: AuthState, text: string): string[] {
  return state.users.filter((u) => u.username.includes(text)).map((u) => u.username);
}

/** `GET /v1/auth/roles?pageNo&pageSize[&username&role&search]` → page of role bindings. */
export function listRoles(
  state: AuthState,
  pageNo: number,
  pageSize: number,
  filter: { username?: string; role?: string; search?: SearchMode } = {},
): Page<RoleBinding> {
  const mode = filter.search ?? 'accurate';
  const items = state.roles.filter((b) => matches(b.username, filter.username, mode) && matches(b.role, filter.role, mode));
  return page(items, pageNo, pageSize);
}

/** `GET /v1/auth/roles/search?role=` → distinct role names containing the text. */
export function searchRoles(state: AuthState, text: string): string[] {
  return [...new Set(state.roles.filter((b) => b.role.includes(text)).map((b) => b.role))];
}

/** `GET /v1/auth/permissions?pageNo&pageSize[&role&search]` → page of permissions. */
export function listPermissions(state: AuthState, pageNo: number, pageSize: number, role?: string, search: SearchMode = 'accurate'): Page<Permission> {
  return page(state.permissions.filter((p) => matches(p.role, role, search)), pageNo, pageSize);
}
