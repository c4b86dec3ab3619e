// Every server call the console makes, in one place (NACOS-FACTS.md §7), made through @tacos/client's
// TacosClient against the console's own origin. Pages import these functions, never the client, so errors
// come back as one type (ApiError, with the server's own message) and the token is always current.
// Loaders take an AbortSignal for when the client accepts one; until then a stale answer is simply dropped
// by the caller (useLoad keeps only the newest run).
import {
  type CatalogInstancesResult,
  type CatalogServicesParams,
  type CatalogServicesResult,
  type LoginResult,
  type Member,
  type Namespace,
  type Page,
  type PermissionInfo,
  type RaftState,
  type RoleInfo,
  type ServerState,
  type SubscribersResult,
  TacosClient,
  TacosHttpError,
  TacosUnreachableError,
  type User,
} from '@tacos/client';
import { ApiError, isAuthError, messageFromBody, notifyAuthRequired } from './http';
import type { ServiceDetail } from './types';
import { readToken } from '../lib/token-store';

/** Names one service inside a namespace. */
export interface ServiceKey {
  namespaceId: string;
  serviceName: string;
  groupName: string;
}

/** Names one instance. */
export interface InstanceKey extends ServiceKey {
  ip: string;
  port: number;
  clusterName: string;
  ephemeral: boolean;
}

let client: TacosClient | undefined;
let clientOrigin: string | undefined;

/** The server the console talks to: its own origin (the server serves the console). */
function origin(): string {
  return typeof window === 'undefined' ? 'http://127.0.0.1:8848' : window.location.origin;
}

/** The shared client, with the token of this tab set before every call. */
function api(): TacosClient {
  const here = origin();
  if (!client || clientOrigin !== here) {
    client = new TacosClient({ servers: here, timeoutMs: 10_000 });
    clientOrigin = here;
  }
  client.setToken(readToken()?.accessToken);
  return client;
}

/**
 * Runs one client call and turns its failure into an {@link ApiError}: the HTTP status and the server's
 * message for a refusal, status 0 when the server could not be reached. A token failure (401, or 403 with
 * a token message) also clears the token and sends the tab to the login page.
 */
async function run<T>(method: string, path: string, call: (c: TacosClient) => Promise<T>, notifyAuth = true): Promise<T> {
  try {
    return await call(api());
  } catch (error) {
    let apiError: ApiError;
    if (error instanceof TacosHttpError) {
      apiError = new ApiError({ status: error.status, message: messageFromBody(error.body, error.status), path, method, cause: error });
    } else if (error instanceof TacosUnreachableError) {
      apiError = new ApiError({ status: 0, message: error.message, path, method, cause: error });
    } else {
      apiError = new ApiError({ status: 200, message: error instanceof Error ? error.message : String(error), path, method, cause: error });
    }
    if (notifyAuth && isAuthError(apiError)) notifyAuthRequired(apiError.message);
    throw apiError;
  }
}

/** `GET /v1/console/server/state`. */
export function getServerState(_signal?: AbortSignal): Promise<ServerState> {
  return run('GET', '/v1/console/server/state', (c) => c.serverState());
}

/** `POST /v1/auth/users/login`. */
export function login(username: string, password: string): Promise<LoginResult> {
  // A refused login is the login page's own error, not a reason to (re)open the login page.
  return run('POST', '/v1/auth/users/login', (c) => c.login(username, password), false);
}

/** Filters and page of the service list. */
export interface ListServicesQuery {
  namespaceId: string;
  serviceNameParam: string;
  groupNameParam: string;
  hasIpCount: boolean;
  pageNo: number;
  pageSize: number;
}

/** `GET /v1/ns/catalog/services`. */
export async function listServices(query: ListServicesQuery, _signal?: AbortSignal): Promise<CatalogServicesResult> {
  // withInstances defaults to true in Nacos (the answer is then a different, heavier shape): say false.
  const params: CatalogServicesParams & { withInstances: boolean } = {
    namespaceId: query.namespaceId,
    serviceNameParam: query.serviceNameParam || undefined,
    groupNameParam: query.groupNameParam || undefined,
    hasIpCount: query.hasIpCount || undefined,
    pageNo: query.pageNo,
    pageSize: query.pageSize,
    withInstances: false,
  };
  const page = await run('GET', '/v1/ns/catalog/services', (c) => c.catalogServices(params));
  return { count: Number(page.count) || 0, serviceList: Array.isArray(page.serviceList) ? page.serviceList : [] };
}

