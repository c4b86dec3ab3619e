import {
  DEFAULT_APP,
  NACOS_ERROR_CODES,
  NacosError,
  parseBeatInfo,
  parseMetadata,
  validatePort,
  validateWeight,
} from '@tacos/api-pojo';
import { type BeatResult, type InstanceRef, type InstanceWrite, wantsGroupedNames } from '@tacos/core';
import { acceptsGzip, type HandlerResult, json, OK, rawJson } from '../handler';
import type { ServerDeps } from '../deps';
import { Params } from '../params';
import { NS, type RouteDef } from './route';

function instanceRef(p: Params): InstanceRef {
  const serviceName = p.groupedServiceName();
  const ip = p.required('ip');
  const port = p.requiredInt('port');
  validatePort(port);
  return { namespaceId: p.namespaceId(), serviceName, ip, port, clusterName: p.clusterName() };
}

/** Parses a register / update request (`enabled` falls back to the legacy `enable`). */
export function parseInstanceWrite(p: Params, defaultEphemeral: boolean): InstanceWrite {
  const ref = instanceRef(p);
  const weight = p.double('weight', 1);
  validateWeight(weight);
  // Fields listed one by one: an object spread here cost ~5 µs per registration (V8's slow path).
  return {
    namespaceId: ref.namespaceId,
    serviceName: ref.serviceName,
    ip: ref.ip,
    port: ref.port,
    clusterName: ref.clusterName,
    weight,
    enabled: p.optionalBool('enabled') ?? p.bool('enable', true),
    healthy: p.bool('healthy', true),
    ephemeral: p.bool('ephemeral', defaultEphemeral),
    metadata: parseMetadata(p.get('metadata')),
    app: p.optional('app', DEFAULT_APP),
  };
}

interface BatchTarget {
  ip: string;
  port: number;
  clusterName: string;
  ephemeral: boolean;
}

