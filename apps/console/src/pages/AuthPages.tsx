import type { PermissionInfo, RoleInfo, User } from '@tacos/client';
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

/** One input of a {@link FieldsDialog}. */
interface FieldSpec {
  name: string;
  label: string;
  type?: string;
  placeholder?: string;
}

/** A small form in a modal: fields by name, one submit. */
function FieldsDialog({ title, fields, onClose, onSubmit }: { title: string; fields: FieldSpec[]; onClose: () => void; onSubmit: (values: Record<string, string>) => Promise<void> }) {
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

/** One column of an auth table. */
interface Column<Item> {
  header: string;
  cell: (item: Item) => ReactNode;
  className?: string;
}

/** What differs between the users, roles and permissions pages; the list, paging, removal and add dialog are shared. */
interface AuthTablePageProps<Item> {
  title: string;
  /** Cache key prefix of the list (the page number is appended). */
  loadKey: string;
  load: (pageNo: number, pageSize: number, signal: AbortSignal) => Promise<{ pageItems: Item[]; totalCount: number }>;
  empty: { title: string; text: ReactNode };
  columns: Array<Column<Item>>;
  rowKey: (item: Item) => string;
  /** Row actions shown before the remove button. */
  rowActions?: (item: Item) => ReactNode;
  remove: { label: string; confirm: (item: Item) => string; run: (item: Item) => Promise<void>; notice: (item: Item) => string };
  add: { label: string; title: string; fields: FieldSpec[]; run: (values: Record<string, string>) => Promise<void>; notice: (values: Record<string, string>) => string };
  /** Extra dialogs of the page. */
  children?: ReactNode;
}

/** A paged table with a confirmed remove per row and an add dialog: the shape of every auth page. */
function AuthTablePage<Item>({ title, loadKey, load, empty, columns, rowKey, rowActions, remove, add, children }: AuthTablePageProps<Item>) {
  const { notify } = useApp();
  const [pageNo, setPageNo] = useState(1);
  const [adding, setAdding] = useState(false);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const { data, error, reload } = useLoad(`${loadKey}-${pageNo}`, (signal) => load(pageNo, PAGE_SIZE, signal));
  const removeItem = async (item: Item) => {
    if (!window.confirm(remove.confirm(item))) return;
    setActionError(undefined);
    try {
      await remove.run(item);
      notify(remove.notice(item));
      await reload();
    } catch (failure) {
      setActionError(failure);
    }
  };
  return (
    <AuthShell title={title} addLabel={add.label} onAdd={() => setAdding(true)} error={error} actionError={actionError}>
      {data && data.pageItems.length === 0 && <EmptyState title={empty.title}>{empty.text}</EmptyState>}
      {data && data.pageItems.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column.header}>{column.header}</th>
                ))}
                <th className="actions">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.pageItems.map((item) => (
                <tr key={rowKey(item)}>
                  {columns.map((column) => (
                    <td key={column.header} className={column.className}>
                      {column.cell(item)}
                    </td>
                  ))}
                  <td className="actions">
                    {rowActions?.(item)}
                    <button type="button" className="link danger" onClick={() => void removeItem(item)}>
                      {remove.label}
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
          title={add.title}
          fields={add.fields}
          onClose={() => setAdding(false)}
          onSubmit={async (values) => {
            await add.run(values);
            setAdding(false);
            notify(add.notice(values));
            await reload();
          }}
        />
      )}
      {children}
    </AuthShell>
  );
}

/** Users: list, create, change password, delete. */
export function UsersPage() {
  const { notify } = useApp();
  const [passwordFor, setPasswordFor] = useState<string | undefined>(undefined);
  return (
    <AuthTablePage<User>
      title="Users"
      loadKey="users"
      load={listUsers}
      empty={{ title: 'No users', text: 'Create one with "Create user".' }}
      columns={[{ header: 'Username', className: 'strong', cell: (user) => user.username }]}
      rowKey={(user) => user.username}
      rowActions={(user) => (
        <button type="button" className="link" onClick={() => setPasswordFor(user.username)}>
          Change password
        </button>
      )}
      remove={{ label: 'Delete', confirm: (user) => `Delete user ${user.username}?`, run: (user) => deleteUser(user.username), notice: (user) => `Deleted ${user.username}` }}
      add={{
        label: 'Create user',
        title: 'Create user',
        fields: [
          { name: 'username', label: 'Username' },
          { name: 'password', label: 'Password', type: 'password' },
        ],
        run: (v) => createUser(v.username ?? '', v.password ?? ''),
        notice: (v) => `Created ${v.username}`,
      }}
    >
      {passwordFor !== undefined && (
        <FieldsDialog
          title={`New password for ${passwordFor}`}
          fields={[{ name: 'newPassword', label: 'New password', type: 'password' }]}
          onClose={() => setPasswordFor(undefined)}
          onSubmit={async (v) => {
            await updateUserPassword(passwordFor, v.newPassword ?? '');
            setPasswordFor(undefined);
            notify('Password changed');
          }}
        />
      )}
    </AuthTablePage>
  );
}

/** Roles: which user has which role. */
export function RolesPage() {
  return (
    <AuthTablePage<RoleInfo>
      title="Roles"
      loadKey="roles"
      load={listRoles}
      empty={{ title: 'No role bindings', text: 'Bind a role to a user, then grant the role permissions.' }}
      columns={[
        { header: 'Role', className: 'strong', cell: (r) => r.role },
        { header: 'User', cell: (r) => r.username },
      ]}
      rowKey={(r) => `${r.role}/${r.username}`}
      remove={{ label: 'Remove', confirm: (r) => `Remove role ${r.role} from ${r.username}?`, run: (r) => deleteRole(r.role, r.username), notice: (r) => `Removed ${r.role}` }}
      add={{
        label: 'Bind role',
        title: 'Bind role',
        fields: [
          { name: 'role', label: 'Role' },
          { name: 'username', label: 'Username' },
        ],
        run: (v) => addRole(v.role ?? '', v.username ?? ''),
        notice: () => 'Role bound',
      }}
    />
  );
}

/** Permissions: what a role may do on a resource (`r`, `w` or `rw`). */
export function PermissionsPage() {
  return (
    <AuthTablePage<PermissionInfo>
      title="Permissions"
      loadKey="perms"
      load={listPermissions}
      empty={{ title: 'No permissions', text: 'Grant a role read (r), write (w) or both (rw) on a namespace.' }}
      columns={[
        { header: 'Role', className: 'strong', cell: (p) => p.role },
        { header: 'Resource', className: 'mono', cell: (p) => p.resource },
        { header: 'Action', className: 'mono', cell: (p) => p.action },
      ]}
      rowKey={(p) => `${p.role}/${p.resource}/${p.action}`}
      remove={{
        label: 'Remove',
        confirm: (p) => `Remove ${p.action} on ${p.resource} from ${p.role}?`,
        run: (p) => deletePermission(p.role, p.resource, p.action),
        notice: () => 'Permission removed',
      }}
      add={{
        label: 'Grant permission',
        title: 'Grant permission',
        fields: [
          { name: 'role', label: 'Role' },
          { name: 'resource', label: 'Resource (namespace id, or ns:group:naming/service)', placeholder: 'public:*:naming/*' },
          { name: 'action', label: 'Action (r, w or rw)', placeholder: 'rw' },
        ],
        run: (v) => addPermission(v.role ?? '', v.resource ?? '', v.action ?? ''),
        notice: () => 'Permission granted',
      }}
    />
  );
}
