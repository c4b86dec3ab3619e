import { useState } from 'react';
import { listSubscribers } from '../api/console-api';
import { useApp } from '../app-context';
import { ErrorMessage } from '../components/ErrorMessage';
import { EmptyState } from '../components/Modal';
import { Pager } from '../components/Pager';
import { buildHash } from '../lib/router';
import { useLoad } from '../lib/use-load';

const PAGE_SIZE = 20;

/** Who subscribes to a service (clients that poll it with a push port), across the cluster. */
export function SubscribersPage({ serviceName, groupName }: { serviceName: string; groupName: string }) {
  const { namespaceId } = useApp();
  const [pageNo, setPageNo] = useState(1);
  const { data, error, reload } = useLoad(JSON.stringify([namespaceId, serviceName, groupName, pageNo]), (signal) =>
    listSubscribers({ namespaceId, serviceName, groupName }, pageNo, PAGE_SIZE, signal),
  );
  return (
    <section>
      <div className="page-head">
        <a href={buildHash('/services/detail', { name: serviceName, group: groupName })} className="back">
          ← {serviceName}
        </a>
        <h1>Subscribers</h1>
        <span className="badge badge-muted">
          {groupName}@@{serviceName}
        </span>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={error} onRetry={() => void reload()} />
      {data && data.subscribers.length === 0 && (
        <EmptyState title="No subscribers">
          A client becomes a subscriber when it queries this service with a UDP push port (Nacos 1.x clients do so when they subscribe).
          Subscriptions expire 10 s after the client's last query.
        </EmptyState>
      )}
      {data && data.subscribers.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Address</th>
                  <th>Agent</th>
                  <th>App</th>
                  <th>Namespace</th>
                </tr>
              </thead>
              <tbody>
                {data.subscribers.map((s) => (
                  <tr key={`${s.addrStr}/${s.agent}`}>
                    <td className="mono">{s.addrStr}</td>
                    <td className="small">{s.agent || '—'}</td>
                    <td>{s.app || '—'}</td>
                    <td className="mono small">{s.namespaceId || 'public'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pageNo={pageNo} pageSize={PAGE_SIZE} total={data.count} onPage={setPageNo} />
        </>
      )}
    </section>
  );
}
