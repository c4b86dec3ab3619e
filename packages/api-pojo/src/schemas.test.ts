import { ClusterSchema, InstanceSchema, ServiceInfoSchema } from './schemas';

describe('schemas', () => {
  it('accept an instance/list answer as Tacos sends it, and the minimal unknown-service form', () => {
    const body = {
      hosts: [
        {
          ip: '10.0.0.5',
          port: 8080,
          valid: true,
          healthy: true,
          marked: false,
          instanceId: '10.0.0.5#8080#DEFAULT#DEFAULT_GROUP@@order',
          metadata: { k: 'v' },
          enabled: true,
          weight: 1,
          clusterName: 'DEFAULT',
          serviceName: 'DEFAULT_GROUP@@order',
          ephemeral: true,
          instanceHeartBeatInterval: 5000,
          instanceHeartBeatTimeOut: 15000,
          ipDeleteTimeout: 30000,
        },
      ],
      dom: 'DEFAULT_GROUP@@order',
      name: 'DEFAULT_GROUP@@order',
      groupName: 'DEFAULT_GROUP',
      cacheMillis: 10000,
      lastRefTime: 1700000000000,
      checksum: '0123456789abcdef0123456789abcdef',
      useSpecifiedURL: false,
      clusters: '',
      env: '',
      metadata: {},
      allIPs: false,
      reachProtectionThreshold: false,
      reachProtectThreshold: false,
      valid: true,
    };
    expect(ServiceInfoSchema.parse(body)).toEqual(body);
    expect(ServiceInfoSchema.parse({ name: 'G@@x', clusters: '', cacheMillis: 3000, hosts: [] }).hosts).toEqual([]);
  });

  it('refuse out-of-range or wrongly typed fields', () => {
    const inst = { instanceId: 'x', ip: '1.1.1.1', port: 70000, weight: 1, healthy: true, enabled: true, ephemeral: true, clusterName: 'A', serviceName: 'G@@s', metadata: {} };
    expect(InstanceSchema.safeParse(inst).success).toBe(false);
    expect(InstanceSchema.safeParse({ ...inst, port: 1, healthy: 'true' }).success).toBe(false);
    expect(InstanceSchema.safeParse({ ...inst, port: 1 }).success).toBe(true);
    expect(
      ClusterSchema.safeParse({ serviceName: 's', name: 'A', healthChecker: { type: 'TCP' }, defaultCheckPort: 80, defaultPort: 80, useIPPort4Check: true, metadata: {} }).success,
    ).toBe(true);
  });
});
