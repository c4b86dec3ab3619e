// Request parameter and response types of the Nacos 1.x naming Open API as Tacos serves it
// (NACOS-FACTS.md §2, §2.9, §10; DESIGN.md). Field names are Nacos' own, unchanged. Where
// @tacos/api-pojo defines the wire type (the instance list), it is used; the rest are defined here.
import type { ServiceInfo, ServiceInfoHost } from '@tacos/api-pojo';

/** Parameters naming one service: `serviceName` plus optional group and namespace. */
export interface ServiceRef {
  serviceName: string;
  /** Defaults to `DEFAULT_GROUP` on the server. */
  groupName?: string;
  /** Defaults to the client's `namespaceId`, then to `public`. */
  namespaceId?: string;
}

/** Metadata as a map, or as Nacos' raw text form (`k=v,k2=v2` or a JSON object string). */
export type MetadataInput = Record<string, string> | string;

/** Parameters naming one instance of a service. */
export interface InstanceRef extends ServiceRef {
  ip: string;
  port: number;
  /** Defaults to `DEFAULT`. */
  clusterName?: string;
  /** Defaults to true; must match the instance's kind when deregistering. */
  ephemeral?: boolean;
}

/** `POST /instance` (register) and `PUT /instance` (replace) parameters. */
export interface RegisterInstanceParams extends InstanceRef {
  weight?: number;
  enabled?: boolean;
  healthy?: boolean;
  metadata?: MetadataInput;
  app?: string;
}

/** `PATCH /instance` parameters: only the given fields change. */
export interface PatchInstanceParams extends InstanceRef {
  weight?: number;
  enabled?: boolean;
  healthy?: boolean;
  metadata?: MetadataInput;
  app?: string;
}

/** `GET /instance/list` parameters. */
export interface ListInstancesParams extends ServiceRef {
  /** Cluster names (array or comma list); empty = all clusters. */
  clusters?: string[] | string;
  healthyOnly?: boolean;
  clientIP?: string;
  /** A UDP port > 0 subscribes the caller to UDP push. */
  udpPort?: number;
  app?: string;
}

/**
 * One host of an `instance/list` answer: the wire type `ServiceInfoHost` from `@tacos/api-pojo`
 * (`ip`, `port`, `weight`, `healthy`, `enabled`, `ephemeral`, `clusterName`, `serviceName`,
 * `metadata`, `instanceId`, heartbeat settings).
 */
export type InstanceHost = ServiceInfoHost;

/**
 * The `instance/list` answer (also the payload of each watch event): the wire type `ServiceInfo` from
 * `@tacos/api-pojo`. `reachProtectThreshold` says that protection made unhealthy hosts look healthy.
 */
export type InstanceList = ServiceInfo;

/** `GET /instance` answer. */
export interface InstanceDetail {
  service: string;
  ip: string;
  port: number;
  clusterName: string;
  weight: number;
  healthy: boolean;
  instanceId?: string;
  metadata: Record<string, string>;
}

/** The `beat` JSON of `PUT /instance/beat` (Nacos BeatInfo). */
export interface BeatInfo {
  ip: string;
  port: number;
  serviceName: string;
  cluster?: string;
  weight?: number;
  metadata?: Record<string, string>;
  scheduled?: boolean;
  period?: number;
  stopped?: boolean;
}

/** `PUT /instance/beat` parameters. Without `beat` it is a light beat. */
export interface BeatParams extends ServiceRef {
  ip: string;
  port: number;
  clusterName?: string;
  ephemeral?: boolean;
  beat?: BeatInfo;
}

/** `PUT /instance/beat` answer: `code` 10200 = renewed, 20404 = instance unknown (register again). */
export interface BeatResult {
  clientBeatInterval: number;
  code: number;
  lightBeatEnabled?: boolean;
}

/** Beat result codes. */
export const BEAT_CODES = { OK: 10200, RESOURCE_NOT_FOUND: 20404 } as const;

/** `GET /instance/statuses` answer: `ip:port_healthy` strings. */
export interface InstanceStatuses {
  ips: string[];
}

/** `PUT|DELETE /instance/metadata/batch` parameters. */
export interface MetadataBatchParams extends ServiceRef {
  metadata: MetadataInput;
  /** `ephemeral` or `persist`: apply to all instances of that kind. */
  consistencyType?: 'ephemeral' | 'persist';
  /** Or the instances to change. */
  instances?: Array<{ ip: string; port: number; clusterName?: string; ephemeral?: boolean }>;
}

/** `PUT|DELETE /instance/metadata/batch` answer. */
export interface MetadataBatchResult {
  updated: string[];
}

/** A service selector. */
export type Selector = { type: 'none' } | { type: 'label'; expression: string; labels?: string[] };

/** `POST /service` and `PUT /service` parameters. */
export interface ServiceParams extends ServiceRef {
  protectThreshold?: number;
  metadata?: MetadataInput;
  selector?: Selector | string;
}

/** A health checker as JSON (`type` TCP, HTTP, MYSQL or NONE). */
export interface HealthChecker {
  type: string;
  path?: string;
  headers?: string;
  expectedResponseCode?: number;
  [key: string]: unknown;
}

/** A cluster inside a `GET /service` answer. */
export interface ServiceCluster {
  name: string;
  healthChecker: HealthChecker;
  metadata: Record<string, string>;
}

/** `GET /service` answer (`name` without the group). */
export interface ServiceDetail {
  name: string;
  groupName: string;
  namespaceId: string;
  protectThreshold: number;
  metadata: Record<string, string>;
  selector: Selector | Record<string, unknown>;
  clusters: ServiceCluster[];
}

/** `GET /service/list` parameters (1-based pages). */
export interface ListServicesParams {
  pageNo?: number;
  pageSize?: number;
  namespaceId?: string;
  /** `*` = all groups. */
  groupName?: string;
  selector?: Selector | string;
}