function parseBatchInstances(raw: string | undefined): BatchTarget[] | undefined {
  if (raw === undefined) return undefined;
  const illegal = (why: string) => new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param 'instances' is illegal, ${why}`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw illegal(`not JSON: ${raw}`);
  }
  if (!Array.isArray(value)) throw illegal('it must be a JSON array');
  return value.map((item) => {
    const o = item as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || typeof o.ip !== 'string') throw illegal('every instance needs an ip');
    const port = Number(o.port);
    if (!Number.isInteger(port)) throw illegal('every instance needs a port');
    return {
      ip: o.ip,
      port,
      clusterName: typeof o.clusterName === 'string' && o.clusterName !== '' ? o.clusterName : 'DEFAULT',
      ephemeral: o.ephemeral === undefined ? true : o.ephemeral === true || o.ephemeral === 'true',
    };
  });
}

/**
 * The beat answer as JSON. A server gives every client one of a handful of answers (interval, code,
 * light-beat switch), so each is serialized once.
 */
const BEAT_ANSWERS = new Map<string, HandlerResult>();
function beatAnswer(result: BeatResult): HandlerResult {
  const key = `${result.clientBeatInterval}|${result.code}|${result.lightBeatEnabled}`;
  let answer = BEAT_ANSWERS.get(key);
  if (answer === undefined) {
    answer = Object.freeze(json(result)) as HandlerResult;
    // Intervals are client-chosen (preserved.heart.beat.interval): keep the table small.
    if (BEAT_ANSWERS.size >= 256) BEAT_ANSWERS.clear();
    BEAT_ANSWERS.set(key, answer);
  }
  return answer;
}

/** `/v1/ns/instance*` endpoints (NACOS-FACTS §2.2–2.4). */
export function instanceRoutes(deps: ServerDeps): RouteDef[] {
  const registry = deps.registry;
  const batch = (remove: boolean) => async (req: Parameters<RouteDef['handler']>[0]) => {
    const p = new Params(req);
    const serviceName = p.groupedServiceName();
    const metadata = parseMetadata(p.required('metadata'));
    const result = await registry.batchMetadata(p.namespaceId(), serviceName, metadata, remove, {
      consistencyType: p.get('consistencyType'),
      instances: parseBatchInstances(p.get('instances')),
    });
    return json(result);
  };
  return [
    {
      method: 'POST',
      path: `${NS}/instance`,
      handler: (req) => {
        const write = parseInstanceWrite(new Params(req), registry.switches.defaultInstanceEphemeral);
        // Ephemeral: in memory, answered in this turn (no Promise for the fast path to wait on).
        if (write.ephemeral) {
          registry.registerEphemeralInstance(write);
          return OK;
        }
        return registry.registerInstance(write).then(() => OK);
      },
    },
    {
      method: 'DELETE',
      path: `${NS}/instance`,
      handler: async (req) => {
        const p = new Params(req);
        const ref = instanceRef(p);
        await registry.deregisterInstance(ref, p.bool('ephemeral', registry.switches.defaultInstanceEphemeral));
        return OK;
      },
    },
    {
      method: 'PUT',
      path: `${NS}/instance`,
      handler: async (req) => {
        const p = new Params(req);
        const write = parseInstanceWrite(p, registry.switches.defaultInstanceEphemeral);
        await registry.updateInstance(write, wantsGroupedNames(p.userAgent()));
        return OK;
      },
    },
    {
      method: 'PATCH',
      path: `${NS}/instance`,
      handler: async (req) => {
        const p = new Params(req);
        const ref = instanceRef(p);
        const weight = p.optionalDouble('weight');
        if (weight !== undefined) validateWeight(weight);
        const metadata = p.get('metadata');
        await registry.patchInstance({
          ...ref,
          metadata: metadata === undefined ? undefined : parseMetadata(metadata),
          app: p.get('app'),
          weight,
          healthy: p.optionalBool('healthy'),
          enabled: p.optionalBool('enabled') ?? p.optionalBool('enable'),
        });
        return OK;
      },
    },
    {
      method: 'GET',
      path: `${NS}/instance`,
      handler: (req) => json(registry.getInstance(instanceRef(new Params(req)))),
    },
    {
      method: 'GET',
      path: `${NS}/instance/list`,
      handler: (req) => {
        const p = new Params(req);
        const answer = registry.listAnswer(
          {
            namespaceId: p.namespaceId(),
            serviceName: p.groupedServiceName(),
            clusters: p.optional('clusters', ''),
            healthyOnly: p.bool('healthyOnly', false),
            userAgent: p.userAgent(),
            clientIP: p.optional('clientIP', ''),
            udpPort: p.int('udpPort', 0),
            app: p.optional('app', ''),
            env: p.optional('env', ''),
            remoteAddress: req.remoteAddress,
          },
          acceptsGzip(req.header('accept-encoding')),
        );
        const result = rawJson(answer.body);
        if (answer.gzip) result.gzip = answer.gzip;
        return result;
      },
    },
    {
      method: 'PUT',
      path: `${NS}/instance/beat`,
      handler: (req) => {
        const p = new Params(req);
        const rawBeat = p.get('beat');
        const port = p.int('port', 0);
        const result = registry.beat({
          namespaceId: p.namespaceId(),
          serviceName: p.groupedServiceName(),
          clusterName: p.clusterName(),
          ip: p.optional('ip', ''),
          port,
          // Params trims; the guard parsed the untrimmed value, which JSON.parse reads the same.
          beat: rawBeat === undefined ? undefined : parseBeatInfo(rawBeat, req.parsedJson?.('beat')),
        });
        return beatAnswer(result);
      },
    },
    {
      method: 'ANY',
      path: `${NS}/instance/statuses`,
      handler: (req) => json(registry.statuses(new Params(req).required('key'))),
    },
    { method: 'PUT', path: `${NS}/instance/metadata/batch`, handler: batch(false) },
    { method: 'DELETE', path: `${NS}/instance/metadata/batch`, handler: batch(true) },
  ];
}
