import type { RaftStatus } from '@tacos/raft';
import type { HandlerResult } from '../handler';
import { Params } from '../params';
import { NS, type RouteDef } from '../routes/route';
import type { MemberHealth } from './member-health';
import { clusterHealthBody, clusterNodesBody, clusterSelfBody, clusterSimpleNodesBody, distroServerBody, raftStateBody } from './raft-state';

const JSON_TYPE = 'application/json; charset=utf-8';

// The server's `json()` helper omits nulls; these bodies must keep them (`"message":null`,
// `"leader":null`), so they are serialized here.
const keepNulls = (value: unknown): HandlerResult => ({ status: 200, body: JSON.stringify(value), contentType: JSON_TYPE });

/** What {@link clusterRoutes} reads. */
export interface ClusterRouteDeps {
  membership: MemberHealth;
  /** `() => raftNode.status()`; without it `/raft/state` is not mounted. */
  raftStatus?: () => RaftStatus;
  /** `(groupedServiceName) => distroNode.ownerOf(name)`; without it `/operator/distro/server` is not mounted. */
  distroOwnerOf?: (groupedServiceName: string) => string | undefined;
}

/**
 * The read-only cluster endpoints on the client port, as RouteDefs for the server's route table:
 * `GET /nacos/v1/ns/raft/state`, `GET /nacos/v1/ns/operator|ops/distro/server?serviceName=`, and
 * `GET /nacos/v1/core/cluster/self|nodes|simple/nodes|health` (RestResult bodies). `/operator/servers`
 * stays in the operator routes: pass `members: () => membership.nacosMembers()` in ServerDeps.
 */
export function clusterRoutes(deps: ClusterRouteDeps): RouteDef[] {
  const core = '/nacos/v1/core/cluster';
  const m = deps.membership;
  const routes: RouteDef[] = [
    { method: 'GET', path: `${core}/self`, handler: () => keepNulls(clusterSelfBody(m.selfMember())) },
    { method: 'GET', path: `${core}/nodes`, handler: (req) => keepNulls(clusterNodesBody(m.nacosMembers(), req.param('keyword')?.trim())) },
    { method: 'GET', path: `${core}/simple/nodes`, handler: () => keepNulls(clusterSimpleNodesBody(m.nacosMembers())) },
    { method: 'GET', path: `${core}/health`, handler: () => keepNulls(clusterHealthBody(m.selfMember())) },
  ];
  const raftStatus = deps.raftStatus;
  if (raftStatus) routes.push({ method: 'GET', path: `${NS}/raft/state`, handler: () => keepNulls(raftStateBody(raftStatus())) });
  const ownerOf = deps.distroOwnerOf;
  if (ownerOf) {
    for (const prefix of [`${NS}/operator`, `${NS}/ops`]) {
      routes.push({
        method: 'GET',
        path: `${prefix}/distro/server`,
        handler: (req) => keepNulls(distroServerBody(ownerOf(new Params(req).groupedServiceName()))),
      });
    }
  }
  return routes;
}
