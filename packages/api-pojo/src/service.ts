import { z } from 'zod';
import { NACOS_ERROR_CODES, NacosError } from './errors';
import type { Metadata } from './metadata';

/** Instance selector of a service: `none`, or a `label` expression (stored, not evaluated: needs CMDB). */
export const SelectorSchema = z.union([
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('label'), expression: z.string().default(''), labels: z.array(z.string()).optional() }),
]);
/** A service selector. */
export type Selector = z.infer<typeof SelectorSchema>;

/**
 * Parses the `selector` parameter (JSON, URL-decoded by the HTTP layer). Blank → `{"type":"none"}`;
 * unknown types fall back to none as Nacos does; malformed JSON → INVALID_PARAM naming the field.
 */
export function parseSelector(raw: string | undefined): Selector {
  if (raw === undefined || raw === '') return { type: 'none' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param 'selector' is illegal, not JSON: ${raw}`);
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== 'label') return { type: 'none' };
  const parsed = SelectorSchema.safeParse(value);
  if (!parsed.success) throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param 'selector' is illegal: ${raw}`);
  return parsed.data;
}

/** Service metadata as kept by the registry (not its instances). */
export interface Service {
  namespaceId: string;
  /** Grouped name `group@@service`. */
  name: string;
  groupName: string;
  /** 0..1 normally; healthy/total ≤ threshold returns every instance as healthy. Negative disables. */
  protectThreshold: number;
  appName?: string;
  metadata: Metadata;
  selector: Selector;
  /** False makes instance/list fail with 500 `service is disabled now.` */
  enabled: boolean;
}

/** One host in an instance/list answer (Nacos 1.x shape plus the 2.x heartbeat fields). */
export interface ServiceInfoHost {
  ip: string;
  port: number;
  valid: boolean;
  healthy: boolean;
  marked: boolean;
  instanceId: string;
  metadata: Metadata;
  enabled: boolean;
  weight: number;
  clusterName: string;
  serviceName: string;
  ephemeral: boolean;
  instanceHeartBeatInterval: number;
  instanceHeartBeatTimeOut: number;
  ipDeleteTimeout: number;
  instanceIdGenerator?: string;
}

/**
 * The instance/list answer. For an unknown service only `name`, `clusters`, `cacheMillis` and an
 * empty `hosts` are sent. `reachProtectionThreshold` (Nacos 2.x spelling) and its alias
 * `reachProtectThreshold` say that protection made unhealthy hosts look healthy.
 */
export interface ServiceInfo {
  hosts: ServiceInfoHost[];
  dom?: string;
  name: string;
  groupName?: string;
  cacheMillis: number;
  lastRefTime?: number;
  checksum?: string;
  useSpecifiedURL?: boolean;
  clusters: string;
  env?: string;
  metadata?: Metadata;
  allIPs?: boolean;
  reachProtectionThreshold?: boolean;
  reachProtectThreshold?: boolean;
  valid?: boolean;
}
