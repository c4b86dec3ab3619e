// Shapes of the answers the console reads (NACOS-FACTS.md §2.6, §2.9, §7), kept loose where servers vary.

/** One row of `GET /v1/ns/catalog/services`. */
export interface ServiceSummary {
  name: string;
  groupName: string;
  clusterCount: number;
  ipCount: number;
  healthyInstanceCount: number;
  triggerFlag: string | boolean;
}

/** `GET /v1/ns/catalog/services` answer. */
export interface ServiceListPage {
  count: number;
  serviceList: ServiceSummary[];
}

/** A health checker (`type` TCP, HTTP, MYSQL or NONE; HTTP adds path, headers, expectedResponseCode). */
export interface HealthChecker {
  type: string;
  path?: string;
  headers?: string;
  expectedResponseCode?: number;
  [key: string]: unknown;
}

/** A cluster as `GET /v1/ns/catalog/service` lists it. */
export interface ClusterInfo {
  name: string;
  healthChecker?: HealthChecker;
  defaultPort?: number;
  defaultCheckPort?: number;
  defCkport?: number;
  useIPPort4Check?: boolean;
  metadata?: Record<string, string>;
  [key: string]: unknown;
}

/** `GET /v1/ns/catalog/service` answer. */
export interface ServiceDetail {
  service: {
    name: string;
    groupName?: string;
    protectThreshold: number;
    selector?: { type?: string; expression?: string; [key: string]: unknown };
    metadata?: Record<string, string>;
  };
  clusters: ClusterInfo[];
}

/** An instance as `GET /v1/ns/catalog/instances` shows it. */
export interface Instance {
  instanceId?: string;
  ip: string;
  port: number;
  weight: number;
  healthy: boolean;
  enabled: boolean;
  ephemeral: boolean;
  clusterName: string;
  serviceName?: string;
  metadata?: Record<string, string>;
  lastBeat?: number;
  marked?: boolean;
  app?: string;
}

/** `GET /v1/ns/catalog/instances` answer. */
export interface InstancePage {
  list: Instance[];
  count: number;
}

/** A namespace (`namespace` "" is public in Nacos). */
export interface Namespace {
  namespace: string;
  namespaceShowName: string;
  namespaceDesc?: string;
  quota?: number;
  configCount?: number;
  type?: number;
}

/** One subscriber of a service. */
export interface Subscriber {
  addrStr: string;
  agent?: string;
  app?: string;
  ip?: string;
  port?: number;
  namespaceId?: string;
  serviceName?: string;
}

/** `GET /v1/ns/service/subscribers` answer. */
export interface SubscriberPage {
  subscribers: Subscriber[];
  count: number;
}

/** A cluster member. */
export interface Member {
  ip: string;
  port: number;
  state: string;
  address: string;
  extendInfo?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `GET /v1/ns/raft/state` answer (Tacos). */
export interface RaftState {
  leader: string | null;
  term: number;
  role: string;
  commitIndex: number;
  appliedIndex: number;
  members: string[];
  [key: string]: unknown;
}

/** `GET /v1/console/server/state` answer. */
export interface ServerState {
  version?: string;
  standalone_mode?: string;
  function_mode?: string | null;
  auth_enabled?: boolean | string;
  [key: string]: unknown;
}

/** `POST /v1/auth/users/login` answer. */
export interface LoginResult {
  accessToken: string;
  tokenTtl: number;
  globalAdmin: boolean;
}

/** A page of an auth listing. */
export interface AuthPage<T> {
  totalCount: number;
  pageNumber: number;
  pagesAvailable: number;
  pageItems: T[];
}

/** A user, a role binding, a permission. */
export interface UserInfo {
  username: string;
}
export interface RoleInfo {
  role: string;
  username: string;
}
export interface PermissionInfo {
  role: string;
  resource: string;
  action: string;
}
