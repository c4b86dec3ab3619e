// Every server call the console makes, in one place (NACOS-FACTS.md §7). Pages import these functions,
// never fetch directly, so the transport can be swapped for @tacos/client's in one file.
import { type Params, requestJson, requestText, unwrapRestResult } from './http';
import type {
  AuthPage,
  InstancePage,
  LoginResult,
  Member,
  Namespace,
  PermissionInfo,
  RaftState,
  RoleInfo,
  ServerState,
  ServiceDetail,
  ServiceListPage,
  SubscriberPage,
  UserInfo,
} from './types';

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

const NS = '/v1/ns';

function svc(key: ServiceKey): Params {
  return { namespaceId: key.namespaceId, serviceName: key.serviceName, groupName: key.groupName };
}

/** `GET /v1/console/server/state`. */
export function getServerState(signal?: AbortSignal): Promise<ServerState> {
  return requestJson<ServerState>('GET', '/v1/console/server/state', undefined, signal);
}

/** `POST /v1/auth/users/login`. */
export function login(username: string, password: string): Promise<LoginResult> {
  return requestJson<LoginResult>('POST', '/v1/auth/users/login', { username, password });
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
export function listServices(query: ListServicesQuery, signal?: AbortSignal): Promise<ServiceListPage> {
  return requestJson<ServiceListPage>(
    'GET',
    `${NS}/catalog/services`,
    { ...query, withInstances: false, hasIpCount: query.hasIpCount },
    signal,
  ).then((page) => ({ count: Number(page.count) || 0, serviceList: Array.isArray(page.serviceList) ? page.serviceList : [] }));
}

/** `GET /v1/ns/catalog/service`. */
export function getService(key: ServiceKey, signal?: AbortSignal): Promise<ServiceDetail> {
  return requestJson<ServiceDetail>('GET', `${NS}/catalog/service`, svc(key), signal);
}

/** `GET /v1/ns/catalog/instances` of one cluster (first 1000 instances). */
export function listInstances(key: ServiceKey, clusterName: string, signal?: AbortSignal): Promise<InstancePage> {
  return requestJson<InstancePage>('GET', `${NS}/catalog/instances`, { ...svc(key), clusterName, pageNo: 1, pageSize: 1000 }, signal);
}

/** Fields of a service create/update. `metadata` is Nacos' text form; `selector` a JSON string or "". */
export interface ServiceFields {
  protectThreshold: number;
  metadata: string;
  selector: string;
}

/** `POST /v1/ns/service`. */
export function createService(key: ServiceKey, fields: ServiceFields): Promise<string> {
  return requestText('POST', `${NS}/service`, { ...svc(key), ...fields });
}

/** `PUT /v1/ns/service`. */
export function updateService(key: ServiceKey, fields: ServiceFields): Promise<string> {
  return requestText('PUT', `${NS}/service`, { ...svc(key), ...fields });
}

/** `DELETE /v1/ns/service`. */
export function deleteService(key: ServiceKey): Promise<string> {
  return requestText('DELETE', `${NS}/service`, svc(key));
}

/** `PUT /v1/ns/cluster`. */
export function updateCluster(
  key: ServiceKey,
  cluster: { clusterName: string; checkPort: number; useInstancePort4Check: boolean; healthChecker: string; metadata: string },
): Promise<string> {
  return requestText('PUT', `${NS}/cluster`, { ...svc(key), ...cluster });
}

/** Editable fields of an instance. */
export interface InstanceFields {
  weight: number;
  enabled: boolean;
  metadata: string;
  healthy?: boolean;
}

/** `POST /v1/ns/instance` (register). */
export function registerInstance(key: InstanceKey, fields: InstanceFields): Promise<string> {
  return requestText('POST', `${NS}/instance`, { ...svc(key), ip: key.ip, port: key.port, clusterName: key.clusterName, ephemeral: key.ephemeral, ...fields });
}

/** `PUT /v1/ns/instance`: the console's edit (replace weight, enabled and metadata), as Nacos' console. */
export function updateInstance(key: InstanceKey, fields: InstanceFields): Promise<string> {
  return requestText('PUT', `${NS}/instance`, {
    ...svc(key),
    ip: key.ip,
    port: key.port,
    clusterName: key.clusterName,
    ephemeral: key.ephemeral,
    weight: fields.weight,
    enabled: fields.enabled,
    metadata: fields.metadata,
  });
}

/** `DELETE /v1/ns/instance`. */
export function deregisterInstance(key: InstanceKey): Promise<string> {
  return requestText('DELETE', `${NS}/instance`, { ...svc(key), ip: key.ip, port: key.port, clusterName: key.clusterName, ephemeral: key.ephemeral });
}

/** `GET /v1/ns/service/subscribers`. */
export function listSubscribers(key: ServiceKey, pageNo: number, pageSize: number, signal?: AbortSignal): Promise<SubscriberPage> {
  return requestJson<SubscriberPage>('GET', `${NS}/service/subscribers`, { ...svc(key), pageNo, pageSize }, signal).then((page) => ({
    count: Number(page.count) || 0,
    subscribers: Array.isArray(page.subscribers) ? page.subscribers : [],
  }));
}

/** `GET /v1/console/namespaces`. */
export async function listNamespaces(signal?: AbortSignal): Promise<Namespace[]> {
  const value = unwrapRestResult<Namespace[]>(await requestJson<unknown>('GET', '/v1/console/namespaces', undefined, signal));
  return Array.isArray(value) ? value : [];
}

/** `POST /v1/console/namespaces`. Resolves with the server's text (`true`). */
export function createNamespace(fields: { customNamespaceId: string; namespaceName: string; namespaceDesc: string }): Promise<string> {
  return requestText('POST', '/v1/console/namespaces', fields).then(expectTrue);
}

/** `PUT /v1/console/namespaces`. */
export function updateNamespace(fields: { namespace: string; namespaceShowName: string; namespaceDesc: string }): Promise<string> {
  return requestText('PUT', '/v1/console/namespaces', fields).then(expectTrue);
}

/** `DELETE /v1/console/namespaces`. */
export function deleteNamespace(namespaceId: string): Promise<string> {
  return requestText('DELETE', '/v1/console/namespaces', { namespaceId }).then(expectTrue);
}

/** Nacos answers namespace writes with `true`/`false`; a `false` becomes an error with a clear text. */
function expectTrue(text: string): string {
  if (text.trim() === 'false') throw new Error('the server refused the change (it answered false)');
  return text;
}

/** `GET /v1/ns/raft/state`. */
export function getRaftState(signal?: AbortSignal): Promise<RaftState> {
  return requestJson<RaftState>('GET', `${NS}/raft/state`, undefined, signal);
}

/** `GET /v1/core/cluster/nodes`. */
export async function listClusterNodes(signal?: AbortSignal): Promise<Member[]> {
  const value = unwrapRestResult<Member[] | { list?: Member[] }>(
    await requestJson<unknown>('GET', '/v1/core/cluster/nodes', { withInstances: false, pageNo: 1, pageSize: 100, keyword: '' }, signal),
  );
  if (Array.isArray(value)) return value;
  return Array.isArray(value?.list) ? value.list : [];
}

/** `GET /v1/core/cluster/self`. */
export async function getClusterSelf(signal?: AbortSignal): Promise<Member> {
  return unwrapRestResult<Member>(await requestJson<unknown>('GET', '/v1/core/cluster/self', undefined, signal));
}

/** `GET /v1/console/health/readiness`: resolves with the body text when ready, rejects otherwise. */
export function getReadiness(signal?: AbortSignal): Promise<string> {
  return requestText('GET', '/v1/console/health/readiness', undefined, signal);
}

/** `GET /v1/auth/users`. */
export function listUsers(pageNo: number, pageSize: number, signal?: AbortSignal): Promise<AuthPage<UserInfo>> {
  return requestJson<AuthPage<UserInfo>>('GET', '/v1/auth/users', { pageNo, pageSize }, signal);
}

/** `POST /v1/auth/users`. */
export function createUser(username: string, password: string): Promise<string> {
  return requestText('POST', '/v1/auth/users', { username, password });
}

/** `PUT /v1/auth/users` (change password). */
export function updateUserPassword(username: string, newPassword: string): Promise<string> {
  return requestText('PUT', '/v1/auth/users', { username, newPassword });
}

/** `DELETE /v1/auth/users`. */
export function deleteUser(username: string): Promise<string> {
  return requestText('DELETE', '/v1/auth/users', { username });
}

/** `GET /v1/auth/roles`. */
export function listRoles(pageNo: number, pageSize: number, signal?: AbortSignal): Promise<AuthPage<RoleInfo>> {
  return requestJson<AuthPage<RoleInfo>>('GET', '/v1/auth/roles', { pageNo, pageSize, username: '' }, signal);
}

/** `POST /v1/auth/roles`. */
export function addRole(role: string, username: string): Promise<string> {
  return requestText('POST', '/v1/auth/roles', { role, username });
}

/** `DELETE /v1/auth/roles`. */
export function deleteRole(role: string, username: string): Promise<string> {
  return requestText('DELETE', '/v1/auth/roles', { role, username });
}

/** `GET /v1/auth/permissions`. */
export function listPermissions(pageNo: number, pageSize: number, signal?: AbortSignal): Promise<AuthPage<PermissionInfo>> {
  return requestJson<AuthPage<PermissionInfo>>('GET', '/v1/auth/permissions', { pageNo, pageSize, role: '' }, signal);
}

/** `POST /v1/auth/permissions`. */
export function addPermission(role: string, resource: string, action: string): Promise<string> {
  return requestText('POST', '/v1/auth/permissions', { role, resource, action });
}

/** `DELETE /v1/auth/permissions`. */
export function deletePermission(role: string, resource: string, action: string): Promise<string> {
  return requestText('DELETE', '/v1/auth/permissions', { role, resource, action });
}
