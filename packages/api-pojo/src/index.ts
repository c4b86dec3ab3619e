export { type BeatInfo, BeatInfoSchema, parseBeatInfo } from './beat-info';
export { type Cluster, defaultCluster } from './cluster';
export {
  BEAT_CODES,
  DEFAULT_APP,
  DEFAULT_CLUSTER_NAME,
  DEFAULT_GROUP,
  DEFAULT_HEART_BEAT_INTERVAL,
  DEFAULT_HEART_BEAT_TIMEOUT,
  DEFAULT_IP_DELETE_TIMEOUT,
  DEFAULT_NAMESPACE_ID,
  FORBIDDEN_METADATA_KEYS,
  INSTANCE_ID_GENERATORS,
  MAX_GROUP_NAME_LENGTH,
  MAX_NAMESPACE_ID_LENGTH,
  MAX_SERVICE_NAME_LENGTH,
  MAX_WEIGHT,
  MIN_POSITIVE_WEIGHT,
  MIN_WEIGHT,
  PRESERVED_METADATA_KEYS,
  SERVICE_INFO_SPLITER,
} from './constants';
export {
  isNacosError,
  NACOS_ERROR_CODES,
  NACOS_ERROR_STATUS,
  NacosError,
  type NacosErrorCode,
  paramIllegal,
  paramRequired,
} from './errors';
export {
  DEFAULT_HEALTH_CHECKER,
  defaultHealthCheckers,
  type HealthChecker,
  HealthCheckerSchema,
  type HealthCheckerType,
  HttpCheckerSchema,
  MysqlCheckerSchema,
  NoneCheckerSchema,
  parseHealthChecker,
  TcpCheckerSchema,
} from './health-checker';
export {
  clampWeight,
  heartBeatIntervalOf,
  heartBeatTimeoutOf,
  type Instance,
  instanceIdGeneratorOf,
  instanceKey,
  ipDeleteTimeoutOf,
  preservedLong,
  simpleInstanceId,
  snowflakeInstanceId,
  validateWeight,
} from './instance';
export { type Metadata, parseMetadata, toMetadata } from './metadata';
export {
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
export { parseJavaBoolean, parseJavaDouble, parseJavaInt, parseJavaLong } from './primitives';
export {
  parseSelector,
  type Selector,
  SelectorSchema,
  type Service,
  type ServiceInfo,
  type ServiceInfoHost,
} from './service';

/** Package name, for diagnostics. */
export const PACKAGE_NAME = '@tacos/api-pojo';
export {
  ClusterSchema,
  InstanceSchema,
  MetadataSchema,
  ServiceInfoHostSchema,
  ServiceInfoSchema,
  ServiceSchema,
} from './schemas';
