/**
 * The auth and hardening building blocks of Tacos (issue 7): tokens, the token secret check, password
 * hashing, Nacos' permission model, the replicated users/roles/permissions state, the failed-login
 * limiter, request authentication and hostile-input guards. Nothing here registers routes or
 * middleware; README.md says how the host wires each piece.
 */
export {
  AUTH_STATE_LIMITS,
  type AuthCommand,
  type AuthCommandErrorCode,
  type AuthCommandResult,
  type AuthState,
  type AuthUser,
  applyAuthCommand,
  DEFAULT_ADMIN_USERNAME,
  emptyAuthState,
  findUser,
  hasGlobalAdmin,
  isGlobalAdmin,
  NAME_PATTERN,
  NO_ADMIN_MESSAGE,
  normalizeStoredResource,
  type Page,
  page,
  RESOURCE_PATTERN,
  type RoleBinding,
  rolesOf,
  validateAuthCommand,
} from './auth-state';
export {
  AUTHORIZATION_FAILED,
  type AuthenticatedUser,
  Authenticator,
  type AuthenticatorOptions,
  type AuthFailure,
  type AuthRequest,
  type AuthResult,
  bearerToken,
  DEFAULT_CREDENTIAL_CACHE_TTL_MS,
} from './authenticate';
export {
  addRoleCommand,
  commandError,
  createUserCommand,
  deleteRoleCommand,
  deleteUserCommand,
  initAdminCommand,
  type ParamSource,
  permissionCommand,
  planAdminBootstrap,
  restResult,
  updatePasswordCommand,
} from './commands';
export {
  checkParam,
  checkParams,
  FORBIDDEN_KEYS,
  findForbiddenKey,
  isForbiddenKey,
  jsonTextDepth,
  MAX_BODY_BYTES,
  MAX_HEADER_BYTES,
  MAX_JSON_DEPTH,
  MAX_PARAM_LENGTH,
  PARAM_LENGTH_LIMITS,
  parseUntrustedJson,
  securityHeaders,
} from './hostile-input';
export {
  DEFAULT_TOKEN_TTL_SECONDS,
  IAT_LEEWAY_SECONDS,
  issueLoginToken,
  type JwtClaims,
  type JwtFailure,
  type JwtVerifyResult,
  type LoginBody,
  MAX_TOKEN_LENGTH,
  nacosTokenError,
  signJwt,
  verifyJwt,
} from './jwt';
export { listPermissions, listRoles, listUsers, type SearchMode, searchRoles, searchUsernames } from './queries';
export {
  DEFAULT_RATE_LIMITS,
  LoginRateLimiter,
  type LoginRateLimiterOptions,
  type RateLimitDecision,
} from './login-rate-limiter';
export {
  BCRYPT_HASH_PATTERN,
  checkPasswordPolicy,
  DEFAULT_BCRYPT_COST,
  hashPassword,
  MAX_BCRYPT_COST,
  MAX_PASSWORD_BYTES,
  MIN_BCRYPT_COST,
  makeDummyHash,
  PasswordPolicyError,
  verifyPassword,
} from './password-hash';
export {
  type Action,
  CONSOLE_RESOURCE_PREFIX,
  CONSOLE_RESOURCES,
  can,
  GLOBAL_ADMIN_ROLE,
  GRANTED_ACTIONS,
  type GrantedAction,
  isGrantedAction,
  matchesResource,
  namingResource,
  type Permission,
  UPDATE_PASSWORD_RESOURCE,
} from './permissions';
export { isConsoleAssetPath, type RouteRequirement, routeRequirement } from './route-permissions';
export {
  isKnownDefault,
  KNOWN_NACOS_DEFAULT_SECRETS,
  MIN_DISTINCT_SECRET_BYTES,
  MIN_TOKEN_SECRET_BYTES,
  parseTokenSecret,
  type TokenSecret,
  TokenSecretError,
} from './token-secret';
