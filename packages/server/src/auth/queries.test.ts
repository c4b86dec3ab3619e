import { type AuthCommand, type AuthState, applyAuthCommand, emptyAuthState } from './auth-state';
import { listPermissions, listRoles, listUsers, searchRoles, searchUsernames } from './queries';

const HASH = `$2b$10$${'c'.repeat(53)}`;

function build(...commands: AuthCommand[]): AuthState {
  return commands.reduce((state, command) => {
    const result = applyAuthCommand(state, command);
    if (!result.ok) throw new Error(result.message);
    return result.state;
  }, emptyAuthState());
}

const state = build(
  { type: 'initAdmin', passwordHash: HASH },
  { type: 'createUser', username: 'alice', passwordHash: HASH },
  { type: 'createUser', username: 'malice', passwordHash: HASH },
  { type: 'addRole', role: 'dev', username: 'alice' },
  { type: 'addRole', role: 'devops', username: 'malice' },
  { type: 'addPermission', role: 'dev', resource: 'dev:*:*', action: 'rw' },
  { type: 'addPermission', role: 'devops', resource: 'public:*:*', action: 'r' },
);

describe('auth queries', () => {
  it('lists users without password hashes', () => {
    const listed = listUsers(state, 1, 10);
    expect(listed).toEqual({ totalCount: 3, pageNumber: 1, pagesAvailable: 1, pageItems: [{ username: 'alice' }, { username: 'malice' }, { username: 'nacos' }] });
    expect(JSON.stringify(listed)).not.toContain('$2b$');
    expect(listUsers(state, 1, 10, 'alice').pageItems).toEqual([{ username: 'alice' }]);
    expect(listUsers(state, 1, 10, 'alice', 'blur').pageItems).toHaveLength(2);
  });

  it('searches names by substring', () => {
    expect(searchUsernames(state, 'lic')).toEqual(['alice', 'malice']);
    expect(searchRoles(state, 'dev')).toEqual(['dev', 'devops']);
  });

  it('lists roles and permissions with filters', () => {
    expect(listRoles(state, 1, 10, { username: 'alice' }).pageItems).toEqual([{ role: 'dev', username: 'alice' }]);
    expect(listRoles(state, 1, 10, { role: 'dev', search: 'blur' }).totalCount).toBe(2);
    expect(listRoles(state, 1, 10).totalCount).toBe(3);
    expect(listPermissions(state, 1, 10, 'devops').pageItems).toEqual([{ role: 'devops', resource: 'public:*:*', action: 'r' }]);
    expect(listPermissions(state, 2, 1).pageItems).toEqual([{ role: 'devops', resource: 'public:*:*', action: 'r' }]);
  });
});