/** `GET /service/list` answer. */
export interface ServiceListResult {
  count: number;
  doms: string[];
}

/** `GET /service/names` answer: service names per namespace. */
export interface ServiceNamesResult {
  services: Record<string, string[]>;
  count: number;
}

/** One subscriber of a service. */
export interface Subscriber {
  addrStr: string;
  agent: string;
  app: string;
  ip: string;
  port?: number;
  namespaceId: string;
  serviceName: string;
  cluster?: string;
}

/** `GET /service/subscribers` answer. */
export interface SubscribersResult {
  subscribers: Subscriber[];
  count: number;
}

/** `PUT /cluster` parameters. */
export interface UpdateClusterParams extends ServiceRef {
  clusterName: string;
  checkPort: number;
  useInstancePort4Check: boolean;
  healthChecker: HealthChecker | string;
  metadata?: MetadataInput;
}

/** `PUT /health` parameters. */
export interface UpdateHealthParams extends ServiceRef {
  ip: string;
  port: number;
  clusterName?: string;
  healthy: boolean;
}

/** `GET /catalog/service` answer. */
export interface CatalogServiceDetail {
  service: {
    name: string;
    groupName: string;
    protectThreshold: number;
    selector: Record<string, unknown>;
    metadata: Record<string, string>;
  };
  clusters: Array<Record<string, unknown>>;
}

/** `GET /catalog/instances` parameters. */
export interface CatalogInstancesParams extends ServiceRef {
  clusterName: string;
  pageNo?: number;
  pageSize?: number;
}

/** A full instance as the catalog shows it. */
export interface CatalogInstance extends Omit<InstanceHost, 'valid' | 'marked' | 'instanceHeartBeatInterval' | 'instanceHeartBeatTimeOut' | 'ipDeleteTimeout'> {
  marked?: boolean;
  lastBeat?: number;
  app?: string;
}

/** `GET /catalog/instances` answer. */
export interface CatalogInstancesResult {
  list: CatalogInstance[];
  count: number;
}

/** `GET /catalog/services` parameters. */
export interface CatalogServicesParams {
  namespaceId?: string;
  pageNo?: number;
  pageSize?: number;
  serviceNameParam?: string;
  groupNameParam?: string;
  instance?: string;
  hasIpCount?: boolean;
}

/** One row of `GET /catalog/services`. */
export interface CatalogServiceSummary {
  name: string;
  groupName: string;
  clusterCount: number;
  ipCount: number;
  healthyInstanceCount: number;
  triggerFlag: string | boolean;
}

/** `GET /catalog/services` answer. */
export interface CatalogServicesResult {
  count: number;
  serviceList: CatalogServiceSummary[];
}

/** `GET /catalog/rt/service` answer. */
export interface CatalogRtResult {
  clusters: Array<{ name: string; checkRTBest: number; checkRTWorst: number; checkRTNormalized: number }>;
}

/** `GET /operator/metrics` answer. */
export interface OperatorMetrics {
  status: string;
  serviceCount: number;
  instanceCount: number;
  responsibleServiceCount?: number;
  responsibleInstanceCount?: number;
  raftNotifyTaskCount?: number;
  cpu?: number;
  load?: number;
  mem?: number;
  [key: string]: unknown;
}

/** A cluster member as `/operator/servers` and `/core/cluster/*` show it. */
export interface Member {
  ip: string;
  port: number;
  state: string;
  address: string;
  extendInfo?: Record<string, unknown>;
  failAccessCnt?: number;
  [key: string]: unknown;
}

/** `GET /operator/servers` answer. */
export interface ServersResult {
  servers: Member[];
}

/** `GET /operator/push/state` answer. */
export interface PushState {
  succeed: number;
  total: number;
  ratio: number;
  reset?: boolean;
  data?: unknown[];
}

/** Nacos' RestResult envelope (`/core/*`, `/console/namespaces`, auth writes). */
export interface RestResult<T> {
  code: number;
  message: string | null;
  data: T;
}

/** `GET /raft/state` answer (Tacos). */
export interface RaftState {
  leader: string | null;
  term: number;
  role: string;
  commitIndex: number;
  appliedIndex: number;
  members: string[];
  [key: string]: unknown;
}

/** A namespace as `GET /console/namespaces` lists it (`namespace` "" is public in Nacos). */
export interface Namespace {
  namespace: string;
  namespaceShowName: string;
  namespaceDesc?: string;
  quota?: number;
  configCount?: number;
  type?: number;
}

/** `POST /console/namespaces` parameters; a blank id lets the server pick a UUID. */
export interface CreateNamespaceParams {
  customNamespaceId?: string;
  namespaceName: string;
  namespaceDesc?: string;
}

/** `POST /auth/users/login` answer. */
export interface LoginResult {
  accessToken: string;
  tokenTtl: number;
  globalAdmin: boolean;
}

/** A page of a paged auth listing. */
export interface Page<T> {
  totalCount: number;
  pageNumber: number;
  pagesAvailable: number;
  pageItems: T[];
}

/** A user (`password` is a hash, when present). */
export interface User {
  username: string;
  password?: string;
}

/** A role binding. */
export interface RoleInfo {
  role: string;
  username: string;
}

/** A permission: `resource` is a namespace id or resource pattern, `action` r, w or rw. */
export interface PermissionInfo {
  role: string;
  resource: string;
  action: string;
}

/** `GET /console/server/state` answer. */
export interface ServerState {
  version?: string;
  standalone_mode?: string;
  function_mode?: string | null;
  [key: string]: unknown;
}

/** The switch table (`GET /operator/switches`); kept open because it has many fields. */
export type Switches = Record<string, unknown>;
