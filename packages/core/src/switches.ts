import { NACOS_ERROR_CODES, NacosError, parseJavaBoolean, parseJavaDouble, parseJavaLong } from '@tacos/api-pojo';

/** Health-check RT parameters of one checker type. */
export interface HealthParams {
  max: number;
  min: number;
  factor: number;
}

/** Nacos' SwitchDomain: global settings, stored through Raft (NACOS-FACTS §2.7). */
export interface SwitchDomain {
  name: string;
  masters: string[] | null;
  adWeightMap: Record<string, number>;
  defaultPushCacheMillis: number;
  clientBeatInterval: number;
  defaultCacheMillis: number;
  distroThreshold: number;
  healthCheckEnabled: boolean;
  autoChangeHealthCheckEnabled: boolean;
  distroEnabled: boolean;
  enableStandalone: boolean;
  pushEnabled: boolean;
  checkTimes: number;
  httpHealthParams: HealthParams;
  tcpHealthParams: HealthParams;
  mysqlHealthParams: HealthParams;
  incrementalList: string[];
  serverStatusSynchronizationPeriodMillis: number;
  serviceStatusSynchronizationPeriodMillis: number;
  disableAddIP: boolean;
  sendBeatOnly: boolean;
  lightBeatEnabled: boolean;
  limitedUrlMap: Record<string, number>;
  distroServerExpiredMillis: number;
  pushGoVersion: string;
  pushJavaVersion: string;
  pushPythonVersion: string;
  pushCVersion: string;
  pushCSharpVersion: string;
  enableAuthentication: boolean;
  overriddenServerStatus: string | null;
  defaultInstanceEphemeral: boolean;
  healthCheckWhiteList: string[];
}

/** A fresh SwitchDomain with Nacos 1.4 defaults. */
export function defaultSwitches(): SwitchDomain {
  return {
    name: '00-00---000-NACOS_SWITCH_DOMAIN-000---00-00',
    masters: null,
    adWeightMap: {},
    defaultPushCacheMillis: 10000,
    clientBeatInterval: 5000,
    defaultCacheMillis: 3000,
    distroThreshold: 0.7,
    healthCheckEnabled: true,
    autoChangeHealthCheckEnabled: true,
    distroEnabled: true,
    enableStandalone: true,
    pushEnabled: true,
    checkTimes: 3,
    httpHealthParams: { max: 5000, min: 500, factor: 0.85 },
    tcpHealthParams: { max: 5000, min: 1000, factor: 0.75 },
    mysqlHealthParams: { max: 3000, min: 2000, factor: 0.65 },
    incrementalList: [],
    serverStatusSynchronizationPeriodMillis: 2000,
    serviceStatusSynchronizationPeriodMillis: 5000,
    disableAddIP: false,
    sendBeatOnly: false,
    lightBeatEnabled: true,
    limitedUrlMap: {},
    distroServerExpiredMillis: 10000,
    pushGoVersion: '0.1.0',
    pushJavaVersion: '0.1.0',
    pushPythonVersion: '0.4.3',
    pushCVersion: '1.0.12',
    pushCSharpVersion: '0.9.0',
    enableAuthentication: false,
    overriddenServerStatus: null,
    defaultInstanceEphemeral: true,
    healthCheckWhiteList: [],
  };
}

function invalid(message: string): NacosError {
  return new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, message);
}

type BooleanKey = {
  [K in keyof SwitchDomain]: SwitchDomain[K] extends boolean ? K : never;
}[keyof SwitchDomain];

const BOOLEAN_ENTRIES: Record<string, BooleanKey> = {
  distro: 'distroEnabled',
  check: 'healthCheckEnabled',
  pushEnabled: 'pushEnabled',
  disableAddIP: 'disableAddIP',
  sendBeatOnly: 'sendBeatOnly',
  enableStandalone: 'enableStandalone',
  defaultInstanceEphemeral: 'defaultInstanceEphemeral',
  lightBeatEnabled: 'lightBeatEnabled',
  autoChangeHealthCheckEnabled: 'autoChangeHealthCheckEnabled',
};

const PUSH_VERSION_KEYS: Record<string, keyof SwitchDomain> = {
  java: 'pushJavaVersion',
  python: 'pushPythonVersion',
  c: 'pushCVersion',
  go: 'pushGoVersion',
  csharp: 'pushCSharpVersion',
};

function checkHealthParams(params: HealthParams, what: string): void {
  if (params.min < 500) throw invalid(`min check time for ${what} must not less than 500`);
  if (params.max < 3000) throw invalid(`max check time for ${what} must not less than 3000`);
  if (params.factor < 0 || params.factor > 1) throw invalid(`malformed factor for ${what}`);
}

