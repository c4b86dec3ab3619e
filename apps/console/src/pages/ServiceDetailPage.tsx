import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import {
  type InstanceKey,
  type ServiceKey,
  deleteService,
  deregisterInstance,
  getService,
  listInstances,
  registerInstance,
  setInstanceHealth,
  updateCluster,
  updateInstance,
  updateService,
} from '../api/console-api';
import { apiUrl } from '../api/http';
import type { CatalogInstance } from '@tacos/client';
import type { ClusterInfo, ServiceDetail } from '../api/types';
import { go, useApp } from '../app-context';
import { ErrorMessage } from '../components/ErrorMessage';
import { HealthDot, HealthSummary } from '../components/HealthSummary';
import { MetadataEditor } from '../components/MetadataEditor';
import { EmptyState, Modal } from '../components/Modal';
import { selectorParam, type ServiceSettings, ServiceSettingsFields } from '../components/ServiceSettingsFields';
import { formatAgo, formatWeight } from '../lib/format';
import { filterInstances } from '../lib/instance-filter';
import { InstanceWatch, type WatchMode } from '../lib/instance-watch';
import { formatMetadata, metadataToParam, parseMetadata } from '../lib/metadata';
import { buildHash } from '../lib/router';

interface Snapshot {
  detail: ServiceDetail;
  instances: Record<string, CatalogInstance[]>;
  loadedAt: number;
}

/** Loads the service and the instances of every cluster in one go. */
async function loadSnapshot(key: ServiceKey): Promise<Snapshot> {
  const detail = await getService(key);
  const clusters = Array.isArray(detail.clusters) ? detail.clusters : [];
  const lists = await Promise.all(clusters.map((cluster) => listInstances(key, cluster.name).then((page) => page.list ?? [])));
  const instances: Record<string, CatalogInstance[]> = {};
  clusters.forEach((cluster, i) => {
    instances[cluster.name] = lists[i] ?? [];
  });
  return { detail: { ...detail, clusters }, instances, loadedAt: Date.now() };
}

const MODE_LABEL: Record<WatchMode, string> = {
  connecting: 'connecting…',
  live: 'live (SSE watch)',
  polling: 'polling every 2 s',
  stopped: 'stopped',
};

/**
 * One service: its settings, clusters with health checkers, and instances per cluster, kept current by the
 * SSE watch (or polling when the server has no watch). Edits go straight to the server.
 */
