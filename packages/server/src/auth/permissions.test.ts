import {
  type Action,
  can,
  CONSOLE_RESOURCES,
  GLOBAL_ADMIN_ROLE,
  matchesResource,
  namingResource,
  type Permission,
  UPDATE_PASSWORD_RESOURCE,
} from './permissions';

describe('namingResource', () => {
  it.each([
    [['dev', 'G1', 'order'], 'dev:G1:naming/order'],
    [['dev', undefined, 'G2@@order'], 'dev:G2:naming/order'],
    // The grouped name's group wins, as in the handlers: groupName cannot smuggle in another group.
    [['dev', 'G1', 'G2@@order'], 'dev:G2:naming/order'],
    [['dev', undefined, 'a@@b@@c'], 'dev:a:naming/b@@c'],
    [['dev', undefined, 'order'], 'dev:DEFAULT_GROUP:naming/order'],
    [[undefined, undefined, 'order'], 'public:DEFAULT_GROUP:naming/order'],
    [['', '', 'order'], 'public:DEFAULT_GROUP:naming/order'],
    [['dev', 'G1', undefined], 'dev:*:naming/*'],
    [[undefined, undefined, '  '], 'public:*:naming/*'],
  ] as Array<[[string | undefined, string | undefined, string | undefined], string]>)('%j → %s', (args, expected) => {
    expect(namingResource(...args)).toBe(expected);
  });
});

describe('matchesResource', () => {
  it.each([
    ['dev:*:*', 'dev:G:naming/svc', true],
    ['dev:*:*', 'dev2:G:naming/svc', false],
    ['*', 'anything:at:all', true],
    ['*', '', true],
    ['', '', true],
    ['', 'x', false],
    ['dev:G:naming/svc', 'dev:G:naming/svc', true],
    ['dev:G:naming/svc', 'dev:G:naming/svc2', false],
    ['dev:G:naming/sv*', 'dev:G:naming/svc2', true],
    ['*:*:naming/order', 'prod:G:naming/order', true],
    ['*:*:naming/order', 'prod:G:naming/orders', false],
    // Nacos compiled the rest as a regex: `.` matched any character there. Not here.
    ['dev.*', 'devX:G:naming/s', false],
    ['dev.*', 'dev.anything', true],
    ['a+b', 'aab', false],
    ['a+b', 'a+b', true],
    ['(x', '(x', true],
    ['[ab]', 'a', false],
    ['a**b', 'ab', true],
    ['*a*b*c*', 'xxaxxbxxcxx', true],
    ['*a*b*c*', 'xxaxxcxxbxx', false],
    ['DEV:*', 'dev:G', false],
  ])('%s vs %s → %s', (pattern, resource, expected) => {
    expect(matchesResource(pattern, resource)).toBe(expected);
  });

  it('agrees with an escaped, anchored regex on random inputs (seeded)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = 'ab*.:+(';
    const word = (max: number) => {
      let s = '';
      for (let i = rand(max + 1); i > 0; i--) s += alphabet[rand(alphabet.length)];
      return s;
    };
    for (let i = 0; i < 5000; i++) {
      const pattern = word(8);
      const resource = word(10).replaceAll('*', 'b');
      const reference = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
      if (matchesResource(pattern, resource) !== reference.test(resource)) {
        throw new Error(`seed 7, case ${i}: pattern ${JSON.stringify(pattern)} resource ${JSON.stringify(resource)}`);
      }
    }
  });

  it('stays fast on a pattern that makes backtracking regexes explode', () => {
    const pattern = `${'*a'.repeat(30)}*b`;
    const resource = 'a'.repeat(5000);
    const started = process.hrtime.bigint();
    expect(matchesResource(pattern, resource)).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });
});

describe('can', () => {
  const permissions: Permission[] = [
    { role: 'dev-reader', resource: 'dev:*:*', action: 'r' },
    { role: 'dev-writer', resource: 'dev:*:*', action: 'rw' },
    { role: 'order-writer', resource: 'prod:G:naming/order', action: 'w' },
    { role: 'public-all', resource: 'public:*:*', action: 'rw' },
  ];
  const devSvc = namingResource('dev', 'G', 'svc');

  const table: Array<[string, string[], string, Action, boolean]> = [
    ['admin reads anything', [GLOBAL_ADMIN_ROLE], devSvc, 'r', true],
    ['admin writes the console', [GLOBAL_ADMIN_ROLE], CONSOLE_RESOURCES.users, 'w', true],
    ['no roles, nothing', [], devSvc, 'r', false],
    ['reader reads', ['dev-reader'], devSvc, 'r', true],
    ['reader cannot write', ['dev-reader'], devSvc, 'w', false],
    ['rw grants w', ['dev-writer'], devSvc, 'w', true],
    ['rw grants r', ['dev-writer'], devSvc, 'r', true],
    ['w does not grant r', ['order-writer'], namingResource('prod', 'G', 'order'), 'r', false],
    ['w on exact resource', ['order-writer'], namingResource('prod', 'G', 'order'), 'w', true],
    ['other namespace', ['dev-writer'], namingResource('prod', 'G', 'svc'), 'r', false],
    ['other role’s permission does not count', ['nobody'], devSvc, 'r', false],
    ['any of several roles', ['nobody', 'dev-reader'], devSvc, 'r', true],
    ['non-admin never reaches console/', ['public-all', 'dev-writer'], CONSOLE_RESOURCES.users, 'r', false],
    ['every user may change a password', [], UPDATE_PASSWORD_RESOURCE, 'w', true],
    ['blank namespace is public', ['public-all'], namingResource(undefined, undefined, 'x'), 'w', true],
    ['list without service', ['dev-reader'], namingResource('dev', undefined, undefined), 'r', true],
  ];
  it.each(table)('%s', (_name, roles, resource, action, expected) => {
    expect(can(roles, permissions, resource, action)).toBe(expected);
  });

  it('a role named like a regex does not widen access', () => {
    const perms: Permission[] = [{ role: 'r1', resource: 'de.:*:*', action: 'rw' }];
    expect(can(['r1'], perms, namingResource('dev', 'G', 's'), 'r')).toBe(false);
    expect(can(['r1'], perms, namingResource('de.', 'G', 's'), 'r')).toBe(true);
  });

  it('does not modify its inputs', () => {
    const roles = Object.freeze(['dev-reader']);
    const frozen = Object.freeze(permissions.map((p) => Object.freeze({ ...p })));
    expect(can(roles, frozen, devSvc, 'r')).toBe(true);
  });
});
