import type { RaftStatus } from '@tacos/raft';
import type { ClusterMember } from './member-health';

/** Role names of `/raft/state`: Raft's PRE_CANDIDATE is shown as CANDIDATE (it is campaigning). */
export type RaftStateRole = 'LEADER' | 'FOLLOWER' | 'CANDIDATE';

/** Body of `GET /nacos/v1/ns/raft/state`. */
export interface RaftStateBody {
  /** The leader's member address, or null when this member knows none. */
  leader: string | null;
  term: number;
  role: RaftStateRole;
  commitIndex: number;
  appliedIndex: number;
  /** Voters and learners, as this member's configuration has them. */
  members: string[];
}

/** Maps a raft role to the three names the endpoint shows. */
export function raftStateRole(role: RaftStatus['role']): RaftStateRole {
  if (role === 'LEADER') return 'LEADER';
  if (role === 'FOLLOWER') return 'FOLLOWER';
  return 'CANDIDATE';
}

/** Builds the `/raft/state` body from `RaftNode.status()`. Pure; returns a new object. */
export function raftStateBody(status: RaftStatus): RaftStateBody {
  return {
    leader: status.leaderId === '' ? null : status.leaderId,
    term: status.term,
    role: raftStateRole(status.role),
    commitIndex: status.commitIndex,
    appliedIndex: status.appliedIndex,
    members: [...status.members],
  };
}

/** Name of the Raft group in `raftMetaData` (Nacos 1.4's naming persistent group). */
export const RAFT_GROUP_NAME = 'naming_persistent_service';

/**
 * `extendInfo.raftMetaData` of a Nacos Member: `{"metaDataMap":{"<group>":{"leader","raftGroupMember","term"}}}`.
 * Nacos shows JRaft addresses (port − 1000); Tacos shows member addresses, since Raft travels on
 * the peer routes. `leader` is omitted when unknown.
 */
export function raftMetaDataOf(status: RaftStatus): { metaDataMap: Record<string, { leader?: string; raftGroupMember: string[]; term: number }> } {
  const group: { leader?: string; raftGroupMember: string[]; term: number } = { raftGroupMember: [...status.voters], term: status.term };
  if (status.leaderId !== '') group.leader = status.leaderId;
  return { metaDataMap: { [RAFT_GROUP_NAME]: group } };
}

/** Nacos' `RestResult` envelope of the `/v1/core/*` endpoints. */
export interface RestResult<T> {
  code: number;
  message: string | null;
  data: T;
}

/** A successful RestResult: `{"code":200,"message":null,"data":...}`. Serialize with plain JSON.stringify (keep the null). */
export function restResult<T>(data: T): RestResult<T> {
  return { code: 200, message: null, data };
}

/** `GET /v1/core/cluster/self` body: this member's record. */
export function clusterSelfBody(self: ClusterMember): RestResult<ClusterMember> {
  return restResult(self);
}

/** `GET /v1/core/cluster/nodes?keyword=` body: members whose address starts with `keyword`, sorted by address. */
export function clusterNodesBody(members: readonly ClusterMember[], keyword?: string): RestResult<ClusterMember[]> {
  const k = keyword ?? '';
  return restResult(members.filter((m) => m.address.startsWith(k)).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)));
}

/** `GET /v1/core/cluster/simple/nodes` body: member addresses. */
export function clusterSimpleNodesBody(members: readonly ClusterMember[]): RestResult<string[]> {
  return restResult(members.map((m) => m.address).sort());
}

/** `GET /v1/core/cluster/health` body: this member's state name. */
export function clusterHealthBody(self: ClusterMember): RestResult<string> {
  return restResult(self.state);
}

/** `GET /v1/ns/operator/distro/server` body. `owner` undefined (no healthy member) shows null. */
export function distroServerBody(owner: string | undefined): { responsibleServer: string | null } {
  return { responsibleServer: owner ?? null };
}
