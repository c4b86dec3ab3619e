import { TacosClientError } from './errors';
import { HttpTransport, type Params, type TransportRequest, type TransportResponse } from './http-transport';
import { SseParser } from './sse-parser';
import type {
  BeatParams,
  BeatResult,
  CatalogInstancesParams,
  CatalogInstancesResult,
  CatalogRtResult,
  CatalogServiceDetail,
  CatalogServicesParams,
  CatalogServicesResult,
  CreateNamespaceParams,
  InstanceDetail,
  InstanceList,
  InstanceRef,
  InstanceStatuses,
  ListInstancesParams,
  ListServicesParams,
  LoginResult,
  Member,
  MetadataBatchParams,
  MetadataBatchResult,
  MetadataInput,
  Namespace,
  OperatorMetrics,
  Page,
  PatchInstanceParams,
  PermissionInfo,
  PushState,
  RaftState,
  RegisterInstanceParams,
  RoleInfo,
  Selector,
  ServerState,
  ServiceDetail,
  ServiceListResult,
  ServiceNamesResult,
  ServiceParams,
  ServiceRef,
  ServersResult,
  SubscribersResult,
  Switches,
  UpdateClusterParams,
  UpdateHealthParams,
  User,
} from './types';

/** Options of a {@link TacosClient}. */
export interface TacosClientOptions {
  /**
   * One or more server addresses (`host:port`, `http://host:port`, comma-separated strings allowed).
   * Requests go to the last server that answered and fail over to the next on connection errors (and,
   * for idempotent calls, on 5xx answers).
   */
  servers: string[] | string;
  /** Namespace used by naming calls that do not pass their own `namespaceId` (server default `public`). */
  namespaceId?: string;
  /** Timeout of each attempt in ms (default 5000). */
  timeoutMs?: number;
  /** Access token (from {@link TacosClient.login}); sent as `accessToken` with every request. */
  token?: string;
  /** User-Agent header (default `Tacos-Client:v0.1.0`, which gets ungrouped names like other non-Java clients). */
  userAgent?: string;
}

/** Options of {@link TacosClient.watchInstances}. */
export interface WatchOptions {
  /** Stops the watch: the iteration ends without error. */
  signal?: AbortSignal;
}

const NS = '/nacos/v1/ns';

/**
 * A typed client for the Tacos HTTP API: the Nacos 1.x naming Open API (`/nacos/v1/ns/*`), namespaces,
 * auth, cluster and health endpoints, plus the Tacos additions (raft state, cluster members, SSE watch).
 *
 * Every method sends parameters under Nacos' own names (query string; passwords and beats in a form
 * body), resolves with the parsed answer (`void` for endpoints that answer `ok`), and rejects with a
 * {@link TacosClientError}: `TacosHttpError` when the server said no (status and message kept), or
 * `TacosUnreachableError` listing the addresses tried. Reads and upserts are retried on the next server
 * after connection errors and 5xx answers; creates are not retried once they may have been received.
 * Instances hold no resources besides the HTTP agent; they can be shared.
 */
export class TacosClient {
  /** The normalized server base URLs, in failover order. */
  readonly servers: readonly string[];
  /** The default namespace of naming calls, if one was given. */
  readonly namespaceId: string | undefined;
  private readonly http: HttpTransport;

  constructor(options: TacosClientOptions) {
    this.http = new HttpTransport({
      servers: options.servers,
      timeoutMs: options.timeoutMs,
      token: options.token,
      userAgent: options.userAgent,
    });
    this.servers = this.http.servers;
    this.namespaceId = options.namespaceId;
  }

  /** Replaces (or removes) the access token sent with later requests. */
  setToken(token: string | undefined): void {
    this.http.setToken(token);
  }

  // ---------------------------------------------------------------- instances (NACOS-FACTS §2.2)

  /** `POST /ns/instance`: registers (upserts) an instance; creates the service if missing. */
  async registerInstance(params: RegisterInstanceParams): Promise<void> {
    await this.call('POST', `${NS}/instance`, this.instanceParams(params), true);
  }

