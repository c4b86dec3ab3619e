export { type Clock, FakeClock, SYSTEM_CLOCK } from './clock';
export {
  type CommandResult,
  decodeCommand,
  encodeCommand,
  type NamespaceRecord,
  type PersistedInstance,
  type RegistryCommand,
  type ServiceFields,
} from './commands';
export { AUTH_COMMAND_OP, type AuthStateHandler, encodeAuthEntry, NO_AUTH_HANDLER_RESULT } from './auth-slot';
export { ExpiryScheduler } from './expiry-scheduler';
export * from './health';
export { fullInstanceView, hostView, InstanceRecord } from './instance-record';
export {
  type BeatRequest,
  type BeatResult,
  type CatalogQuery,
  type ClusterWrite,
  type InstancePatch,
  type InstanceRef,
  type InstanceWrite,
  isPushCapable,
  LIST_GZIP_MIN_BYTES,
  type ListAnswer,
  type ListRequest,
  NamingRegistry,
  type NamingRegistryOptions,
  type NamespaceView,
  type ServiceWrite,
  wantsGroupedNames,
} from './naming-registry';
export {
  EPHEMERAL_DATA_TYPE,
  type EphemeralChange,
  type EphemeralDistroPort,
  EphemeralReplicator,
  ephemeralKey,
  routingKeyOfEphemeral,
} from './ephemeral-replication';
export { type CommandProposer, PersistentStore } from './persistent-store';
export * from './push';
export { type InstanceHealth, RegistryRuntime, type RegistryRuntimeOptions } from './registry-runtime';
export { type InstanceFields, RegistryState, type ServiceChangeListener } from './registry-state';
export { RegistryStateMachine } from './registry-state-machine';
export { type CachedList, ServiceEntry } from './service-entry';
export { crc32, crc32Combine, SplicedGzip } from './spliced-gzip';
export { type Subscriber, SubscriberRegistry } from './subscribers';
export { defaultSwitches, type HealthParams, SWITCH_ENTRIES, type SwitchDomain, updateSwitches } from './switches';

/** Package name, for diagnostics. */
export const PACKAGE_NAME = '@tacos/core';
