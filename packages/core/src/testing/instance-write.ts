import type { InstanceWrite } from '../naming-registry';

/**
 * A register request for tests: an ephemeral, healthy, enabled instance `10.0.0.5:8080` of
 * `DEFAULT_GROUP@@order` in cluster DEFAULT, with the fields a test cares about overridden.
 */
export function instanceWrite(over: Partial<InstanceWrite> = {}): InstanceWrite {
  return {
    namespaceId: 'public',
    serviceName: 'DEFAULT_GROUP@@order',
    ip: '10.0.0.5',
    port: 8080,
    clusterName: 'DEFAULT',
    weight: 1,
    enabled: true,
    healthy: true,
    ephemeral: true,
    metadata: {},
    app: 'DEFAULT',
    ...over,
  };
}