  /** `DELETE /ns/instance`: removes an instance (`ok` even if the service is missing). */
  async deregisterInstance(params: InstanceRef): Promise<void> {
    await this.call('DELETE', `${NS}/instance`, this.instanceRefParams(params), true);
  }

  /** `PUT /ns/instance`: replaces an instance (omitted weight → 1, omitted metadata → {}). */
  async updateInstance(params: RegisterInstanceParams): Promise<void> {
    await this.call('PUT', `${NS}/instance`, this.instanceParams(params), true);
  }

  /** `PATCH /ns/instance`: changes only the given fields; 400 when the instance does not exist. */
  async patchInstance(params: PatchInstanceParams): Promise<void> {
    await this.call('PATCH', `${NS}/instance`, this.instanceParams(params), true);
  }

  /** `GET /ns/instance`: one instance; 404 when the service, cluster or instance is unknown. */
  async getInstance(params: InstanceRef): Promise<InstanceDetail> {
    return this.json('GET', `${NS}/instance`, this.instanceRefParams(params), true);
  }

  /** `GET /ns/instance/list`: the instances of a service (protect threshold applied by the server). */
  async listInstances(params: ListInstancesParams): Promise<InstanceList> {
    return this.json('GET', `${NS}/instance/list`, this.listParams(params), true);
  }

  /**
   * `PUT /ns/instance/beat`: renews an ephemeral instance's lease. Without `beat` it is a light beat;
   * the answer's `code` 20404 means the server does not know the instance (register it again).
   */
  async sendBeat(params: BeatParams): Promise<BeatResult> {
    const { beat, ...rest } = params;
    const query = { ...this.serviceParams(rest), ip: rest.ip, port: rest.port, clusterName: rest.clusterName, ephemeral: rest.ephemeral };
    const res = await this.http.request({
      method: 'PUT',
      path: `${NS}/instance/beat`,
      query,
      form: beat ? { beat: JSON.stringify(beat) } : undefined,
      idempotent: true,
    });
    return parseJson(res, 'PUT', `${NS}/instance/beat`);
  }

  /** `GET /ns/instance/statuses`: `ip:port_healthy` strings for `key` (`ns##group@@svc` or `group@@svc`). */
  async instanceStatuses(key: string): Promise<InstanceStatuses> {
    return this.json('GET', `${NS}/instance/statuses`, { key }, true);
  }

  /** `PUT /ns/instance/metadata/batch`: merges metadata keys into many instances. */
  async updateMetadataBatch(params: MetadataBatchParams): Promise<MetadataBatchResult> {
    return this.json('PUT', `${NS}/instance/metadata/batch`, this.metadataBatchParams(params), true);
  }

  /** `DELETE /ns/instance/metadata/batch`: removes metadata keys from many instances. */
  async deleteMetadataBatch(params: MetadataBatchParams): Promise<MetadataBatchResult> {
    return this.json('DELETE', `${NS}/instance/metadata/batch`, this.metadataBatchParams(params), true);
  }