/** `GET /v1/ns/catalog/service`. */
export function getService(key: ServiceKey, _signal?: AbortSignal): Promise<ServiceDetail> {
  return run('GET', '/v1/ns/catalog/service', (c) => c.catalogService(key)) as Promise<ServiceDetail>;
}

/** `GET /v1/ns/catalog/instances` of one cluster (first 1000 instances). */
export function listInstances(key: ServiceKey, clusterName: string, _signal?: AbortSignal): Promise<CatalogInstancesResult> {
  return run('GET', '/v1/ns/catalog/instances', (c) => c.catalogInstances({ ...key, clusterName, pageNo: 1, pageSize: 1000 })) as Promise<CatalogInstancesResult>;
}

/** Fields of a service create/update. `metadata` is Nacos' text form; `selector` a JSON string or "". */
export interface ServiceFields {
  protectThreshold: number;
  metadata: string;
  selector: string;
}

/** `POST /v1/ns/service`. */
export function createService(key: ServiceKey, fields: ServiceFields): Promise<void> {
  return run('POST', '/v1/ns/service', (c) => c.createService({ ...key, ...fields }));
}

/** `PUT /v1/ns/service`. */
export function updateService(key: ServiceKey, fields: ServiceFields): Promise<void> {
  return run('PUT', '/v1/ns/service', (c) => c.updateService({ ...key, ...fields }));
}

/** `DELETE /v1/ns/service`. */
export function deleteService(key: ServiceKey): Promise<void> {
  return run('DELETE', '/v1/ns/service', (c) => c.deleteService(key));
}

/** `PUT /v1/ns/cluster`. */
export function updateCluster(
  key: ServiceKey,
  cluster: { clusterName: string; checkPort: number; useInstancePort4Check: boolean; healthChecker: string; metadata: string },
): Promise<void> {
  return run('PUT', '/v1/ns/cluster', (c) => c.updateCluster({ ...key, ...cluster }));
}

/** Editable fields of an instance. */
export interface InstanceFields {
  weight: number;
  enabled: boolean;
  metadata: string;
  healthy?: boolean;
}

/** `POST /v1/ns/instance` (register). */
export function registerInstance(key: InstanceKey, fields: InstanceFields): Promise<void> {
  return run('POST', '/v1/ns/instance', (c) => c.registerInstance({ ...key, ...fields }));
}

/** `PUT /v1/ns/instance`: the console's edit (replaces weight, enabled and metadata), as Nacos' console. */
export function updateInstance(key: InstanceKey, fields: InstanceFields): Promise<void> {
  return run('PUT', '/v1/ns/instance', (c) => c.updateInstance({ ...key, weight: fields.weight, enabled: fields.enabled, metadata: fields.metadata }));
}

/** `PUT /v1/ns/health`: sets an instance's health by hand (only for clusters whose checker is NONE). */
export function setInstanceHealth(key: InstanceKey, healthy: boolean): Promise<void> {
  return run('PUT', '/v1/ns/health', (c) => c.updateInstanceHealth({ ...key, healthy }));
}

/** `DELETE /v1/ns/instance`. */
export function deregisterInstance(key: InstanceKey): Promise<void> {
  return run('DELETE', '/v1/ns/instance', (c) => c.deregisterInstance(key));
}

/** `GET /v1/ns/service/subscribers`. */
export async function listSubscribers(key: ServiceKey, pageNo: number, pageSize: number, _signal?: AbortSignal): Promise<SubscribersResult> {
  const page = await run('GET', '/v1/ns/service/subscribers', (c) => c.listSubscribers({ ...key, pageNo, pageSize }));
  return { count: Number(page.count) || 0, subscribers: Array.isArray(page.subscribers) ? page.subscribers : [] };
}

/** `GET /v1/console/namespaces`. */
export async function listNamespaces(_signal?: AbortSignal): Promise<Namespace[]> {
  const value = await run('GET', '/v1/console/namespaces', (c) => c.listNamespaces());
  return Array.isArray(value) ? value : [];
}

/** `GET /v1/console/namespaces?show=all&namespaceId=`: one namespace with its description. */
export function getNamespace(namespaceId: string): Promise<Namespace> {
  return run('GET', '/v1/console/namespaces', (c) => c.getNamespace(namespaceId));
}

