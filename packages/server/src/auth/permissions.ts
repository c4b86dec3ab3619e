import { DEFAULT_GROUP, normalizeNamespaceId } from '@tacos/api-pojo';

/**
 * Nacos' permission model (NacosRoleServiceImpl.hasPermission), as pure functions:
 * - `ROLE_ADMIN` is the global admin and may do anything;
 * - `console/…` resources (user, role and permission management) are admin-only, except
 *   `console/user/password`, which every signed-in user may reach (the handler then lets a user change
 *   only their own password);
 * - any other role grants an action on a resource when one of its permissions has an action string
 *   containing the requested action (`rw` contains `r` and `w`) and a resource pattern matching the
 *   whole requested resource, where `*` matches any run of characters.
 * Unlike Nacos, which turns `*` into `.*` and compiles the rest as a Java regex (so `.` matched any
 * character and `(` threw), every other character matches only itself, and the matcher is a linear
 * glob matcher, so no stored pattern can cause catastrophic backtracking.
 */

/** The global admin role. */
export const GLOBAL_ADMIN_ROLE = 'ROLE_ADMIN';

/** Resources under this prefix are reachable by the global admin only (Nacos' CONSOLE_RESOURCE_NAME_PREFIX). */
export const CONSOLE_RESOURCE_PREFIX = 'console/';

/** The one console resource every authenticated user may reach (Nacos' UPDATE_PASSWORD_ENTRY_POINT). */
export const UPDATE_PASSWORD_RESOURCE = 'console/user/password';

/** Console resources the auth endpoints are guarded by (Nacos' `@Secured` values). */
export const CONSOLE_RESOURCES = {
  users: 'console/users',
  roles: 'console/roles',
  permissions: 'console/permissions',
  namespaces: 'console/namespaces',
} as const;

/** An action a request needs: read or write. */
export type Action = 'r' | 'w';

/** An action a stored permission grants. */
export type GrantedAction = 'r' | 'w' | 'rw';

/** The actions a permission may be stored with. */
export const GRANTED_ACTIONS: readonly GrantedAction[] = Object.freeze(['r', 'w', 'rw'] as GrantedAction[]);

/** One stored permission: `role` may do `action` on resources matching `resource`. */
export interface Permission {
  role: string;
  resource: string;
  action: GrantedAction;
}

/**
 * The naming resource of a request, Nacos' NamingResourceParser shape `<namespaceId>:<group>:naming/<service>`,
 * or `<namespaceId>:*:naming/*` when the request names no service. It must name exactly what the handler
 * will touch, so it follows the handlers' rule (api-pojo `resolveGroupedName`): a `group@@service` name's
 * group wins over `groupName`, otherwise `groupName`, else DEFAULT_GROUP; the service is everything after
 * the first `@@`. A blank namespace is `public` (Nacos left it empty, so `public:*:*` did not cover
 * requests without `namespaceId`).
 */
export function namingResource(namespaceId: string | undefined, groupName: string | undefined, serviceName: string | undefined): string {
  const namespace = normalizeNamespaceId(namespaceId?.trim());
  const grouped = serviceName?.trim() ?? '';
  if (grouped === '') return `${namespace}:*:naming/*`;
  const split = grouped.indexOf('@@');
  if (split >= 0) return `${namespace}:${grouped.slice(0, split)}:naming/${grouped.slice(split + 2)}`;
  return `${namespace}:${groupName?.trim() || DEFAULT_GROUP}:naming/${grouped}`;
}

/**
 * True when a stored pattern matches the whole `resource`: `*` matches any (possibly empty) run of
 * characters, every other character matches itself, case-sensitively. Runs in O(pattern × resource)
 * worst case with no recursion (the classic greedy-star algorithm that backtracks only to the last `*`).
 */
export function matchesResource(pattern: string, resource: string): boolean {
  let p = 0;
  let r = 0;
  let starP = -1;
  let starR = 0;
  while (r < resource.length) {
    if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starR = r;
    } else if (p < pattern.length && pattern[p] === resource[r]) {
      p++;
      r++;
    } else if (starP >= 0) {
      // Let the last star swallow one more character and retry the rest of the pattern from there.
      p = starP + 1;
      r = ++starR;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * True when a user holding `roles` may do `action` on `resource`, given every stored permission
 * (`permissions` may hold other roles' entries; only the user's roles count). Pure; the inputs are
 * not modified. A user with no roles can do nothing, as in Nacos.
 */
export function can(roles: readonly string[], permissions: readonly Permission[], resource: string, action: Action): boolean {
  if (resource === UPDATE_PASSWORD_RESOURCE) return true;
  if (roles.length === 0) return false;
  if (roles.includes(GLOBAL_ADMIN_ROLE)) return true;
  if (resource.startsWith(CONSOLE_RESOURCE_PREFIX)) return false;
  const held = new Set(roles);
  for (const permission of permissions) {
    if (!held.has(permission.role)) continue;
    if (!permission.action.includes(action)) continue;
    if (matchesResource(permission.resource, resource)) return true;
  }
  return false;
}

/** True when `value` is one of {@link GRANTED_ACTIONS}. */
export function isGrantedAction(value: string): value is GrantedAction {
  return (GRANTED_ACTIONS as readonly string[]).includes(value);
}
