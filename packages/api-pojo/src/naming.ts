import {
  DEFAULT_GROUP,
  DEFAULT_NAMESPACE_ID,
  MAX_GROUP_NAME_LENGTH,
  MAX_NAMESPACE_ID_LENGTH,
  MAX_SERVICE_NAME_LENGTH,
  SERVICE_INFO_SPLITER,
} from './constants';
import { NACOS_ERROR_CODES, NacosError, paramIllegal, paramRequired } from './errors';

/** `group@@service`. Neither part is checked. */
export function getGroupedName(serviceName: string, groupName: string): string {
  return groupName + SERVICE_INFO_SPLITER + serviceName;
}

/**
 * What Nacos' naming filter does to every `/v1/ns/*` request: a `serviceName` without `@@` gets
 * `<groupName or DEFAULT_GROUP>@@` in front; one with `@@` is kept as is (its group wins over the
 * `groupName` parameter). Throws PARAM_MISSING when the service name is absent or blank.
 */
export function resolveGroupedName(serviceName: string | undefined, groupName: string | undefined): string {
  if (serviceName === undefined || serviceName === '') throw paramRequired('serviceName');
  if (serviceName.includes(SERVICE_INFO_SPLITER)) return serviceName;
  return getGroupedName(serviceName, groupName || DEFAULT_GROUP);
}

/**
 * The service part of a grouped name (`order` for `DEFAULT_GROUP@@order`); a name without `@@` is
 * returned unchanged. Like Nacos, `a@@b@@c` gives `b`.
 */
export function getServiceName(groupedName: string): string {
  if (!groupedName.includes(SERVICE_INFO_SPLITER)) return groupedName;
  return groupedName.split(SERVICE_INFO_SPLITER)[1] ?? '';
}

/** The group part of a grouped name; `DEFAULT_GROUP` when there is no `@@`. */
export function getGroupName(groupedName: string): string {
  if (!groupedName.includes(SERVICE_INFO_SPLITER)) return DEFAULT_GROUP;
  return groupedName.split(SERVICE_INFO_SPLITER)[0] ?? '';
}

/**
 * Checks a grouped service name as Nacos' instance APIs do (NamingUtils.checkServiceNameFormat):
 * splitting on `@@` (dropping trailing empties, as Java does) must give at least two parts, and the
 * group must not be empty. So `DEFAULT_GROUP@@` and `@@` fail, while `a@@b@@c` passes (odd, but Nacos).
 * Throws INVALID_PARAM.
 */
export function checkGroupedName(groupedName: string): void {
  // Without splitting (this runs on every beat): the split keeps two parts exactly when something
  // other than more `@@`s follows the first `@@`.
  const first = groupedName.indexOf(SERVICE_INFO_SPLITER);
  if (first < 0 || onlySeparators(groupedName, first + SERVICE_INFO_SPLITER.length)) {
    throw paramIllegal('serviceName', "it should be format as 'groupName@@serviceName'");
  }
  if (first === 0) throw paramIllegal('serviceName', "groupName can't be empty");
}

/** Whether `value` from `start` on is `@@` repeated zero or more times. */
function onlySeparators(value: string, start: number): boolean {
  let i = start;
  while (value.startsWith(SERVICE_INFO_SPLITER, i)) i += SERVICE_INFO_SPLITER.length;
  return i === value.length;
}

const SERVICE_NAME_CHARS = /^[0-9a-zA-Z@.:_-]+$/;
const CLUSTER_NAME_CHARS = /^[0-9a-zA-Z-]+$/;
const GROUP_NAME_CHARS = /^[0-9a-zA-Z.:_-]+$/;

/**
 * Validates a grouped service name when a service is created: characters `[0-9a-zA-Z@.:_-]` (Nacos'
 * `Service.validate`), at most 512 characters, and the group part at most 128 characters of
 * `[0-9a-zA-Z.:_-]`. Throws INVALID_PARAM with Nacos' text.
 */
export function validateServiceName(groupedName: string): void {
  if (!SERVICE_NAME_CHARS.test(groupedName)) {
    throw new NacosError(
      NACOS_ERROR_CODES.INVALID_PARAM,
      `dom name can only have these characters: 0-9a-zA-Z-._:, current: ${groupedName}`,
    );
  }
  if (groupedName.length > MAX_SERVICE_NAME_LENGTH) {
    throw paramIllegal('serviceName', `it must be at most ${MAX_SERVICE_NAME_LENGTH} characters long`);
  }
  const group = getGroupName(groupedName);
  if (group.length > MAX_GROUP_NAME_LENGTH || !GROUP_NAME_CHARS.test(group)) {
    throw paramIllegal('groupName', `it must be 1-${MAX_GROUP_NAME_LENGTH} characters of 0-9a-zA-Z-._:, current: ${group}`);
  }
}

/**
 * Validates a cluster name: `[0-9a-zA-Z-]+` only (no underscore, no dot). Nacos 1.x checked it only
 * on service validation; Tacos checks it on every write that names a cluster, as Nacos 2.x does.
 */
export function validateClusterName(clusterName: string): void {
  if (!CLUSTER_NAME_CHARS.test(clusterName)) {
    throw new NacosError(
      NACOS_ERROR_CODES.INVALID_PARAM,
      `Param 'clusterName' is illegal, cluster name can only have these characters: 0-9a-zA-Z-, current: ${clusterName}`,
    );
  }
}

/** A blank or absent namespace id means `public`. */
export function normalizeNamespaceId(namespaceId: string | undefined): string {
  return namespaceId === undefined || namespaceId === '' ? DEFAULT_NAMESPACE_ID : namespaceId;
}

const NAMESPACE_ID_CHARS = /^[\w-]+$/;

/** True when a custom namespace id may be created: `^[\w-]+$`, at most 128 characters. */
export function isValidNamespaceId(namespaceId: string): boolean {
  return namespaceId.length <= MAX_NAMESPACE_ID_LENGTH && NAMESPACE_ID_CHARS.test(namespaceId);
}

const DIGITS_AND_DOTS = /^[\d.]+$/;
const HOST_CHARS = /^[0-9a-zA-Z.:_%[\]-]+$/;

/** True for a dotted-quad IPv4 address with each octet 0..255. */
export function isIPv4(ip: string): boolean {
  const parts = ip.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * Validates an instance ip: if it is only digits and dots it must be a valid IPv4 (Nacos' rule);
 * otherwise hostnames and IPv6 are allowed, but not blanks or other odd characters.
 * Throws INVALID_PARAM with Nacos' text.
 */
export function validateIp(ip: string): void {
  const ok = DIGITS_AND_DOTS.test(ip) ? isIPv4(ip) : HOST_CHARS.test(ip);
  if (!ok) {
    throw new NacosError(
      NACOS_ERROR_CODES.INVALID_PARAM,
      "Param 'ip' is illegal, instance format invalid: Your IP address is spelled incorrectly",
    );
  }
}

/** Validates a port: 0..65535 (0 is Nacos' wildcard). Throws INVALID_PARAM naming the field. */
export function validatePort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw paramIllegal('port', `port must be between 0 and 65535, current: ${port}`);
  }
}
