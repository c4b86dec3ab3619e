import { z } from 'zod';
import type { Cluster } from './cluster';
import { HealthCheckerSchema } from './health-checker';
import type { Instance } from './instance';
import { SelectorSchema, type Service, type ServiceInfo, type ServiceInfoHost } from './service';

/** Metadata: string keys to string values. */
export const MetadataSchema = z.record(z.string(), z.string());

/** An instance as the API shows it (catalog, instance/list hosts without the derived fields). */
export const InstanceSchema = z.object({
  instanceId: z.string(),
  ip: z.string(),
  port: z.number().int().min(0).max(65535),
  weight: z.number().min(0).max(10000),
  healthy: z.boolean(),
  enabled: z.boolean(),
  ephemeral: z.boolean(),
  clusterName: z.string(),
  serviceName: z.string(),
  metadata: MetadataSchema,
});

/** A cluster as catalog/service shows it. */
export const ClusterSchema = z.object({
  serviceName: z.string(),
  name: z.string(),
  healthChecker: HealthCheckerSchema,
  defaultCheckPort: z.number().int(),
  defaultPort: z.number().int(),
  useIPPort4Check: z.boolean(),
  metadata: MetadataSchema,
});

/** Service metadata as the registry keeps it. */
export const ServiceSchema = z.object({
  namespaceId: z.string(),
  name: z.string(),
  groupName: z.string(),
  protectThreshold: z.number(),
  appName: z.string().optional(),
  metadata: MetadataSchema,
  selector: SelectorSchema,
  enabled: z.boolean(),
});

/** One host of an instance/list answer. */
export const ServiceInfoHostSchema = InstanceSchema.extend({
  valid: z.boolean(),
  marked: z.boolean(),
  instanceHeartBeatInterval: z.number().int(),
  instanceHeartBeatTimeOut: z.number().int(),
  ipDeleteTimeout: z.number().int(),
  instanceIdGenerator: z.string().optional(),
});

/** The instance/list answer (the minimal unknown-service form included: only name, clusters, cacheMillis, hosts). */
export const ServiceInfoSchema = z.object({
  hosts: z.array(ServiceInfoHostSchema),
  dom: z.string().optional(),
  name: z.string(),
  groupName: z.string().optional(),
  cacheMillis: z.number().int(),
  lastRefTime: z.number().int().optional(),
  checksum: z.string().optional(),
  useSpecifiedURL: z.boolean().optional(),
  clusters: z.string(),
  env: z.string().optional(),
  metadata: MetadataSchema.optional(),
  allIPs: z.boolean().optional(),
  reachProtectionThreshold: z.boolean().optional(),
  reachProtectThreshold: z.boolean().optional(),
  valid: z.boolean().optional(),
});

// Compile-time checks that the schemas and the hand-written types agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<z.infer<typeof InstanceSchema>, Instance>,
  Same<z.infer<typeof ClusterSchema>, Cluster>,
  Same<z.infer<typeof ServiceSchema>, Service>,
  Same<z.infer<typeof ServiceInfoHostSchema>, ServiceInfoHost>,
  Same<z.infer<typeof ServiceInfoSchema>, ServiceInfo>,
] = [true, true, true, true, true];
void agree;