export function ServiceDetailPage({ serviceName, groupName }: { serviceName: string; groupName: string }) {
  const { namespaceId, notify } = useApp();
  const key: ServiceKey = { namespaceId, serviceName, groupName };
  const keyText = JSON.stringify(key);
  const [snapshot, setSnapshot] = useState<Snapshot | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [mode, setMode] = useState<WatchMode>('connecting');
  const [dialog, setDialog] = useState<
    { kind: 'service' } | { kind: 'register' } | { kind: 'cluster'; cluster: ClusterInfo } | { kind: 'instance'; instance: CatalogInstance } | undefined
  >(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [filter, setFilter] = useState('');
  const inFlight = useRef(false);
  const again = useRef(false);
  const keyRef = useRef(key);
  keyRef.current = key;

  /** Reloads; a change that arrives during a reload triggers exactly one more. */
  const refresh = useCallback(async () => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        const requested = JSON.stringify(keyRef.current);
        try {
          const next = await loadSnapshot(keyRef.current);
          if (requested === JSON.stringify(keyRef.current)) {
            setSnapshot(next);
            setError(undefined);
          }
        } catch (failure) {
          setError(failure);
        }
      } while (again.current);
    } finally {
      inFlight.current = false;
    }
  }, []);

  useEffect(() => {
    setSnapshot(undefined);
    const k = JSON.parse(keyText) as ServiceKey;
    const watch = new InstanceWatch({
      url: apiUrl('/v1/ns/instance/watch', { serviceName: k.serviceName, groupName: k.groupName, namespaceId: k.namespaceId, clusters: '' }),
      onChange: () => refresh(),
      onMode: setMode,
    });
    void refresh();
    watch.start();
    // Last-beat times age even when nothing changes: refresh them now and then in live mode too.
    const slow = window.setInterval(() => {
      if (watch.getMode() === 'live' && document.visibilityState === 'visible') void refresh();
    }, 10000);
    return () => {
      watch.stop();
      window.clearInterval(slow);
    };
  }, [keyText, refresh]);

  const act = async (what: string, action: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await action();
      notify(what);
      await refresh();
    } catch (failure) {
      setActionError(failure);
    }
  };

  const instanceKey = (instance: CatalogInstance): InstanceKey => ({
    ...key,
    ip: instance.ip,
    port: instance.port,
    clusterName: instance.clusterName || 'DEFAULT',
    ephemeral: instance.ephemeral !== false,
  });

  const toggle = (instance: CatalogInstance) =>
    act(`${instance.ip}:${instance.port} is ${instance.enabled ? 'offline' : 'online'}`, () =>
      updateInstance(instanceKey(instance), { weight: instance.weight, enabled: !instance.enabled, metadata: metadataToParam(instance.metadata ?? {}) }),
    );

  const setHealth = (instance: CatalogInstance, healthy: boolean) =>
    act(`${instance.ip}:${instance.port} marked ${healthy ? 'healthy' : 'unhealthy'}`, () => setInstanceHealth(instanceKey(instance), healthy));

  const remove = (instance: CatalogInstance) => {
    if (!window.confirm(`Deregister ${instance.ip}:${instance.port}?${instance.ephemeral ? ' An ephemeral instance comes back with its next heartbeat.' : ''}`)) return;
    void act(`Deregistered ${instance.ip}:${instance.port}`, () => deregisterInstance(instanceKey(instance)));
  };

  const removeService = () => {
    if (!window.confirm(`Delete service ${groupName}@@${serviceName} and all its instances?`)) return;
    void act(`Deleted ${serviceName}`, async () => {
      await deleteService(key);
      go(buildHash('/services'));
    });
  };

  const detail = snapshot?.detail;
  const threshold = Number(detail?.service.protectThreshold ?? 0);
  const all = snapshot ? Object.values(snapshot.instances).flat() : [];
  const selector = detail?.service.selector;

  return (
    <section>
      <div className="page-head">
        <a href={buildHash('/services')} className="back">
          ← Services
        </a>
        <h1 className="mono-title">{serviceName}</h1>
        <span className="badge badge-muted">{groupName}</span>
        <span className={`mode mode-${mode}`} title="How this page stays current" data-testid="watch-mode">
          <span className="dot" /> {MODE_LABEL[mode]}
        </span>
      </div>
      <div className="toolbar">
        <button type="button" onClick={() => setDialog({ kind: 'service' })} disabled={!detail}>
          Edit service
        </button>
        <button type="button" onClick={() => setDialog({ kind: 'register' })}>
          Register instance
        </button>
        <a className="button" href={buildHash('/services/subscribers', { name: serviceName, group: groupName })}>
          Subscribers
        </a>
        <button type="button" className="danger" onClick={removeService} disabled={!detail}>
          Delete service
        </button>
        <input className="toolbar-filter" aria-label="Filter instances" placeholder="Filter: ip:port or key=value…" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <ErrorMessage error={error} onRetry={() => void refresh()} />
      <ErrorMessage error={actionError} />
      {!snapshot && !error && <p className="muted">Loading…</p>}
      {detail && (
        <div className="card">
          <dl className="props">
            <dt>Health</dt>
            <dd>
              <HealthSummary instances={all} protectThreshold={threshold} />
            </dd>
            <dt>Protect threshold</dt>
            <dd className="mono">{threshold}</dd>
            <dt>Selector</dt>
            <dd className="mono">{selector?.type && selector.type !== 'none' ? `${selector.type}: ${selector.expression ?? ''}` : 'none'}</dd>
            <dt>Metadata</dt>
            <dd>
              <MetadataChips metadata={detail.service.metadata} />
            </dd>
          </dl>
        </div>
      )}
      {detail && detail.clusters.length === 0 && (
        <EmptyState title="No clusters and no instances yet">
          Applications appear here when they register. To add one by hand, use "Register instance" (a persistent instance stays until you deregister it).
        </EmptyState>
      )}
      {detail?.clusters.map((cluster) => (
        <ClusterCard
          key={cluster.name}
          cluster={cluster}
          instances={snapshot?.instances[cluster.name] ?? []}
          filter={filter}
          threshold={threshold}
          now={snapshot?.loadedAt ?? Date.now()}
          onEditCluster={() => setDialog({ kind: 'cluster', cluster })}
          onEdit={(instance) => setDialog({ kind: 'instance', instance })}
          onToggle={(instance) => void toggle(instance)}
          onHealth={(instance, healthy) => void setHealth(instance, healthy)}
          onRemove={remove}
        />
      ))}
      {dialog?.kind === 'service' && detail && (
        <EditServiceDialog
          detail={detail}
          onClose={() => setDialog(undefined)}
          onSave={(fields) =>
            act('Service saved', async () => {
              await updateService(key, fields);
              setDialog(undefined);
            })
          }
        />
      )}
      {dialog?.kind === 'register' && (
        <RegisterDialog
          onClose={() => setDialog(undefined)}
          onSave={(instance, fields) =>
            act(`Registered ${instance.ip}:${instance.port}`, async () => {
              await registerInstance({ ...key, ...instance }, fields);
              setDialog(undefined);
            })
          }
        />
      )}
      {dialog?.kind === 'cluster' && (
        <EditClusterDialog
          cluster={dialog.cluster}
          onClose={() => setDialog(undefined)}
          onSave={(fields) =>
            act(`Cluster ${dialog.cluster.name} saved`, async () => {
              await updateCluster(key, fields);
              setDialog(undefined);
            })
          }
        />
      )}
      {dialog?.kind === 'instance' && (
        <EditInstanceDialog
          instance={dialog.instance}
          onClose={() => setDialog(undefined)}
          onSave={(fields) =>
            act(`${dialog.instance.ip}:${dialog.instance.port} saved`, async () => {
              await updateInstance(instanceKey(dialog.instance), fields);
              setDialog(undefined);
            })
          }
        />
      )}
    </section>
  );
}

