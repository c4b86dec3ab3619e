import { isConsoleAssetPath, type RouteRequirement, routeRequirement } from './route-permissions';

const none = () => undefined;
const params = (values: Record<string, string>) => (name: string) => (Object.hasOwn(values, name) ? values[name] : undefined);

describe('routeRequirement', () => {
  const table: Array<[string, string, Record<string, string>, RouteRequirement]> = [
    ['POST', '/nacos/v1/auth/users/login', {}, { kind: 'open' }],
    ['POST', '/nacos/v1/auth/login', {}, { kind: 'open' }],
    ['GET', '/nacos/v1/auth/users/login', {}, { kind: 'permission', resource: 'console/unknown', action: 'w' }],
    ['GET', '/nacos/v1/console/server/state', {}, { kind: 'open' }],
    ['GET', '/nacos/v1/console/health/readiness', {}, { kind: 'open' }],
    ['GET', '/nacos/assets/index-abc.js', {}, { kind: 'open' }],
    ['POST', '/nacos/v1/ns/peer/raft', {}, { kind: 'peer' }],
    ['GET', '/nacos/v1/ns/peer/health', {}, { kind: 'peer' }],
    ['POST', '/nacos/v1/auth/users/admin', {}, { kind: 'bootstrap' }],
    ['GET', '/nacos/v1/auth/users', {}, { kind: 'permission', resource: 'console/users', action: 'r' }],
    ['POST', '/nacos/v1/auth/users', {}, { kind: 'permission', resource: 'console/users', action: 'w' }],
    ['DELETE', '/nacos/v1/auth/users', {}, { kind: 'permission', resource: 'console/users', action: 'w' }],
    ['PUT', '/nacos/v1/auth/users', {}, { kind: 'permission', resource: 'console/user/password', action: 'w' }],
    ['GET', '/nacos/v1/auth/roles/search', {}, { kind: 'permission', resource: 'console/roles', action: 'r' }],
    ['POST', '/nacos/v1/auth/permissions', {}, { kind: 'permission', resource: 'console/permissions', action: 'w' }],
    ['GET', '/nacos/v1/console/namespaces', {}, { kind: 'authenticated' }],
    ['POST', '/nacos/v1/console/namespaces', {}, { kind: 'permission', resource: 'console/namespaces', action: 'w' }],
    ['GET', '/nacos/v1/core/cluster/nodes', {}, { kind: 'authenticated' }],
    ['POST', '/nacos/v1/core/cluster/report', {}, { kind: 'permission', resource: 'console/cluster', action: 'w' }],
    ['GET', '/nacos/v1/ns/operator/metrics', { namespaceId: 'dev' }, { kind: 'permission', resource: 'dev:*:naming/*', action: 'r' }],
    ['GET', '/nacos/v1/ns/ops/switches', {}, { kind: 'authenticated' }],
    ['PUT', '/nacos/v1/ns/operator/switches', {}, { kind: 'permission', resource: 'console/operator', action: 'w' }],
    ['POST', '/nacos/v1/ns/instance', { serviceName: 'G@@order', namespaceId: 'dev' }, { kind: 'permission', resource: 'dev:G:naming/order', action: 'w' }],
    ['PUT', '/nacos/v1/ns/instance/beat', { serviceName: 'DEFAULT_GROUP@@order' }, { kind: 'permission', resource: 'public:DEFAULT_GROUP:naming/order', action: 'w' }],
    ['GET', '/nacos/v1/ns/instance/list', { serviceName: 'order', groupName: 'G' }, { kind: 'permission', resource: 'public:G:naming/order', action: 'r' }],
    ['HEAD', '/nacos/v1/ns/instance/list', { serviceName: 'order' }, { kind: 'permission', resource: 'public:DEFAULT_GROUP:naming/order', action: 'r' }],
    ['GET', '/nacos/v1/ns/service/list', { namespaceId: 'dev' }, { kind: 'permission', resource: 'dev:*:naming/*', action: 'r' }],
    ['GET', '/nacos/v1/ns/catalog/services', {}, { kind: 'permission', resource: 'public:*:naming/*', action: 'r' }],
    ['GET', '/nacos/v1/cs/ops/derby', { sql: 'select * from users' }, { kind: 'permission', resource: 'console/unknown', action: 'w' }],
    ['GET', '/nacos/v1/auth/constructor', {}, { kind: 'permission', resource: 'console/unknown', action: 'w' }],
    ['GET', '/somewhere/else', {}, { kind: 'permission', resource: 'console/unknown', action: 'w' }],
  ];
  it.each(table)('%s %s %j', (method, path, values, expected) => {
    expect(routeRequirement(method, path, params(values))).toEqual(expected);
  });

  it('uses the group of a grouped name even when groupName says otherwise (no smuggling)', () => {
    const requirement = routeRequirement('DELETE', '/nacos/v1/ns/service', params({ serviceName: 'secret@@db', groupName: 'public-group' }));
    expect(requirement).toEqual({ kind: 'permission', resource: 'public:secret:naming/db', action: 'w' });
  });

  it('ignores the User-Agent and every header: it only sees method, path and params', () => {
    expect(routeRequirement('POST', '/nacos/v1/auth/users', none)).toEqual({ kind: 'permission', resource: 'console/users', action: 'w' });
  });
});

describe('isConsoleAssetPath', () => {
  it.each([
    ['/nacos', true],
    ['/nacos/', true],
    ['/nacos/index.html', true],
    ['/nacos/assets/index-BcG44Isa.js', true],
    ['/nacos/favicon.svg', true],
    ['/nacos/assets/../v1/auth/users', false],
    ['/nacos/assets/%2e%2e/v1/auth/users', false],
    ['/nacos/assets/a\\b', false],
    ['/nacos/assets/sub/dir.js', false],
    ['/nacos/v1/ns/instance', false],
  ])('%s → %s', (path, expected) => {
    expect(isConsoleAssetPath(path)).toBe(expected);
  });
});
