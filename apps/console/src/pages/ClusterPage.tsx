import { getClusterSelf, getRaftState, getReadiness, getServerState, listClusterNodes } from '../api/console-api';
import type { Member, RaftState, ServerState } from '@tacos/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { isMissingEndpoint } from '../lib/errors';
import { useLoad } from '../lib/use-load';
import { useEffect } from 'react';

interface ClusterView {
  server: ServerState | undefined;
  raft: RaftState | undefined;
  raftError: unknown;
  nodes: Member[] | undefined;
  nodesError: unknown;
  self: Member | undefined;
  ready: boolean;
  readyText: string;
}

/** Settles a promise into value-or-error, so one missing endpoint does not blank the whole page. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

async function loadCluster(signal: AbortSignal): Promise<ClusterView> {
  const [server, raft, nodes, self, ready] = await Promise.all([
    settle(getServerState(signal)),
    settle(getRaftState(signal)),
    settle(listClusterNodes(signal)),
    settle(getClusterSelf(signal)),
    settle(getReadiness(signal)),
  ]);
  return {
    server: server.value,
    raft: raft.value,
    raftError: raft.error,
    nodes: nodes.value,
    nodesError: nodes.error,
    self: self.value,
    ready: ready.error === undefined,
    readyText: ready.error === undefined ? String(ready.value ?? 'OK') : ready.error instanceof Error ? ready.error.message : 'not ready',
  };
}

/** `extendInfo` values worth a column. */
function info(member: Member, key: string): string | undefined {
  const value = member.extendInfo?.[key];
  return value === undefined || value === null ? undefined : String(value);
}

/** Distro readiness of a member as it reports it (`extendInfo.distroReady` / `ready`), if it does. */
function distroReady(member: Member): boolean | undefined {
  const value = member.extendInfo?.distroReady ?? member.extendInfo?.ready ?? member.ready;
  if (value === undefined || value === null) return undefined;
  return value === true || value === 'true';
}

/**
 * The cluster: this node, the Raft view (role, term, leader, commit/applied index), and the members with
 * their state and Distro readiness. A standalone server shows as a one-member cluster; endpoints the server
 * does not have yet are said so in place. Refreshed every 3 s.
 */
export function ClusterPage() {
  const { data, error, reload } = useLoad('cluster', loadCluster);
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, 3000);
    return () => window.clearInterval(timer);
  }, [reload]);

  const mode = String(data?.server?.standalone_mode ?? '');
  const standalone = mode === 'standalone' || (data?.nodes !== undefined && data.nodes.length <= 1);
  const selfAddress = data?.self?.address ?? (data?.self ? `${data.self.ip}:${data.self.port}` : window.location.host);
  const raft = data?.raft;
  const members = data?.nodes ?? (data?.self ? [data.self] : []);

  return (
    <section>
      <div className="page-head">
        <h1>Cluster</h1>
        {data && <span className={`badge ${standalone ? 'badge-muted' : 'badge-ok'}`}>{standalone ? 'standalone' : `cluster of ${members.length}`}</span>}
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={error} onRetry={() => void reload()} />
      {data && (
        <div className="cards">
          <div className="card">
            <h2>This node</h2>
            <dl className="props">
              <dt>Address</dt>
              <dd className="mono" data-testid="self-address">
                {selfAddress}
              </dd>
              <dt>Mode</dt>
              <dd>{mode || (standalone ? 'standalone' : 'cluster')}</dd>
              <dt>Version</dt>
              <dd className="mono">{String(data.server?.version ?? '—')}</dd>
              <dt>Ready</dt>
              <dd data-testid="self-ready" title="Readiness probe: data loaded (Distro snapshot, Raft log) and a Raft leader known">
                {data.ready ? <span className="badge badge-ok">ready</span> : <span className="badge badge-down">{data.readyText}</span>}
              </dd>
            </dl>
          </div>
          <div className="card">
            <h2>Raft</h2>
            {raft ? (
              <dl className="props" data-testid="raft">
                <dt>Role</dt>
                <dd>
                  <span data-testid="raft-role" className={`badge ${String(raft.role).toLowerCase() === 'leader' ? 'badge-ok' : 'badge-muted'}`}>
                    {String(raft.role)}
                  </span>
                </dd>
                <dt>Term</dt>
                <dd className="mono" data-testid="raft-term">
                  {raft.term}
                </dd>
                <dt>Leader</dt>
                <dd className="mono" data-testid="raft-leader">
                  {raft.leader ?? <span className="text-down">no leader</span>}
                </dd>
                <dt>Commit / applied</dt>
                <dd className="mono">
                  {raft.commitIndex} / {raft.appliedIndex}
                </dd>
              </dl>
            ) : isMissingEndpoint(data.raftError) ? (
              <p className="muted">
                {standalone
                  ? 'Standalone: this node is the only member and decides alone. A Raft group (role, term, leader) exists only in cluster mode (--members).'
                  : 'This server does not publish its Raft state yet (/v1/ns/raft/state).'}
              </p>
            ) : (
              <ErrorMessage error={data.raftError} />
            )}
          </div>
        </div>
      )}
      {data && (
        <div className="card">
          <h2>Members</h2>
          {data.nodesError !== undefined && !isMissingEndpoint(data.nodesError) && <ErrorMessage error={data.nodesError} />}
          {members.length === 0 ? (
            <p className="muted">
              {standalone ? `Standalone server at ${selfAddress}. Start members with --members (or cluster.conf) to form a cluster.` : 'No member list from this server.'}
            </p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>Address</th>
                    <th>State</th>
                    <th>Raft</th>
                    <th>Distro</th>
                    <th>Version</th>
                  </tr>
                </thead>
                <tbody>
                  {members.map((member) => {
                    const address = member.address || `${member.ip}:${member.port}`;
                    const isLeader = raft?.leader === address;
                    // This member's readiness comes from its own probe; the others' from their member record
                    // (`extendInfo.distroReady`, which members exchange through their health probes).
                    const ready = address === selfAddress ? data.ready : distroReady(member);
                    return (
                      <tr key={address} data-testid={`member-${address}`}>
                        <td className="mono">
                          {address} {address === selfAddress && <span className="badge badge-info">you are here</span>}
                        </td>
                        <td>
                          <span className={`badge ${member.state === 'UP' ? 'badge-ok' : member.state === 'DOWN' ? 'badge-down' : 'badge-warn'}`}>{member.state}</span>
                        </td>
                        <td>{raft ? isLeader ? <strong>leader</strong> : raft.leader ? 'follower' : '—' : (info(member, 'raftRole') ?? '—')}</td>
                        <td>
                          {ready === undefined ? (
                            <span className="muted" title="Open the console on that member to see its readiness">
                              not published
                            </span>
                          ) : ready ? (
                            'ready'
                          ) : (
                            <span className="text-down">loading</span>
                          )}
                        </td>
                        <td className="mono small">{info(member, 'version') ?? '—'}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