/** Metadata as small `k=v` chips. */
export function MetadataChips({ metadata }: { metadata: Record<string, string> | undefined }) {
  const entries = Object.entries(metadata ?? {});
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <span className="chips">
      {entries.map(([k, v]) => (
        <span className="chip mono" key={k} title={`${k}=${v}`}>
          {k}={v}
        </span>
      ))}
    </span>
  );
}

function checkerText(cluster: ClusterInfo): string {
  const checker = cluster.healthChecker;
  const type = String(checker?.type ?? 'TCP');
  const port = cluster.useIPPort4Check === false ? `port ${cluster.defCkport ?? cluster.defaultCheckPort ?? 80}` : 'instance port';
  if (type === 'HTTP') return `HTTP GET ${checker?.path || '/'} · ${port}`;
  if (type === 'NONE') return 'NONE (health set by hand or by heartbeats)';
  return `${type} · ${port}`;
}

function ClusterCard({
  cluster,
  instances,
  filter,
  threshold,
  now,
  onEditCluster,
  onEdit,
  onToggle,
  onHealth,
  onRemove,
}: {
  cluster: ClusterInfo;
  instances: CatalogInstance[];
  filter: string;
  threshold: number;
  now: number;
  onEditCluster: () => void;
  onEdit: (instance: CatalogInstance) => void;
  onToggle: (instance: CatalogInstance) => void;
  onHealth: (instance: CatalogInstance, healthy: boolean) => void;
  onRemove: (instance: CatalogInstance) => void;
}) {
  const manualHealth = String(cluster.healthChecker?.type ?? '') === 'NONE';
  const sorted = filterInstances(instances, filter).sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
  return (
    <div className="card" data-testid={`cluster-${cluster.name}`}>
      <div className="card-head">
        <h2>
          Cluster <span className="mono">{cluster.name}</span>
        </h2>
        <HealthSummary instances={instances} protectThreshold={threshold} />
        <span className="muted small">checker: {checkerText(cluster)}</span>
        <button type="button" className="link" onClick={onEditCluster}>
          Edit cluster
        </button>
      </div>
      {sorted.length === 0 ? (
        <p className="muted">{instances.length === 0 ? 'No instances in this cluster.' : `None of its ${instances.length} instances match the filter.`}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Address</th>
                <th className="num">Weight</th>
                <th>Healthy</th>
                <th>State</th>
                <th>Kind</th>
                <th>Metadata</th>
                <th>Last beat</th>
                <th className="actions">Actions</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((instance) => (
                <tr key={`${instance.ip}:${instance.port}:${instance.ephemeral}`} className={instance.enabled ? undefined : 'row-off'} data-testid={`instance-${instance.ip}:${instance.port}`}>
                  <td className="mono">
                    <HealthDot healthy={instance.healthy} /> {instance.ip}:{instance.port}
                  </td>
                  <td className="num mono" data-testid="weight">
                    {formatWeight(instance.weight)}
                  </td>
                  <td className="small">{instance.healthy ? 'healthy' : <span className="text-down">unhealthy</span>}</td>
                  <td data-testid="state">{instance.enabled ? <span className="badge badge-ok">online</span> : <span className="badge badge-muted">offline</span>}</td>
                  <td className="small">{instance.ephemeral ? 'ephemeral' : 'persistent'}</td>
                  <td>
                    <MetadataChips metadata={instance.metadata} />
                  </td>
                  <td className="small muted">{instance.ephemeral ? formatAgo(instance.lastBeat, now) : '—'}</td>
                  <td className="actions">
                    <button type="button" className="link" onClick={() => onEdit(instance)}>
                      Edit
                    </button>
                    <button type="button" className="link" onClick={() => onToggle(instance)}>
                      {instance.enabled ? 'Take offline' : 'Bring online'}
                    </button>
                    {manualHealth && (
                      <button type="button" className="link" onClick={() => onHealth(instance, !instance.healthy)}>
                        {instance.healthy ? 'Mark unhealthy' : 'Mark healthy'}
                      </button>
                    )}
                    <button type="button" className="link danger" onClick={() => onRemove(instance)}>
                      Deregister
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function FormButtons({ onClose, busy, label = 'Save' }: { onClose: () => void; busy?: boolean; label?: string }) {
  return (
    <div className="form-actions">
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={busy}>
        {label}
      </button>
    </div>
  );
}

/** Wraps an async save so the dialog shows its own validation errors and a busy state. */
function useSubmit(save: () => Promise<void> | undefined) {
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await save();
    } finally {
      setBusy(false);
    }
  };
  return { busy, submit };
}

function EditServiceDialog({
  detail,
  onClose,
  onSave,
}: {
  detail: ServiceDetail;
  onClose: () => void;
  onSave: (fields: { protectThreshold: number; metadata: string; selector: string }) => Promise<void>;
}) {
  const [settings, setSettings] = useState<ServiceSettings>({
    threshold: String(detail.service.protectThreshold ?? 0),
    metadata: formatMetadata(detail.service.metadata),
    selectorType: detail.service.selector?.type === 'label' ? 'label' : 'none',
    expression: String(detail.service.selector?.expression ?? ''),
  });
  const [error, setError] = useState<string | undefined>(undefined);
  const { busy, submit } = useSubmit(() => {
    const parsed = parseMetadata(settings.metadata);
    const protectThreshold = Number(settings.threshold);
    if (!parsed.ok) return void setError(`Metadata: ${parsed.error}`);
    if (settings.threshold.trim() === '' || !Number.isFinite(protectThreshold) || protectThreshold < 0 || protectThreshold > 1) {
      return void setError('Protect threshold must be a number between 0 and 1');
    }
    setError(undefined);
    return onSave({
      protectThreshold,
      metadata: metadataToParam(parsed.value),
      selector: selectorParam(settings),
    });
  });
  return (
    <Modal title="Edit service" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <ServiceSettingsFields idPrefix="edit" value={settings} onChange={setSettings} />
        {error && <p className="field-error">{error}</p>}
        <FormButtons onClose={onClose} busy={busy} />
      </form>
    </Modal>
  );
}

function RegisterDialog({
  onClose,
  onSave,
}: {
  onClose: () => void;
  onSave: (instance: { ip: string; port: number; clusterName: string; ephemeral: boolean }, fields: { weight: number; enabled: boolean; healthy: boolean; metadata: string }) => Promise<void>;
}) {
  const [ip, setIp] = useState('');
  const [port, setPort] = useState('');
  const [clusterName, setClusterName] = useState('DEFAULT');
  const [weight, setWeight] = useState('1');
  const [ephemeral, setEphemeral] = useState(false);
  const [metadata, setMetadata] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const { busy, submit } = useSubmit(() => {
    const parsed = parseMetadata(metadata);
    const portNumber = Number(port);
    const weightNumber = Number(weight);
    if (ip.trim() === '') return void setError('IP is required');
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) return void setError('Port must be 1–65535');
    if (!Number.isFinite(weightNumber) || weightNumber < 0 || weightNumber > 10000) return void setError('Weight must be 0–10000');
    if (!parsed.ok) return void setError(`Metadata: ${parsed.error}`);
    setError(undefined);
    return onSave(
      { ip: ip.trim(), port: portNumber, clusterName: clusterName.trim() || 'DEFAULT', ephemeral },
      { weight: weightNumber, enabled: true, healthy: true, metadata: metadataToParam(parsed.value) },
    );
  });
  return (
    <Modal title="Register instance" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <div className="field-row">
          <div className="field">
            <label htmlFor="reg-ip">IP</label>
            <input id="reg-ip" className="mono" value={ip} onChange={(e) => setIp(e.target.value)} placeholder="10.0.0.5" />
          </div>
          <div className="field">
            <label htmlFor="reg-port">Port</label>
            <input id="reg-port" className="mono" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} placeholder="8080" />
          </div>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="reg-cluster">Cluster</label>
            <input id="reg-cluster" value={clusterName} onChange={(e) => setClusterName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="reg-weight">Weight</label>
            <input id="reg-weight" inputMode="decimal" value={weight} onChange={(e) => setWeight(e.target.value)} />
          </div>
        </div>
        <label className="check">
          <input type="checkbox" checked={ephemeral} onChange={(e) => setEphemeral(e.target.checked)} />
          Ephemeral (needs heartbeats, or it expires after 30 s); unticked = persistent
        </label>
        <MetadataEditor value={metadata} onChange={setMetadata} />
        {error && <p className="field-error">{error}</p>}
        <FormButtons onClose={onClose} busy={busy} label="Register" />
      </form>
    </Modal>
  );
}

function EditClusterDialog({
  cluster,
  onClose,
  onSave,
}: {
  cluster: ClusterInfo;
  onClose: () => void;
  onSave: (fields: { clusterName: string; checkPort: number; useInstancePort4Check: boolean; healthChecker: string; metadata: string }) => Promise<void>;
}) {
  const checker = cluster.healthChecker ?? { type: 'TCP' };
  const [type, setType] = useState(String(checker.type ?? 'TCP'));
  const [path, setPath] = useState(String(checker.path ?? ''));
  const [headers, setHeaders] = useState(String(checker.headers ?? ''));
  const [expected, setExpected] = useState(String(checker.expectedResponseCode ?? 200));
  const [checkPort, setCheckPort] = useState(String(cluster.defCkport ?? cluster.defaultCheckPort ?? 80));
  const [useInstancePort, setUseInstancePort] = useState(cluster.useIPPort4Check !== false);
  const [metadata, setMetadata] = useState(formatMetadata(cluster.metadata));
  const [error, setError] = useState<string | undefined>(undefined);
  const { busy, submit } = useSubmit(() => {
    const parsed = parseMetadata(metadata);
    const port = Number(checkPort);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return void setError('Check port must be 1–65535');
    if (!parsed.ok) return void setError(`Metadata: ${parsed.error}`);
    const healthChecker: Record<string, unknown> = { type };
    if (type === 'HTTP') Object.assign(healthChecker, { path, headers, expectedResponseCode: Number(expected) || 200 });
    setError(undefined);
    return onSave({
      clusterName: cluster.name,
      checkPort: port,
      useInstancePort4Check: useInstancePort,
      healthChecker: JSON.stringify(healthChecker),
      metadata: metadataToParam(parsed.value),
    });
  });
  return (
    <Modal title={`Edit cluster ${cluster.name}`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="cl-type">Health checker</label>
          <select id="cl-type" value={type} onChange={(e) => setType(e.target.value)}>
            <option value="TCP">TCP</option>
            <option value="HTTP">HTTP</option>
            <option value="MYSQL">MYSQL</option>
            <option value="NONE">NONE</option>
          </select>
          <small className="hint">Checks run for persistent instances; ephemeral ones are kept alive by heartbeats.</small>
        </div>
        {type === 'HTTP' && (
          <>
            <div className="field">
              <label htmlFor="cl-path">Path</label>
              <input id="cl-path" className="mono" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/health" />
            </div>
            <div className="field-row">
              <div className="field">
                <label htmlFor="cl-headers">Headers (k:v|k2:v2)</label>
                <input id="cl-headers" className="mono" value={headers} onChange={(e) => setHeaders(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="cl-code">Expected code</label>
                <input id="cl-code" inputMode="numeric" value={expected} onChange={(e) => setExpected(e.target.value)} />
              </div>
            </div>
          </>
        )}
        <label className="check">
          <input type="checkbox" checked={useInstancePort} onChange={(e) => setUseInstancePort(e.target.checked)} />
          Check each instance on its own port
        </label>
        <div className="field">
          <label htmlFor="cl-port">Check port (when not using the instance port)</label>
          <input id="cl-port" inputMode="numeric" value={checkPort} onChange={(e) => setCheckPort(e.target.value)} disabled={useInstancePort} />
        </div>
        <MetadataEditor value={metadata} onChange={setMetadata} />
        {error && <p className="field-error">{error}</p>}
        <FormButtons onClose={onClose} busy={busy} />
      </form>
    </Modal>
  );
}

function EditInstanceDialog({
  instance,
  onClose,
  onSave,
}: {
  instance: CatalogInstance;
  onClose: () => void;
  onSave: (fields: { weight: number; enabled: boolean; metadata: string }) => Promise<void>;
}) {
  const [weight, setWeight] = useState(formatWeight(instance.weight));
  const [enabled, setEnabled] = useState(instance.enabled);
  const [metadata, setMetadata] = useState(formatMetadata(instance.metadata));
  const [error, setError] = useState<string | undefined>(undefined);
  const { busy, submit } = useSubmit(() => {
    const parsed = parseMetadata(metadata);
    const weightNumber = Number(weight);
    if (weight.trim() === '' || !Number.isFinite(weightNumber) || weightNumber < 0 || weightNumber > 10000) return void setError('Weight must be 0–10000');
    if (!parsed.ok) return void setError(`Metadata: ${parsed.error}`);
    setError(undefined);
    return onSave({ weight: weightNumber, enabled, metadata: metadataToParam(parsed.value) });
  });
  return (
    <Modal title={`Edit ${instance.ip}:${instance.port}`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="inst-weight">Weight</label>
          <input id="inst-weight" inputMode="decimal" value={weight} onChange={(e) => setWeight(e.target.value)} />
        </div>
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Online (enabled: clients receive this instance)
        </label>
        <MetadataEditor value={metadata} onChange={setMetadata} />
        {error && <p className="field-error">{error}</p>}
        <FormButtons onClose={onClose} busy={busy} />
      </form>
    </Modal>
  );
}
