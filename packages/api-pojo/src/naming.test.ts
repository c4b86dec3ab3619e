import {
  checkGroupedName,
  getGroupedName,
  getGroupName,
  getServiceName,
  isIPv4,
  isValidNamespaceId,
  normalizeNamespaceId,
  resolveGroupedName,
  validateClusterName,
  validateIp,
  validatePort,
  validateServiceName,
} from './naming';
import { NacosError } from './errors';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NacosError);
    return (err as NacosError).message;
  }
  throw new Error('expected a NacosError');
}

describe('grouped names', () => {
  it('joins group and service with @@', () => {
    expect(getGroupedName('order', 'DEFAULT_GROUP')).toBe('DEFAULT_GROUP@@order');
  });

  it('puts the groupName (or DEFAULT_GROUP) in front of a name without @@', () => {
    expect(resolveGroupedName('order', undefined)).toBe('DEFAULT_GROUP@@order');
    expect(resolveGroupedName('order', '')).toBe('DEFAULT_GROUP@@order');
    expect(resolveGroupedName('order', 'G1')).toBe('G1@@order');
  });

  it('keeps a grouped name as is, ignoring the groupName parameter', () => {
    expect(resolveGroupedName('G2@@order', 'G1')).toBe('G2@@order');
  });

  it('requires a service name', () => {
    expect(messageOf(() => resolveGroupedName(undefined, 'G'))).toBe("Param 'serviceName' is required.");
    expect(messageOf(() => resolveGroupedName('', 'G'))).toBe("Param 'serviceName' is required.");
  });

  it('splits names like Nacos, including the odd a@@b@@c', () => {
    expect(getServiceName('G@@order')).toBe('order');
    expect(getGroupName('G@@order')).toBe('G');
    expect(getServiceName('order')).toBe('order');
    expect(getGroupName('order')).toBe('DEFAULT_GROUP');
    expect(getServiceName('a@@b@@c')).toBe('b');
    expect(getGroupName('a@@b@@c')).toBe('a');
  });

  it('checks the group@@service format with Java split semantics', () => {
    expect(() => checkGroupedName('G@@order')).not.toThrow();
    // Odd but Nacos: three parts pass.
    expect(() => checkGroupedName('a@@b@@c')).not.toThrow();
    expect(messageOf(() => checkGroupedName('order'))).toBe(
      "Param 'serviceName' is illegal, it should be format as 'groupName@@serviceName'",
    );
    // Trailing empty parts are dropped by Java's split, so an empty service name fails the format.
    expect(messageOf(() => checkGroupedName('DEFAULT_GROUP@@'))).toContain('should be format as');
    expect(messageOf(() => checkGroupedName('@@'))).toContain('should be format as');
    expect(messageOf(() => checkGroupedName('@@order'))).toBe("Param 'serviceName' is illegal, groupName can't be empty");
  });

  it("decides every name of '@', 'a' and 'b' up to 8 characters as Nacos' split-based check does", () => {
    // Nacos: parts = serviceName.split("@@") (Java drops trailing empty parts); at least two parts,
    // the first not empty.
    const nacos = (name: string): string | undefined => {
      const parts = name.split('@@');
      while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
      if (parts.length < 2) return 'format';
      return parts[0] === '' ? 'empty group' : undefined;
    };
    const ours = (name: string): string | undefined => {
      try {
        checkGroupedName(name);
        return undefined;
      } catch (err) {
        return (err as Error).message.includes('should be format as') ? 'format' : 'empty group';
      }
    };
    let names = [''];
    let checked = 0;
    for (let length = 0; length <= 8; length++) {
      for (const name of names) {
        expect([name, ours(name)]).toEqual([name, nacos(name)]);
        checked++;
      }
      names = names.flatMap((n) => [`${n}@`, `${n}a`, `${n}b`]);
    }
    expect(checked).toBe(9841);
  });
});

describe('service name characters', () => {
  it('accepts 0-9a-zA-Z@.:_- and rejects others with the Nacos text', () => {
    expect(() => validateServiceName('DEFAULT_GROUP@@order-v1.2:x')).not.toThrow();
    expect(messageOf(() => validateServiceName('DEFAULT_GROUP@@my service'))).toBe(
      'dom name can only have these characters: 0-9a-zA-Z-._:, current: DEFAULT_GROUP@@my service',
    );
    expect(() => validateServiceName('DEFAULT_GROUP@@订单')).toThrow(NacosError);
  });

  it('limits the length to 512 and the group to 128', () => {
    expect(() => validateServiceName(`G@@${'a'.repeat(509)}`)).not.toThrow();
    expect(messageOf(() => validateServiceName(`G@@${'a'.repeat(510)}`))).toContain("Param 'serviceName' is illegal");
    expect(messageOf(() => validateServiceName(`${'g'.repeat(129)}@@a`))).toContain("Param 'groupName' is illegal");
  });
});

describe('cluster names', () => {
  it('allow only 0-9a-zA-Z- (no underscore, no dot)', () => {
    expect(() => validateClusterName('DEFAULT')).not.toThrow();
    expect(() => validateClusterName('zone-a1')).not.toThrow();
    expect(messageOf(() => validateClusterName('bad_name'))).toBe(
      "Param 'clusterName' is illegal, cluster name can only have these characters: 0-9a-zA-Z-, current: bad_name",
    );
    expect(() => validateClusterName('a.b')).toThrow(NacosError);
    expect(() => validateClusterName('')).toThrow(NacosError);
  });
});

describe('namespaces', () => {
  it('treat blank as public', () => {
    expect(normalizeNamespaceId(undefined)).toBe('public');
    expect(normalizeNamespaceId('')).toBe('public');
    expect(normalizeNamespaceId('dev')).toBe('dev');
  });

  it('accept ^[\\w-]+$ ids up to 128 characters', () => {
    expect(isValidNamespaceId('dev-1_x')).toBe(true);
    expect(isValidNamespaceId('a'.repeat(128))).toBe(true);
    expect(isValidNamespaceId('a'.repeat(129))).toBe(false);
    expect(isValidNamespaceId('a b')).toBe(false);
    expect(isValidNamespaceId('')).toBe(false);
  });
});

describe('ip and port', () => {
  it('requires digits-and-dots addresses to be valid IPv4', () => {
    expect(isIPv4('10.0.0.5')).toBe(true);
    expect(isIPv4('256.0.0.1')).toBe(false);
    expect(() => validateIp('10.0.0.5')).not.toThrow();
    expect(messageOf(() => validateIp('10.0.0.256'))).toContain('Your IP address is spelled incorrectly');
    expect(() => validateIp('10.0.0')).toThrow(NacosError);
    expect(() => validateIp('1.2.3.4.5')).toThrow(NacosError);
  });

  it('allows hostnames and IPv6, not blanks', () => {
    expect(() => validateIp('my-host.example.com')).not.toThrow();
    expect(() => validateIp('::1')).not.toThrow();
    expect(() => validateIp('fe80::1%eth0')).not.toThrow();
    expect(() => validateIp('a b')).toThrow(NacosError);
  });

  it('accepts ports 0..65535 only (Tacos refuses -1 and 65536 naming the field)', () => {
    expect(() => validatePort(0)).not.toThrow();
    expect(() => validatePort(65535)).not.toThrow();
    expect(messageOf(() => validatePort(-1))).toContain("Param 'port' is illegal");
    expect(messageOf(() => validatePort(65536))).toContain("Param 'port' is illegal");
  });
});
