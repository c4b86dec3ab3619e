import {
  DEFAULT_HEART_BEAT_INTERVAL,
  DEFAULT_HEART_BEAT_TIMEOUT,
  DEFAULT_IP_DELETE_TIMEOUT,
  INSTANCE_ID_GENERATORS,
  MAX_WEIGHT,
  MIN_POSITIVE_WEIGHT,
  MIN_WEIGHT,
  PRESERVED_METADATA_KEYS,
} from './constants';
import { NACOS_ERROR_CODES, NacosError } from './errors';
import type { Metadata } from './metadata';

/** An instance as the Nacos API shows it (instance/list hosts, catalog). */
export interface Instance {
  instanceId: string;
  ip: string;
  port: number;
  weight: number;
  healthy: boolean;
  enabled: boolean;
  ephemeral: boolean;
  clusterName: string;
  /** The grouped name `group@@service`. */
  serviceName: string;
  metadata: Metadata;
}

/** The `simple` instance id: `ip#port#clusterName#group@@service`. */
export function simpleInstanceId(ip: string, port: number, clusterName: string, groupedServiceName: string): string {
  return `${ip}#${port}#${clusterName}#${groupedServiceName}`;
}

/** The `snowflake` instance id: the smallest non-negative integer (as a string) not in `used`. */
export function snowflakeInstanceId(used: ReadonlySet<string>): string {
  let n = 0;
  while (used.has(String(n))) n++;
  return String(n);
}

/**
 * The identity of an instance inside one service and one ephemerality: `ip:port:unknown:cluster`
 * (Nacos' datum key; `ip:unknown:cluster` for the wildcard port 0).
 */
export function instanceKey(ip: string, port: number, clusterName: string): string {
  return port === 0 ? `${ip}:unknown:${clusterName}` : `${ip}:${port}:unknown:${clusterName}`;
}

/**
 * Checks a requested weight: 0..10000 inclusive, else INVALID_PARAM with Nacos' text
 * `instance format invalid: The weights range from 0.0 to 10000.0`.
 */
export function validateWeight(weight: number): void {
  if (!(weight >= MIN_WEIGHT && weight <= MAX_WEIGHT)) {
    throw new NacosError(
      NACOS_ERROR_CODES.INVALID_PARAM,
      "Param 'weight' is illegal, instance format invalid: The weights range from 0.0 to 10000.0",
    );
  }
}

/** Clamps a weight on ingest as Nacos does: >10000 → 10000, <0 → 0, (0, 0.01) → 0.01. */
export function clampWeight(weight: number): number {
  if (!(weight >= MIN_WEIGHT)) return MIN_WEIGHT;
  if (weight > MAX_WEIGHT) return MAX_WEIGHT;
  if (weight > 0 && weight < MIN_POSITIVE_WEIGHT) return MIN_POSITIVE_WEIGHT;
  return weight;
}

const DIGITS = /^\d+$/;

/** Reads a `preserved.*` number from metadata: only `^\d+$` values count, else `fallback`. */
export function preservedLong(metadata: Metadata, key: string, fallback: number): number {
  const value = metadata[key];
  if (value === undefined || !DIGITS.test(value)) return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : fallback;
}

/** `preserved.heart.beat.interval` or 5000. */
export function heartBeatIntervalOf(metadata: Metadata): number {
  return preservedLong(metadata, PRESERVED_METADATA_KEYS.HEART_BEAT_INTERVAL, DEFAULT_HEART_BEAT_INTERVAL);
}

/** `preserved.heart.beat.timeout` or 15000. */
export function heartBeatTimeoutOf(metadata: Metadata): number {
  return preservedLong(metadata, PRESERVED_METADATA_KEYS.HEART_BEAT_TIMEOUT, DEFAULT_HEART_BEAT_TIMEOUT);
}

/** `preserved.ip.delete.timeout` or 30000. */
export function ipDeleteTimeoutOf(metadata: Metadata): number {
  return preservedLong(metadata, PRESERVED_METADATA_KEYS.IP_DELETE_TIMEOUT, DEFAULT_IP_DELETE_TIMEOUT);
}

/**
 * Nacos' `getInstanceIdGenerator` quirk: `simple` when metadata is empty, the value of
 * `preserved.instance.id.generator` when present, and `undefined` (omitted from JSON) when metadata is
 * non-empty but lacks the key.
 */
export function instanceIdGeneratorOf(metadata: Metadata): string | undefined {
  const value = metadata[PRESERVED_METADATA_KEYS.INSTANCE_ID_GENERATOR];
  if (value !== undefined) return value;
  for (const _ in metadata) return undefined;
  return INSTANCE_ID_GENERATORS.SIMPLE;
}
