import type { MemberView, ServerDeps } from '../deps';
import { TACOS_VERSION } from '../deps';
import { json, OK } from '../handler';
import { Params } from '../params';
import { NS, type RouteDef } from './route';

/** This node alone, UP: the member list of a standalone server. */
export function standaloneMembers(selfAddress: string, version: string): MemberView[] {
  const split = selfAddress.lastIndexOf(':');
  const ip = selfAddress.slice(0, split);
  const port = Number(selfAddress.slice(split + 1));
  return [
    {
      ip,
      port,
      state: 'UP',
      extendInfo: {
        lastRefreshTime: Date.now(),
        raftPort: String(port - 1000),
        site: 'unknown',
        adWeight: '0',
        weight: '1',
        version,
      },
      address: selfAddress,
      failAccessCnt: 0,
    },
  ];
}

/** `/v1/ns/operator/*` (alias `/v1/ns/ops/*`) endpoints (NACOS-FACTS §2.7). */
export function operatorRoutes(deps: ServerDeps): RouteDef[] {
  const registry = deps.registry;
  const selfAddress = deps.selfAddress ?? '127.0.0.1:8848';
  const version = deps.version ?? TACOS_VERSION;
  const members = deps.members ?? (() => standaloneMembers(selfAddress, version));
  const routes: RouteDef[] = [];
  for (const prefix of [`${NS}/operator`, `${NS}/ops`]) {
    routes.push(
      { method: 'GET', path: `${prefix}/switches`, handler: () => json(registry.switches) },
      {
        method: 'PUT',
        path: `${prefix}/switches`,
        handler: async (req) => {
          const p = new Params(req);
          const entry = p.required('entry');
          const value = p.required('value');
          await registry.updateSwitch(entry, value, p.bool('debug', false));
          return OK;
        },
      },
      {
        method: 'GET',
        path: `${prefix}/metrics`,
        handler: (req) => {
          const metrics = registry.metrics();
          // Tacos addition: the event-loop delay since the last `resetLoopDelay=true` read.
          if (deps.loopDelay) metrics.loopDelay = deps.loopDelay(new Params(req).bool('resetLoopDelay', false));
          return json(metrics);
        },
      },
      {
        method: 'ANY',
        path: `${prefix}/push/state`,
        handler: (req) => {
          const p = new Params(req);
          // As Nacos: Boolean.parseBoolean of the value, so a bare `?detail` is false.
          const detail = p.bool('detail', false);
          const reset = p.bool('reset', false);
          if (!deps.runtime) return json({ succeed: 0, total: 0, ratio: 0, reset, ...(detail ? { data: [] } : {}) });
          return json(deps.runtime.push.pushState({ detail, reset }));
        },
      },
      {
        method: 'GET',
        path: `${prefix}/servers`,
        handler: (req) => {
          const healthyOnly = new Params(req).bool('healthy', false);
          const list = members().filter((m) => !healthyOnly || m.state === 'UP');
          return json({ servers: list });
        },
      },
    );
  }
  return routes;
}