/** Every entry name `PUT /operator/switches` accepts. */
export const SWITCH_ENTRIES: readonly string[] = [
  'batch',
  'distroThreshold',
  'clientBeatInterval',
  'pushVersion',
  'pushCacheMillis',
  'defaultCacheMillis',
  'masters',
  'serviceStatusSynchronizationPeriodMillis',
  'serverStatusSynchronizationPeriodMillis',
  'healthCheckTimes',
  'limitedUrlMap',
  'overriddenServerStatus',
  'distroServerExpiredMillis',
  ...Object.keys(BOOLEAN_ENTRIES),
];

/**
 * Returns a new SwitchDomain with one entry changed, validating as Nacos' SwitchManager does. Unlike
 * Nacos 1.x (which answers `ok` and changes nothing), an unknown entry throws INVALID_PARAM. The
 * input is not mutated.
 */
export function updateSwitches(current: SwitchDomain, entry: string, value: string): SwitchDomain {
  const next: SwitchDomain = JSON.parse(JSON.stringify(current));
  const bool = BOOLEAN_ENTRIES[entry];
  if (bool) {
    next[bool] = parseJavaBoolean(value);
    return next;
  }
  switch (entry) {
    case 'batch': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        throw invalid(`Param 'value' is illegal, not a SwitchDomain JSON: ${value}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw invalid(`Param 'value' is illegal, not a SwitchDomain JSON: ${value}`);
      }
      const defaults = defaultSwitches() as unknown as Record<string, unknown>;
      const target = next as unknown as Record<string, unknown>;
      for (const [key, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (!(key in defaults) || key === 'name') continue;
        const expected = defaults[key];
        const same =
          expected === null
            ? v === null || typeof v === 'string' || Array.isArray(v)
            : Array.isArray(expected)
              ? Array.isArray(v)
              : typeof v === typeof expected && v !== null;
        if (!same) throw invalid(`Param 'value' is illegal, wrong type for ${key}`);
        target[key] = v;
      }
      checkHealthParams(next.httpHealthParams, 'http');
      checkHealthParams(next.tcpHealthParams, 'tcp');
      checkHealthParams(next.mysqlHealthParams, 'mysql');
      return next;
    }
    case 'distroThreshold': {
      const n = parseJavaDouble('value', value);
      if (n <= 0) throw invalid('distroThreshold can not be zero or negative: ' + n);
      next.distroThreshold = n;
      return next;
    }
    case 'clientBeatInterval':
      next.clientBeatInterval = parseJavaLong('value', value);
      return next;
    case 'pushVersion': {
      const [type, version] = value.split(':');
      const key = type === undefined ? undefined : PUSH_VERSION_KEYS[type];
      if (!key || !version || !/^\d+(\.\d+)*$/.test(version)) {
        throw invalid(`Param 'value' is illegal, expected <java|python|c|go|csharp>:<version>, got ${value}`);
      }
      (next as unknown as Record<string, unknown>)[key] = version;
      return next;
    }
    case 'pushCacheMillis': {
      const n = parseJavaLong('value', value);
      if (n < 10000) throw invalid('min cache time for http or tcp is too small(<10000)');
      next.defaultPushCacheMillis = n;
      return next;
    }
    case 'defaultCacheMillis': {
      const n = parseJavaLong('value', value);
      if (n < 1000) throw invalid('min default cache time  is too small(<1s)');
      next.defaultCacheMillis = n;
      return next;
    }
    case 'masters':
      next.masters = value === '' ? null : value.split(',').map((s) => s.trim());
      return next;
    case 'serviceStatusSynchronizationPeriodMillis': {
      const n = parseJavaLong('value', value);
      if (n < 5000) throw invalid('serviceStatusSynchronizationPeriodMillis must not less than 5000');
      next.serviceStatusSynchronizationPeriodMillis = n;
      return next;
    }
    case 'serverStatusSynchronizationPeriodMillis':
      next.serverStatusSynchronizationPeriodMillis = parseJavaLong('value', value);
      return next;
    case 'healthCheckTimes':
      next.checkTimes = parseJavaLong('value', value);
      return next;
    case 'distroServerExpiredMillis':
      next.distroServerExpiredMillis = parseJavaLong('value', value);
      return next;
    case 'overriddenServerStatus': {
      const status = value.trim();
      if (status !== '' && !['UP', 'DOWN', 'WRITE_ONLY', 'READ_ONLY', 'STARTING'].includes(status)) {
        throw invalid(`Param 'value' is illegal, unknown server status: ${value}`);
      }
      next.overriddenServerStatus = status === '' ? null : status;
      return next;
    }
    case 'limitedUrlMap': {
      const map: Record<string, number> = {};
      if (value !== '') {
        for (const part of value.split(',')) {
          const [url, code] = part.split(':');
          if (!url || !code || !/^\d+$/.test(code)) throw invalid(`limitedUrlMap format is not correct: ${value}`);
          map[url] = Number(code);
        }
      }
      next.limitedUrlMap = map;
      return next;
    }
    default:
      throw invalid(`Param 'entry' is illegal, unknown switch entry: ${entry}`);
  }
}