/** Nacos answers namespace writes with `true`/`false`; a `false` becomes an error with a clear text. */
function expectTrue(ok: boolean): void {
  if (!ok) throw new Error('the server refused the change (it answered false)');
}

/** `POST /v1/console/namespaces`. */
export async function createNamespace(fields: { customNamespaceId: string; namespaceName: string; namespaceDesc: string }): Promise<void> {
  expectTrue(await run('POST', '/v1/console/namespaces', (c) => c.createNamespace(fields)));
}

/** `PUT /v1/console/namespaces`. */
export async function updateNamespace(fields: { namespace: string; namespaceShowName: string; namespaceDesc: string }): Promise<void> {
  expectTrue(await run('PUT', '/v1/console/namespaces', (c) => c.updateNamespace(fields)));
}

/** `DELETE /v1/console/namespaces`. */
export async function deleteNamespace(namespaceId: string): Promise<void> {
  expectTrue(await run('DELETE', '/v1/console/namespaces', (c) => c.deleteNamespace(namespaceId)));
}

/** `GET /v1/ns/raft/state`. */
export function getRaftState(_signal?: AbortSignal): Promise<RaftState> {
  return run('GET', '/v1/ns/raft/state', (c) => c.raftState());
}

/** `GET /v1/core/cluster/nodes`. */
export async function listClusterNodes(_signal?: AbortSignal): Promise<Member[]> {
  const value = (await run('GET', '/v1/core/cluster/nodes', (c) => c.clusterNodes())) as Member[] | { list?: Member[] } | null;
  if (Array.isArray(value)) return value;
  return Array.isArray(value?.list) ? value.list : [];
}

/** `GET /v1/core/cluster/self`. */
export function getClusterSelf(_signal?: AbortSignal): Promise<Member> {
  return run('GET', '/v1/core/cluster/self', (c) => c.clusterSelf());
}

/** `GET /v1/console/health/readiness`: resolves when ready, rejects with the server's reason otherwise. */
export function getReadiness(_signal?: AbortSignal): Promise<void> {
  return run('GET', '/v1/console/health/readiness', (c) => c.readiness());
}

/** `GET /v1/auth/users`. */
export function listUsers(pageNo: number, pageSize: number, _signal?: AbortSignal): Promise<Page<User>> {
  return run('GET', '/v1/auth/users', (c) => c.listUsers(pageNo, pageSize));
}

/** `POST /v1/auth/users`. */
export function createUser(username: string, password: string): Promise<void> {
  return run('POST', '/v1/auth/users', (c) => c.createUser(username, password));
}

/** `PUT /v1/auth/users` (change password). */
export function updateUserPassword(username: string, newPassword: string): Promise<void> {
  return run('PUT', '/v1/auth/users', (c) => c.updateUser(username, newPassword));
}

/** `DELETE /v1/auth/users`. */
export function deleteUser(username: string): Promise<void> {
  return run('DELETE', '/v1/auth/users', (c) => c.deleteUser(username));
}

/** `GET /v1/auth/roles`. */
export function listRoles(pageNo: number, pageSize: number, _signal?: AbortSignal): Promise<Page<RoleInfo>> {
  return run('GET', '/v1/auth/roles', (c) => c.listRoles({ pageNo, pageSize }));
}

/** `POST /v1/auth/roles`. */
export function addRole(role: string, username: string): Promise<void> {
  return run('POST', '/v1/auth/roles', (c) => c.createRole(role, username));
}

/** `DELETE /v1/auth/roles`. */
export function deleteRole(role: string, username: string): Promise<void> {
  return run('DELETE', '/v1/auth/roles', (c) => c.deleteRole(role, username));
}

/** `GET /v1/auth/permissions`. */
export function listPermissions(pageNo: number, pageSize: number, _signal?: AbortSignal): Promise<Page<PermissionInfo>> {
  return run('GET', '/v1/auth/permissions', (c) => c.listPermissions({ pageNo, pageSize }));
}

/** `POST /v1/auth/permissions`. */
export function addPermission(role: string, resource: string, action: string): Promise<void> {
  return run('POST', '/v1/auth/permissions', (c) => c.createPermission(role, resource, action));
}

/** `DELETE /v1/auth/permissions`. */
export function deletePermission(role: string, resource: string, action: string): Promise<void> {
  return run('DELETE', '/v1/auth/permissions', (c) => c.deletePermission(role, resource, action));
}
