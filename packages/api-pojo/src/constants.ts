/** Naming constants, exactly as Nacos 1.x spells them (NACOS-FACTS §1.1). */

/** Separator between group and service in a grouped service name (`group@@service`). */
export const SERVICE_INFO_SPLITER = '@@';
/** Group used when a request names none. */
export const DEFAULT_GROUP = 'DEFAULT_GROUP';
/** Namespace used when a request names none (or a blank one). */
export const DEFAULT_NAMESPACE_ID = 'public';
/** Cluster used when a request names none. */
export const DEFAULT_CLUSTER_NAME = 'DEFAULT';
/** `app` stored on an instance registered without one. */
export const DEFAULT_APP = 'DEFAULT';

/** Metadata keys that override per-instance heartbeat settings. Values must match `^\d+$`. */
export const PRESERVED_METADATA_KEYS = {
  HEART_BEAT_INTERVAL: 'preserved.heart.beat.interval',
  HEART_BEAT_TIMEOUT: 'preserved.heart.beat.timeout',
  IP_DELETE_TIMEOUT: 'preserved.ip.delete.timeout',
  INSTANCE_ID_GENERATOR: 'preserved.instance.id.generator',
  REGISTER_SOURCE: 'preserved.register.source',
} as const;

/** Default beat interval a client is told to use (ms). */
export const DEFAULT_HEART_BEAT_INTERVAL = 5000;
/** Default silence after which an ephemeral instance turns unhealthy (ms). */
export const DEFAULT_HEART_BEAT_TIMEOUT = 15000;
/** Default silence after which an ephemeral instance is removed (ms). */
export const DEFAULT_IP_DELETE_TIMEOUT = 30000;

/** Instance id generators Nacos knows. */
export const INSTANCE_ID_GENERATORS = {
  SIMPLE: 'simple',
  SNOWFLAKE: 'snowflake',
} as const;

/** Weight bounds (inclusive) and the smallest positive weight kept after clamping. */
export const MAX_WEIGHT = 10000;
export const MIN_WEIGHT = 0;
export const MIN_POSITIVE_WEIGHT = 0.01;

/** Beat answer codes (`code` in the instance/beat JSON). */
export const BEAT_CODES = {
  /** The instance is known; its lease was renewed. */
  OK: 10200,
  /** Unknown instance and no beat body to re-register it from: the client should register again. */
  RESOURCE_NOT_FOUND: 20404,
} as const;

/** Longest grouped service name accepted (Nacos 2.x parameter checker). */
export const MAX_SERVICE_NAME_LENGTH = 512;
/** Longest group name accepted (Nacos 2.x parameter checker). */
export const MAX_GROUP_NAME_LENGTH = 128;
/** Longest namespace id accepted for namespace creation. */
export const MAX_NAMESPACE_ID_LENGTH = 128;

/** Metadata keys refused everywhere: they would reach Object.prototype through a careless merge. */
export const FORBIDDEN_METADATA_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
