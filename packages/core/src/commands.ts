import type { Cluster, Metadata, NacosErrorCode, Selector } from '@tacos/api-pojo';
import type { SwitchDomain } from './switches';

/** A persistent instance as written to the Raft log (everything needed to rebuild it). */
export interface PersistedInstance {
  ip: string;
  port: number;
  clusterName: string;
  weight: number;
  /** Overwrites the health when given. */
  healthy?: boolean;
  /** Health of a new instance (an existing one keeps its health); default true. */
  initialHealthy?: boolean;
  enabled: boolean;
  marked?: boolean;
  app: string;
  metadata: Metadata;
  /** Kept from the existing instance or generated at apply time when absent. */
  instanceId?: string;
}

/** Service metadata fields carried by service commands. */
export interface ServiceFields {
  protectThreshold: number;
  metadata: Metadata;
  selector: Selector;
  appName?: string;
}

/** A custom namespace (the default `public` is implicit and never stored). */
export interface NamespaceRecord {
  id: string;
  name: string;
  desc: string;
}

/**
 * The registry's Raft commands, JSON-encoded into log entries. Applying one is deterministic given the
 * state before it (instance ids and defaults are derived from state; random values such as generated
 * namespace ids are chosen by the proposer and carried in the command).
 */
export type RegistryCommand =
  | ({ op: 'createService'; ns: string; name: string } & ServiceFields)
  | ({ op: 'updateService'; ns: string; name: string } & ServiceFields)
  | { op: 'removeService'; ns: string; name: string }
  | { op: 'putCluster'; ns: string; service: string; cluster: Cluster }
  | { op: 'putInstances'; ns: string; service: string; instances: PersistedInstance[] }
  | { op: 'removeInstance'; ns: string; service: string; ip: string; port: number; clusterName: string }
  | { op: 'createNamespace'; namespace: NamespaceRecord }
  | { op: 'updateNamespace'; namespace: NamespaceRecord }
  | { op: 'removeNamespace'; id: string }
  | { op: 'setSwitches'; switches: SwitchDomain };

/** What applying a command returns to the proposer: success, or a refusal decided at apply time. */
export type CommandResult = { ok: true } | { ok: false; code: NacosErrorCode; message: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a command for `propose`. */
export function encodeCommand(command: RegistryCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

/** Decodes a log entry written by {@link encodeCommand}. Throws on bytes that are not a command. */
export function decodeCommand(bytes: Uint8Array): RegistryCommand {
  const value = JSON.parse(decoder.decode(bytes)) as RegistryCommand;
  if (typeof value !== 'object' || value === null || typeof value.op !== 'string') {
    throw new Error('not a registry command');
  }
  return value;
}
