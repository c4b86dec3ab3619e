import { type FormEvent, type ReactNode, useState } from 'react';
import {
  addPermission,
  addRole,
  createUser,
  deletePermission,
  deleteRole,
  deleteUser,
  listPermissions,
  listRoles,
  listUsers,
  updateUserPassword,
} from '../api/console-api';
import { useApp } from '../app-context';
import { ErrorMessage } from '../components/ErrorMessage';
import { EmptyState, Modal } from '../components/Modal';
import { Pager } from '../components/Pager';
import { useLoad } from '../lib/use-load';

const PAGE_SIZE = 20;

/** Shared shell of the three auth pages: title, add button, error, pager. */
function AuthShell({ title, addLabel, onAdd, error, actionError, children }: { title: string; addLabel: string; onAdd: () => void; error: unknown; actionError: unknown; children: ReactNode }) {
  return (
    <section>
      <div className="page-head">
        <h1>{title}</h1>
        <button type="button" className="primary" onClick={onAdd}>
          {addLabel}
        </button>
      </div>
      <ErrorMessage error={error} />
      <ErrorMessage error={actionError} />
      {children}
    </section>
  );
}

/** A small form in a modal: fields by name, one submit. */
function FieldsDialog({ title, fields, onClose, onSubmit }: { title: string; fields: Array<{ name: string; label: string; type?: string; placeholder?: string }>; onClose: () => void; onSubmit: (values: Record<string, string>) => Promise<void> }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      await onSubmit(values);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <Modal title={title} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        {fields.map((field) => (
          <div className="field" key={field.name}>
            <label htmlFor={`f-${field.name}`}>{field.label}</label>
            <input id={`f-${field.name}`} type={field.type ?? 'text'} placeholder={field.placeholder} value={values[field.name] ?? ''} onChange={(e) => setValues({ ...values, [field.name]: e.target.value })} required />
          </div>
        ))}
        <ErrorMessage error={error} />
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Users: list, create, change password, delete. */
export function UsersPage() {
  const { notify } = useApp();
  const [pageNo, setPageNo] = useState(1);
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'password'; username: string } | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const { data, error, reload } = useLoad(`users-${pageNo}`, (signal) => listUsers(pageNo, PAGE_SIZE, signal));
  const remove = async (username: string) => {
    if (!window.confirm(`Delete user ${username}?`)) return;
    setActionError(undefined);
    try {
      await deleteUser(username);
      notify(`Deleted ${username}`);
      await reload();
    } catch (failure) {
      setActionError(failure);
    }
  };
  return (
    <AuthShell title="Users" addLabel="Create user" onAdd={() => setDialog({ kind: 'create' })} error={error} actionError={actionError}>
      {data && data.pageItems.length === 0 && <EmptyState title="No users">Create one with "Create user".</EmptyState>}
      {data && data.pageItems.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Username</th>
                <th className="actions">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.pageItems.map((user) => (
                <tr key={user.username}>
                  <td className="strong">{user.username}</td>
                  <td className="actions">
                    <button type="button" className="link" onClick={() => setDialog({ kind: 'password', username: user.username })}>
                      Change password
                    </button>
                    <button type="button" className="link danger" onClick={() => void remove(user.username)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && <Pager pageNo={pageNo} pageSize={PAGE_SIZE} total={data.totalCount} onPage={setPageNo} />}
      {dialog?.kind === 'create' && (
        <FieldsDialog
          title="Create user"
          fields={[
            { name: 'username', label: 'Username' },
            { name: 'password', label: 'Password', type: 'password' },
          ]}
          onClose={() => setDialog(undefined)}
          onSubmit={async (v) => {
            await createUser(v.username ?? '', v.password ?? '');
            setDialog(undefined);
            notify(`Created ${v.username}`);
            await reload();
          }}
        />
      )}
      {dialog?.kind === 'password' && (
        <FieldsDialog
          title={`New password for ${dialog.username}`}
          fields={[{ name: 'newPassword', label: 'New password', type: 'password' }]}
          onClose={() => setDialog(undefined)}
          onSubmit={async (v) => {
            await updateUserPassword(dialog.username, v.newPassword ?? '');
            setDialog(undefined);
            notify('Password changed');
          }}
        />
      )}
    </AuthShell>
  );
}

/** Roles: which user has which role. */
export function RolesPage() {
  const { notify } = useApp();
  const [pageNo, setPageNo] = useState(1);
  const [adding, setAdding] = useState(false);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const { data, error, reload } = useLoad(`roles-${pageNo}`, (signal) => listRoles(pageNo, PAGE_SIZE, signal));
  const remove = async (role: string, username: string) => {
    if (!window.confirm(`Remove role ${role} from ${username}?`)) return;
    setActionError(undefined);
    try {
      await deleteRole(role, username);
      notify(`Removed ${role}`);
      await reload();
    } catch (failure) {
      setActionError(failure);
    }
  };
  return (
    <AuthShell title="Roles" addLabel="Bind role" onAdd={() => setAdding(true)} error={error} actionError={actionError}>
      {data && data.pageItems.length === 0 && <EmptyState title="No role bindings">Bind a role to a user, then grant the role permissions.</EmptyState>}
      {data && data.pageItems.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Role</th>
                <th>User</th>
                <th className="actions">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.pageItems.map((r) => (
                <tr key={`${r.role}/${r.username}`}>
                  <td className="strong">{r.role}</td>
                  <td>{r.username}</td>
                  <td className="actions">
                    <button type="button" className="link danger" onClick={() => void remove(r.role, r.username)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && <Pager pageNo={pageNo} pageSize={PAGE_SIZE} total={data.totalCount} onPage={setPageNo} />}
      {adding && (
        <FieldsDialog
          title="Bind role"
          fields={[
            { name: 'role', label: 'Role' },
            { name: 'username', label: 'Username' },
          ]}
          onClose={() => setAdding(false)}
          onSubmit={async (v) => {
            await addRole(v.role ?? '', v.username ?? '');
            setAdding(false);
            notify('Role bound');
            await reload();
          }}
        />
      )}
    </AuthShell>
  );
}

/** Permissions: what a role may do on a resource (`r`, `w` or `rw`). */
export function PermissionsPage() {
  const { notify } = useApp();
  const [pageNo, setPageNo] = useState(1);
  const [adding, setAdding] = useState(false);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const { data, error, reload } = useLoad(`perms-${pageNo}`, (signal) => listPermissions(pageNo, PAGE_SIZE, signal));
  const remove = async (role: string, resource: string, action: string) => {
    if (!window.confirm(`Remove ${action} on ${resource} from ${role}?`)) return;
    setActionError(undefined);
    try {
      await deletePermission(role, resource, action);
      notify('Permission removed');
      await reload();
    } catch (failure) {
      setActionError(failure);
    }
  };
  return (
    <AuthShell title="Permissions" addLabel="Grant permission" onAdd={() => setAdding(true)} error={error} actionError={actionError}>
      {data && data.pageItems.length === 0 && <EmptyState title="No permissions">Grant a role read (r), write (w) or both (rw) on a namespace.</EmptyState>}
      {data && data.pageItems.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Role</th>
                <th>Resource</th>
                <th>Action</th>
                <th className="actions">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.pageItems.map((p) => (
                <tr key={`${p.role}/${p.resource}/${p.action}`}>
                  <td className="strong">{p.role}</td>
                  <td className="mono">{p.resource}</td>
                  <td className="mono">{p.action}</td>
                  <td className="actions">
                    <button type="button" className="link danger" onClick={() => void remove(p.role, p.resource, p.action)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && <Pager pageNo={pageNo} pageSize={PAGE_SIZE} total={data.totalCount} onPage={setPageNo} />}
      {adding && (
        <FieldsDialog
          title="Grant permission"
          fields={[
            { name: 'role', label: 'Role' },
            { name: 'resource', label: 'Resource (namespace id, or ns:group:naming/service)', placeholder: 'public:*:naming/*' },
            { name: 'action', label: 'Action (r, w or rw)', placeholder: 'rw' },
          ]}
          onClose={() => setAdding(false)}
          onSubmit={async (v) => {
            await addPermission(v.role ?? '', v.resource ?? '', v.action ?? '');
            setAdding(false);
            notify('Permission granted');
            await reload();
          }}
        />
      )}
    </AuthShell>
  );
}
