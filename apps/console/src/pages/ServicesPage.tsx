import { type FormEvent, useEffect, useReducer, useState } from 'react';
import { createService, deleteService, listServices } from '../api/console-api';
import { go, useApp } from '../app-context';
import { ErrorMessage } from '../components/ErrorMessage';
import { HealthCount } from '../components/HealthSummary';
import { EmptyState, Modal } from '../components/Modal';
import { Pager } from '../components/Pager';
import { selectorParam, type ServiceSettings, ServiceSettingsFields } from '../components/ServiceSettingsFields';
import { isTriggered } from '../lib/health';
import { metadataToParam, parseMetadata } from '../lib/metadata';
import { buildHash } from '../lib/router';
import { INITIAL_SERVICE_LIST_STATE, serviceListReducer } from '../lib/service-list-state';
import { useLoad } from '../lib/use-load';

/** Waits `ms` after the last change before passing a value on (search boxes). */
function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** The service list: search by name and group, hide empty, server-side paging, refreshed every 5 s. */
export function ServicesPage() {
  const { namespaceId, notify } = useApp();
  const [state, dispatch] = useReducer(serviceListReducer, INITIAL_SERVICE_LIST_STATE);
  const [nameInput, setNameInput] = useState('');
  const [groupInput, setGroupInput] = useState('');
  const [creating, setCreating] = useState(false);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const serviceName = useDebounced(nameInput, 250);
  const groupName = useDebounced(groupInput, 250);

  useEffect(() => dispatch({ type: 'serviceName', value: serviceName.trim() }), [serviceName]);
  useEffect(() => dispatch({ type: 'groupName', value: groupName.trim() }), [groupName]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a namespace switch starts over on page 1
  useEffect(() => dispatch({ type: 'page', pageNo: 1 }), [namespaceId]);

  const key = JSON.stringify([namespaceId, state.serviceName, state.groupName, state.hideEmpty, state.pageNo, state.pageSize]);
  const { data, error, loading, reload } = useLoad(key, (signal) =>
    listServices(
      {
        namespaceId,
        serviceNameParam: state.serviceName,
        groupNameParam: state.groupName,
        hasIpCount: state.hideEmpty,
        pageNo: state.pageNo,
        pageSize: state.pageSize,
      },
      signal,
    ),
  );

  useEffect(() => {
    if (data) dispatch({ type: 'loaded', total: data.count });
  }, [data]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, 5000);
    return () => window.clearInterval(timer);
  }, [reload]);

  const remove = async (name: string, group: string) => {
    if (!window.confirm(`Delete service ${group}@@${name}? Its instances are removed too.`)) return;
    setActionError(undefined);
    try {
      await deleteService({ namespaceId, serviceName: name, groupName: group });
      notify(`Deleted ${name}`);
      await reload();
    } catch (failure) {
      setActionError(failure);
    }
  };

  const filtered = state.serviceName !== '' || state.groupName !== '' || state.hideEmpty;
  const rows = data?.serviceList ?? [];

  return (
    <section>
      <div className="page-head">
        <h1>Services</h1>
        <span className="muted">{data ? `${data.count.toLocaleString('en-US')} in this namespace${filtered ? ' (filtered)' : ''}` : ''}</span>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create service
        </button>
      </div>
      <div className="filters">
        <input aria-label="Service name" placeholder="Service name contains…" value={nameInput} onChange={(e) => setNameInput(e.target.value)} />
        <input aria-label="Group name" placeholder="Group contains…" value={groupInput} onChange={(e) => setGroupInput(e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={state.hideEmpty} onChange={(e) => dispatch({ type: 'hideEmpty', value: e.target.checked })} />
          Hide empty services
        </label>
        {loading && <span className="muted small">refreshing…</span>}
      </div>
      <ErrorMessage error={error} onRetry={() => void reload()} />
      <ErrorMessage error={actionError} />
      {data && rows.length === 0 ? (
        filtered ? (
          <EmptyState title="No service matches these filters">
            Clear the search boxes or untick "Hide empty services".{' '}
            <button
              type="button"
              className="link"
              onClick={() => {
                setNameInput('');
                setGroupInput('');
                dispatch({ type: 'reset' });
              }}
            >
              Clear filters
            </button>
          </EmptyState>
        ) : (
          <EmptyState title="No services in this namespace yet">
            Register an instance from an application (a Nacos client, or <code>tacos instance register</code>), or create a service here with
            "Create service".
          </EmptyState>
        )
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Service</th>
                <th className="hide-narrow">Group</th>
                <th className="num hide-narrow">Clusters</th>
                <th className="num">Instances</th>
                <th className="num">Healthy</th>
                <th>Protection</th>
                <th className="actions">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const detail = buildHash('/services/detail', { name: row.name, group: row.groupName });
                return (
                  <tr key={`${row.groupName}@@${row.name}`}>
                    <td>
                      <a href={detail} className="strong">
                        {row.name}
                      </a>
                      <span className="show-narrow mono small muted">{row.groupName}</span>
                    </td>
                    <td className="mono small hide-narrow">{row.groupName}</td>
                    <td className="num hide-narrow">{row.clusterCount}</td>
                    <td className="num">{row.ipCount}</td>
                    <td className="num">
                      <HealthCount healthy={row.healthyInstanceCount} total={row.ipCount} />
                    </td>
                    <td>{isTriggered(row.triggerFlag) ? <span className="badge badge-warn">threshold reached</span> : <span className="muted">—</span>}</td>
                    <td className="actions">
                      <a href={detail}>Detail</a>
                      <a href={buildHash('/services/subscribers', { name: row.name, group: row.groupName })}>Subscribers</a>
                      <button type="button" className="link danger" onClick={() => void remove(row.name, row.groupName)}>
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        pageNo={state.pageNo}
        pageSize={state.pageSize}
        total={state.total}
        onPage={(pageNo) => dispatch({ type: 'page', pageNo })}
        onPageSize={(pageSize) => dispatch({ type: 'pageSize', pageSize })}
      />
      {creating && (
        <CreateServiceDialog
          namespaceId={namespaceId}
          onClose={() => setCreating(false)}
          onCreated={(name, group) => {
            setCreating(false);
            notify(`Created ${name}`);
            go(buildHash('/services/detail', { name, group }));
          }}
        />
      )}
    </section>
  );
}

/** The "Create service" form: name, group, protect threshold, metadata, selector. */
function CreateServiceDialog({
  namespaceId,
  onClose,
  onCreated,
}: {
  namespaceId: string;
  onClose: () => void;
  onCreated: (name: string, group: string) => void;
}) {
  const [name, setName] = useState('');
  const [group, setGroup] = useState('DEFAULT_GROUP');
  const [settings, setSettings] = useState<ServiceSettings>({ threshold: '0', metadata: '', selectorType: 'none', expression: '' });
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseMetadata(settings.metadata);
    const protectThreshold = Number(settings.threshold);
    if (!parsed.ok) return setError(new Error(`Metadata: ${parsed.error}`));
    if (!Number.isFinite(protectThreshold) || protectThreshold < 0 || protectThreshold > 1) {
      return setError(new Error('Protect threshold must be a number between 0 and 1'));
    }
    setBusy(true);
    setError(undefined);
    try {
      await createService(
        { namespaceId, serviceName: name.trim(), groupName: group.trim() || 'DEFAULT_GROUP' },
        {
          protectThreshold,
          metadata: metadataToParam(parsed.value),
          selector: selectorParam(settings),
        },
      );
      onCreated(name.trim(), group.trim() || 'DEFAULT_GROUP');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Create service" onClose={onClose}>
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor="svc-name">Service name</label>
          <input id="svc-name" value={name} onChange={(e) => setName(e.target.value)} required placeholder="order-service" />
        </div>
        <div className="field">
          <label htmlFor="svc-group">Group</label>
          <input id="svc-group" value={group} onChange={(e) => setGroup(e.target.value)} />
        </div>
        <ServiceSettingsFields idPrefix="svc" value={settings} onChange={setSettings} />
        <ErrorMessage error={error} />
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
            Create
          </button>
        </div>
      </form>
    </Modal>
  );
}