  /**
   * Streams the full instance list of a service each time it changes, via Server-Sent Events
   * (`GET /ns/instance/watch`, a Tacos addition). The first event is the current list. Every event
   * whose data is an instance/list object (or an array of hosts) is yielded, whatever its event name;
   * other events (keep-alive pings) are skipped. Rejects on the
   * first iteration with `TacosHttpError` (404 when the server has no watch endpoint) or
   * `TacosUnreachableError`. Ends when the server closes the stream or `options.signal` aborts.
   */
  async *watchInstances(params: ListInstancesParams, options: WatchOptions = {}): AsyncGenerator<InstanceList> {
    const query = this.listParams(params);
    let opened: Awaited<ReturnType<HttpTransport['stream']>>;
    try {
      opened = await this.http.stream({ path: `${NS}/instance/watch`, query, signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    }
    const { stream } = opened;
    const onAbort = () => stream.destroy();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const parser = new SseParser();
    stream.setEncoding('utf8');
    try {
      for await (const chunk of stream) {
        for (const event of parser.push(chunk as string)) {
          // Any event carrying an instance list counts, whatever its name; others (pings) are skipped.
          const list = toInstanceList(event.data, params.serviceName);
          if (list) yield list;
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      throw new TacosClientError('UNREACHABLE', `watch stream broke: ${(error as Error).message}`, { cause: error });
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      stream.destroy();
    }
  }

  // ---------------------------------------------------------------- services (§2.5)

  /** `POST /ns/service`: creates a service; 400 when it exists. Not retried after a possible send. */
  async createService(params: ServiceParams): Promise<void> {
    await this.call('POST', `${NS}/service`, this.serviceWriteParams(params), false);
  }

  /**
   * `PUT /ns/service`: replaces protect threshold and metadata and sets the selector. Nacos requires
   * `protectThreshold`, so an omitted one is sent as 0; omitted metadata becomes `{}` on the server.
   * Read the service first to keep values (the CLI does).
   */
  async updateService(params: ServiceParams): Promise<void> {
    await this.call(
      'PUT',
      `${NS}/service`,
      { ...this.serviceWriteParams(params), protectThreshold: params.protectThreshold ?? 0 },
      true,
    );
  }

  /** `DELETE /ns/service`: deletes a service; 400 when it does not exist. */
  async deleteService(params: ServiceRef): Promise<void> {
    await this.call('DELETE', `${NS}/service`, this.serviceParams(params), false);
  }

  /** `GET /ns/service`: one service with its clusters; 404 when unknown. */
  async getService(params: ServiceRef): Promise<ServiceDetail> {
    return this.json('GET', `${NS}/service`, this.serviceParams(params), true);
  }

  /** `GET /ns/service/list`: a page of service names (defaults: page 1, size 100, `DEFAULT_GROUP`). */
  async listServices(params: ListServicesParams = {}): Promise<ServiceListResult> {
    return this.json(
      'GET',
      `${NS}/service/list`,
      {
        pageNo: params.pageNo ?? 1,
        pageSize: params.pageSize ?? 100,
        namespaceId: params.namespaceId ?? this.namespaceId,
        groupName: params.groupName,
        selector: selectorParam(params.selector),
      },
      true,
    );
  }

  /** `GET /ns/service/names`: service names per namespace (`namespaceId` omitted = all). */
  async serviceNames(params: { namespaceId?: string; expr?: string; responsibleOnly?: boolean } = {}): Promise<ServiceNamesResult> {
    return this.json('GET', `${NS}/service/names`, params, true);
  }

  /** `GET /ns/service/subscribers`: who subscribed to a service (UDP push clients). */
  async listSubscribers(
    params: ServiceRef & { pageNo?: number; pageSize?: number; aggregation?: boolean },
  ): Promise<SubscribersResult> {
    return this.json(
      'GET',
      `${NS}/service/subscribers`,
      { ...this.serviceParams(params), pageNo: params.pageNo ?? 1, pageSize: params.pageSize ?? 100, aggregation: params.aggregation },
      true,
    );
  }

  /** `PUT /ns/service/checksum`: the service's checksum. */
  async serviceChecksum(params: ServiceRef): Promise<{ checksum: string }> {
    return this.json('PUT', `${NS}/service/checksum`, this.serviceParams(params), true);
  }

  /** `PUT /ns/cluster`: creates or updates a cluster's health-check settings. */
  async updateCluster(params: UpdateClusterParams): Promise<void> {
    await this.call(
      'PUT',
      `${NS}/cluster`,
      {
        ...this.serviceParams(params),
        clusterName: params.clusterName,
        checkPort: params.checkPort,
        useInstancePort4Check: params.useInstancePort4Check,
        healthChecker: typeof params.healthChecker === 'string' ? params.healthChecker : JSON.stringify(params.healthChecker),
        metadata: metadataParam(params.metadata),
      },
      true,
    );
  }

  // ---------------------------------------------------------------- health (§2.5, §10)

  /** `GET /ns/health/server`: the naming module's hello message. */
  async serverHealth(): Promise<{ msg: string }> {
    return this.json('GET', `${NS}/health/server`, {}, true);
  }

  /** `PUT /ns/health`: sets an instance's health by hand (cluster checker must be NONE). */
  async updateInstanceHealth(params: UpdateHealthParams): Promise<void> {
    await this.call(
      'PUT',
      `${NS}/health`,
      { ...this.serviceParams(params), ip: params.ip, port: params.port, clusterName: params.clusterName, healthy: params.healthy },
      true,
    );
  }

  /** `GET /ns/health/checkers`: the known health checker types with their defaults. */
  async healthCheckers(): Promise<Record<string, Record<string, unknown>>> {
    return this.json('GET', `${NS}/health/checkers`, {}, true);
  }

  /** `GET /console/health/liveness`: resolves when the process answers 200. */
  async liveness(): Promise<void> {
    await this.call('GET', '/nacos/v1/console/health/liveness', {}, true);
  }

  /**
   * `GET /console/health/readiness`: resolves when the server is ready; rejects with
   * `TacosHttpError` (500/503 with the reason) when it is not.
   */
  async readiness(): Promise<void> {
    await this.call('GET', '/nacos/v1/console/health/readiness', {}, true);
  }

  /** `GET /console/server/state`: version and mode. */
  async serverState(): Promise<ServerState> {
    return this.json('GET', '/nacos/v1/console/server/state', {}, true);
  }

  // ---------------------------------------------------------------- catalog (§2.6)

  /** `GET /ns/catalog/service`: service with full cluster JSON. */
  async catalogService(params: ServiceRef): Promise<CatalogServiceDetail> {
    return this.json('GET', `${NS}/catalog/service`, this.serviceParams(params), true);
  }

  /** `GET /ns/catalog/instances`: a page of full instances of one cluster. */
  async catalogInstances(params: CatalogInstancesParams): Promise<CatalogInstancesResult> {
    return this.json(
      'GET',
      `${NS}/catalog/instances`,
      { ...this.serviceParams(params), clusterName: params.clusterName, pageNo: params.pageNo ?? 1, pageSize: params.pageSize ?? 100 },
      true,
    );
  }

  /** `GET /ns/catalog/services` (`withInstances=false`): a page of service summaries (counts, protect flag). */
  async catalogServices(params: CatalogServicesParams = {}): Promise<CatalogServicesResult> {
    return this.json(
      'GET',
      `${NS}/catalog/services`,
      {
        ...params,
        namespaceId: params.namespaceId ?? this.namespaceId,
        pageNo: params.pageNo ?? 1,
        pageSize: params.pageSize ?? 100,
        // Nacos answers a different shape (services with their instances) unless told not to.
        withInstances: false,
      },
      true,
    );
  }

  /** `GET /ns/catalog/rt/service`: health-check response times per cluster. */
  async catalogRt(params: ServiceRef): Promise<CatalogRtResult> {
    return this.json('GET', `${NS}/catalog/rt/service`, this.serviceParams(params), true);
  }

  // ---------------------------------------------------------------- operator (§2.7)

  /** `GET /ns/operator/switches`: the global switch table. */
  async getSwitches(): Promise<Switches> {
    return this.json('GET', `${NS}/operator/switches`, {}, true);
  }

  /** `PUT /ns/operator/switches`: sets one switch entry (Tacos answers 400 for unknown entries). */
  async updateSwitch(entry: string, value: string, debug?: boolean): Promise<void> {
    await this.call('PUT', `${NS}/operator/switches`, { entry, value, debug }, true);
  }

  /** `GET /ns/operator/metrics`: status (UP/DOWN) and counts. */
  async metrics(): Promise<OperatorMetrics> {
    return this.json('GET', `${NS}/operator/metrics`, {}, true);
  }

  /** `GET /ns/operator/servers`: the cluster members as naming sees them. */
  async operatorServers(healthy?: boolean): Promise<ServersResult> {
    return this.json('GET', `${NS}/operator/servers`, { healthy }, true);
  }

  /** `GET /ns/operator/cluster/state` (deprecated): the local peer's raft view. */
  async operatorClusterState(): Promise<Record<string, unknown>> {
    return this.json('GET', `${NS}/operator/cluster/state`, {}, true);
  }

  /** `GET /ns/operator/push/state`: UDP push statistics. */
  async pushState(params: { detail?: boolean; reset?: boolean } = {}): Promise<PushState> {
    return this.json('GET', `${NS}/operator/push/state`, params, true);
  }

  /** `GET /ns/operator/distro/server`: which member is responsible for a service. */
  async distroServer(serviceName: string): Promise<{ responsibleServer: string }> {
    return this.json('GET', `${NS}/operator/distro/server`, { serviceName }, true);
  }

  /** `GET /ns/operator/distro/status`: members as distro sees them. */
  async distroStatus(): Promise<{ status: Member[] }> {
    return this.json('GET', `${NS}/operator/distro/status`, { action: 'view' }, true);
  }

  /** `PUT /ns/operator/log`: changes a logger's level. */
  async setLogLevel(logName: string, logLevel: string): Promise<void> {
    await this.call('PUT', `${NS}/operator/log`, { logName, logLevel }, true);
  }

  // ---------------------------------------------------------------- cluster (§2.9, Tacos)

  /** `GET /ns/raft/state` (Tacos): this member's Raft role, term, leader, indexes and members. */
  async raftState(): Promise<RaftState> {
    return this.json('GET', `${NS}/raft/state`, {}, true);
  }

  /** `GET /core/cluster/self`: the answering member. */
  async clusterSelf(): Promise<Member> {
    return unwrap(await this.json('GET', '/nacos/v1/core/cluster/self', {}, true));
  }

  /** `GET /core/cluster/nodes`: all members (optionally those whose address starts with `keyword`). */
  async clusterNodes(keyword?: string): Promise<Member[]> {
    return unwrap(await this.json('GET', '/nacos/v1/core/cluster/nodes', { keyword }, true));
  }

  /** `GET /core/cluster/health`: the answering member's state name (e.g. `UP`). */
  async clusterHealth(): Promise<string> {
    return unwrap(await this.json('GET', '/nacos/v1/core/cluster/health', {}, true));
  }

  /**
   * `POST /core/cluster/members?address=` (Tacos): adds a voting member (`ip:port`). Only the Raft
   * leader accepts it; a follower answers 503, so 5xx answers move on to the next server (put the
   * leader first to save a round trip).
   */
  async addClusterMember(address: string): Promise<void> {
    await this.call('POST', '/nacos/v1/core/cluster/members', { address }, true);
  }

  /** `DELETE /core/cluster/members?address=` (Tacos): removes a member; leader only, as for adding. */
  async removeClusterMember(address: string): Promise<void> {
    await this.call('DELETE', '/nacos/v1/core/cluster/members', { address }, true);
  }

  // ---------------------------------------------------------------- namespaces (§2.9)

  /** `GET /console/namespaces`: all namespaces (public first). */
  async listNamespaces(): Promise<Namespace[]> {
    return unwrap(await this.json('GET', '/nacos/v1/console/namespaces', {}, true));
  }

  /** `GET /console/namespaces?show=all&namespaceId=`: one namespace with its description. */
  async getNamespace(namespaceId: string): Promise<Namespace> {
    return unwrap(await this.json('GET', '/nacos/v1/console/namespaces', { show: 'all', namespaceId }, true));
  }

  /** `GET /console/namespaces?checkNamespaceIdExist=true`: whether an id is taken. */
  async namespaceExists(namespaceId: string): Promise<boolean> {
    const value = await this.json<unknown>(
      'GET',
      '/nacos/v1/console/namespaces',
      { checkNamespaceIdExist: true, customNamespaceId: namespaceId },
      true,
    );
    return unwrap(value) === true;
  }

  /**
   * `POST /console/namespaces`: creates a namespace. Resolves with the server's boolean; a Nacos server
   * answers `false` for a refused id, Tacos answers 400 with the reason (`TacosHttpError`).
   */
  async createNamespace(params: CreateNamespaceParams): Promise<boolean> {
    return unwrap(
      await this.json(
        'POST',
        '/nacos/v1/console/namespaces',
        { customNamespaceId: params.customNamespaceId ?? '', namespaceName: params.namespaceName, namespaceDesc: params.namespaceDesc },
        false,
      ),
    ) === true;
  }

  /** `PUT /console/namespaces`: renames / re-describes a namespace. */
  async updateNamespace(params: { namespace: string; namespaceShowName: string; namespaceDesc?: string }): Promise<boolean> {
    return unwrap(await this.json('PUT', '/nacos/v1/console/namespaces', params, true)) === true;
  }

  /** `DELETE /console/namespaces`: deletes a namespace. */
  async deleteNamespace(namespaceId: string): Promise<boolean> {
    return unwrap(await this.json('DELETE', '/nacos/v1/console/namespaces', { namespaceId }, true)) === true;
  }

  // ---------------------------------------------------------------- auth (§2.9, §7)

  /**
   * `POST /auth/users/login` (form body): resolves with the token. Does not store it; call
   * {@link setToken} to use it. 403 `unknown user!` on bad credentials.
   */
  async login(username: string, password: string): Promise<LoginResult> {
    const res = await this.http.request({
      method: 'POST',
      path: '/nacos/v1/auth/users/login',
      form: { username, password },
      idempotent: true,
    });
    return parseJson(res, 'POST', '/nacos/v1/auth/users/login');
  }

  /**
   * `POST /auth/users/admin` (password in the form body; Tacos with `--auth`): sets the password of the
   * first admin user `nacos` on a server that has no admin yet. Needs no token; valid once per
   * cluster (later calls are refused with 403/409). Not retried once it may have been received.
   */
  async initAdmin(password: string): Promise<void> {
    await this.send({ method: 'POST', path: '/nacos/v1/auth/users/admin', form: { password }, idempotent: false });
  }

  /** `GET /auth/users`: a page of users. */
  async listUsers(pageNo = 1, pageSize = 100): Promise<Page<User>> {
    return this.json('GET', '/nacos/v1/auth/users', { pageNo, pageSize }, true);
  }

  /** `GET /auth/users/search`: user names containing `username`. */
  async searchUsers(username: string): Promise<string[]> {
    return this.json('GET', '/nacos/v1/auth/users/search', { username }, true);
  }

  /** `POST /auth/users` (password in the form body): creates a user. */
  async createUser(username: string, password: string): Promise<void> {
    await this.send({ method: 'POST', path: '/nacos/v1/auth/users', form: { username, password }, idempotent: false });
  }

  /** `PUT /auth/users`: changes a user's password. */
  async updateUser(username: string, newPassword: string): Promise<void> {
    await this.send({ method: 'PUT', path: '/nacos/v1/auth/users', form: { username, newPassword }, idempotent: true });
  }

  /** `DELETE /auth/users`: deletes a user. */
  async deleteUser(username: string): Promise<void> {
    await this.call('DELETE', '/nacos/v1/auth/users', { username }, true);
  }

  /** `GET /auth/roles`: a page of role bindings (optionally of one user). */
  async listRoles(params: { username?: string; pageNo?: number; pageSize?: number } = {}): Promise<Page<RoleInfo>> {
    return this.json(
      'GET',
      '/nacos/v1/auth/roles',
      { pageNo: params.pageNo ?? 1, pageSize: params.pageSize ?? 100, username: params.username },
      true,
    );
  }

  /** `GET /auth/roles/search`: role names containing `role`. */
  async searchRoles(role: string): Promise<string[]> {
    return this.json('GET', '/nacos/v1/auth/roles/search', { role }, true);
  }

  /** `POST /auth/roles`: binds a role to a user. */
  async createRole(role: string, username: string): Promise<void> {
    await this.call('POST', '/nacos/v1/auth/roles', { role, username }, true);
  }

  /** `DELETE /auth/roles`: removes a role binding (or, without `username`, the whole role). */
  async deleteRole(role: string, username?: string): Promise<void> {
    await this.call('DELETE', '/nacos/v1/auth/roles', { role, username }, true);
  }

  /** `GET /auth/permissions`: a page of permissions (optionally of one role). */
  async listPermissions(params: { role?: string; pageNo?: number; pageSize?: number } = {}): Promise<Page<PermissionInfo>> {
    return this.json(
      'GET',
      '/nacos/v1/auth/permissions',
      { pageNo: params.pageNo ?? 1, pageSize: params.pageSize ?? 100, role: params.role },
      true,
    );
  }

  /** `POST /auth/permissions`: grants `action` (r, w, rw) on `resource` to `role`. */
  async createPermission(role: string, resource: string, action: string): Promise<void> {
    await this.call('POST', '/nacos/v1/auth/permissions', { role, resource, action }, true);
  }

  /** `DELETE /auth/permissions`: revokes a permission. */
  async deletePermission(role: string, resource: string, action: string): Promise<void> {
    await this.call('DELETE', '/nacos/v1/auth/permissions', { role, resource, action }, true);
  }

  // ---------------------------------------------------------------- internals

  private async call(method: TransportRequest['method'], path: string, query: Params, idempotent: boolean): Promise<TransportResponse> {
    return this.http.request({ method, path, query, idempotent });
  }

  private async send(req: TransportRequest): Promise<TransportResponse> {
    return this.http.request(req);
  }

  private async json<T>(method: TransportRequest['method'], path: string, query: Params, idempotent: boolean): Promise<T> {
    return parseJson<T>(await this.call(method, path, query, idempotent), method, path);
  }

  private serviceParams(params: ServiceRef): Params {
    return {
      serviceName: params.serviceName,
      groupName: params.groupName,
      namespaceId: params.namespaceId ?? this.namespaceId,
    };
  }

  private instanceRefParams(params: InstanceRef): Params {
    return {
      ...this.serviceParams(params),
      ip: params.ip,
      port: params.port,
      clusterName: params.clusterName,
      ephemeral: params.ephemeral,
    };
  }

  private instanceParams(params: RegisterInstanceParams | PatchInstanceParams): Params {
    return {
      ...this.instanceRefParams(params),
      weight: params.weight,
      enabled: params.enabled,
      healthy: params.healthy,
      metadata: metadataParam(params.metadata),
      app: params.app,
    };
  }

  private listParams(params: ListInstancesParams): Params {
    return {
      ...this.serviceParams(params),
      clusters: Array.isArray(params.clusters) ? params.clusters.join(',') : params.clusters,
      healthyOnly: params.healthyOnly,
      clientIP: params.clientIP,
      udpPort: params.udpPort,
      app: params.app,
    };
  }

  private serviceWriteParams(params: ServiceParams): Params {
    return {
      ...this.serviceParams(params),
      protectThreshold: params.protectThreshold,
      metadata: metadataParam(params.metadata),
      selector: selectorParam(params.selector),
    };
  }

  private metadataBatchParams(params: MetadataBatchParams): Params {
    return {
      ...this.serviceParams(params),
      metadata: metadataParam(params.metadata),
      consistencyType: params.consistencyType,
      instances: params.instances ? JSON.stringify(params.instances) : undefined,
    };
  }
}

/** Metadata as Nacos' parameter: maps become a JSON object string, text is passed through. */
function metadataParam(metadata: MetadataInput | undefined): string | undefined {
  if (metadata === undefined) return undefined;
  return typeof metadata === 'string' ? metadata : JSON.stringify(metadata);
}

function selectorParam(selector: Selector | string | undefined): string | undefined {
  if (selector === undefined) return undefined;
  return typeof selector === 'string' ? selector : JSON.stringify(selector);
}

function parseJson<T>(res: TransportResponse, method: string, path: string): T {
  try {
    return JSON.parse(res.body) as T;
  } catch (error) {
    throw new TacosClientError(
      'BAD_RESPONSE',
      `${method} ${res.server}${path} answered ${res.status} with a body that is not JSON: ${res.body.slice(0, 200)}`,
      { cause: error },
    );
  }
}

/** Accepts either a RestResult envelope (`{code, message, data}`) or the bare value. */
function unwrap<T>(value: unknown): T {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'data' in value && 'code' in value) {
    return (value as { data: T }).data;
  }
  return value as T;
}

/**
 * A watch event's data: an instance/list object (with `hosts`), or a bare array of hosts. Anything else
 * (keep-alive pings, non-JSON text) gives undefined.
 */
function toInstanceList(data: string, serviceName: string): InstanceList | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (Array.isArray(parsed)) return { name: serviceName, clusters: '', cacheMillis: 0, hosts: parsed };
  if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as InstanceList).hosts)) {
    return parsed as InstanceList;
  }
  return undefined;
}
