import { type FormEvent, useState } from 'react';
import { createNamespace, deleteNamespace, getNamespace, listNamespaces, listServices, updateNamespace } from '../api/console-api';
import type { Namespace } from '@tacos/client';
import { useApp } from '../app-context';
import { ErrorMessage } from '../components/ErrorMessage';
import { Modal } from '../components/Modal';
import { useLoad } from '../lib/use-load';

interface Row extends Namespace {
  serviceCount: number | undefined;
}

/** The id to send for a namespace row (public is "" in Nacos, "public" in some servers). */
function idOf(ns: Namespace): string {
  return ns.namespace === 'public' ? '' : ns.namespace;
}

/** Namespaces with their service counts; create, edit and delete. */
export function NamespacesPage() {
  const { reloadNamespaces, notify, namespaceId, setNamespaceId } = useApp();
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'edit'; ns: Namespace } | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const { data, error, reload } = useLoad('namespaces', async (signal) => {
    const namespaces = await listNamespaces(signal);
    const counts = await Promise.all(
      namespaces.map((ns) =>
        listServices({ namespaceId: idOf(ns), serviceNameParam: '', groupNameParam: '', hasIpCount: false, pageNo: 1, pageSize: 1 }, signal)
          .then((page) => page.count)
          .catch(() => undefined),
      ),
    );
    // The list answer has no descriptions (as in Nacos); the detail answer has them.
    const details = await Promise.all(
      namespaces.map((ns) => (ns.namespaceDesc !== undefined || idOf(ns) === '' ? Promise.resolve(ns) : getNamespace(ns.namespace).catch(() => ns))),
    );
    return namespaces.map((ns, i): Row => ({ ...ns, namespaceDesc: details[i]?.namespaceDesc ?? ns.namespaceDesc, serviceCount: counts[i] }));
  });

  const after = async (text: string) => {
    notify(text);
    setDialog(undefined);
    await Promise.all([reload(), reloadNamespaces()]);
  };

  const remove = async (ns: Row) => {
    const warning = ns.serviceCount ? ` It still holds ${ns.serviceCount} service(s).` : '';
    if (!window.confirm(`Delete namespace ${ns.namespaceShowName} (${ns.namespace})?${warning}`)) return;
    setActionError(undefined);
    try {
      await deleteNamespace(ns.namespace);
      if (namespaceId === ns.namespace) setNamespaceId('');
      await after(`Deleted ${ns.namespaceShowName}`);
    } catch (failure) {
      setActionError(failure);
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Namespaces</h1>
        <span className="muted">Services in different namespaces never see each other.</span>
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })}>
          Create namespace
        </button>
      </div>
      <ErrorMessage error={error} onRetry={() => void reload()} />
      <ErrorMessage error={actionError} />
      {data && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>ID</th>
                <th>Description</th>
                <th className="num">Services</th>
                <th className="actions">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.map((ns) => {
                const isPublic = idOf(ns) === '' || ns.type === 0;
                return (
                  <tr key={ns.namespace || 'public'}>
                    <td className="strong">
                      {ns.namespaceShowName || 'public'} {idOf(ns) === namespaceId && <span className="badge badge-info">in use</span>}
                    </td>
                    <td className="mono small">{ns.namespace || 'public'}</td>
                    <td className="small">{ns.namespaceDesc || <span className="muted">—</span>}</td>
                    <td className="num">{ns.serviceCount ?? '?'}</td>
                    <td className="actions">
                      <button type="button" className="link" onClick={() => setNamespaceId(idOf(ns))}>
                        Use
                      </button>
                      {!isPublic && (
                        <>
                          <button type="button" className="link" onClick={() => setDialog({ kind: 'edit', ns })}>
                            Edit
                          </button>
                          <button type="button" className="link danger" onClick={() => void remove(ns)}>
                            Delete
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {data && data.length <= 1 && <p className="muted">Only the public namespace exists. Create one per environment or team to keep their services apart.</p>}
      {dialog && (
        <NamespaceDialog
          ns={dialog.kind === 'edit' ? dialog.ns : undefined}
          onClose={() => setDialog(undefined)}
          onSaved={(text) => after(text)}
        />
      )}
    </section>
  );
}

function NamespaceDialog({ ns, onClose, onSaved }: { ns: Namespace | undefined; onClose: () => void; onSaved: (text: string) => Promise<void> }) {
  const [id, setId] = useState('');
  const [name, setName] = useState(ns?.namespaceShowName ?? '');
  const [desc, setDesc] = useState(ns?.namespaceDesc ?? '');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (id.trim() !== '' && !/^[\w-]+$/.test(id.trim())) {
      setError(new Error('The ID may hold letters, digits, "_" and "-" only'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      if (ns) await updateNamespace({ namespace: ns.namespace, namespaceShowName: name.trim(), namespaceDesc: desc });
      else await createNamespace({ customNamespaceId: id.trim(), namespaceName: name.trim(), namespaceDesc: desc });
      await onSaved(ns ? `Saved ${name}` : `Created ${name}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={ns ? `Edit namespace ${ns.namespace}` : 'Create namespace'} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        {!ns && (
          <div className="field">
            <label htmlFor="ns-id">ID (optional)</label>
            <input id="ns-id" className="mono" value={id} onChange={(e) => setId(e.target.value)} placeholder="blank = generated" />
          </div>
        )}
        <div className="field">
          <label htmlFor="ns-name">Name</label>
          <input id="ns-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="ns-desc">Description</label>
          <input id="ns-desc" value={desc} onChange={(e) => setDesc(e.target.value)} />
        </div>
        <ErrorMessage error={error} />
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
            {ns ? 'Save' : 'Create'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
