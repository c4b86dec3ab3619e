import type { CatalogQuery } from '@tacos/core';
import type { ServerDeps } from '../deps';
import { json } from '../handler';
import { Params } from '../params';
import { NS, type RouteDef } from './route';

/** `/v1/ns/catalog/*` endpoints used by the console (NACOS-FACTS §2.6). */
export function catalogRoutes(deps: ServerDeps): RouteDef[] {
  const registry = deps.registry;
  return [
    {
      method: 'GET',
      path: `${NS}/catalog/service`,
      handler: (req) => {
        const p = new Params(req);
        return json(registry.catalogService(p.namespaceId(), p.groupedServiceName()));
      },
    },
    {
      method: 'GET',
      path: `${NS}/catalog/services`,
      handler: (req) => {
        const p = new Params(req);
        const query: CatalogQuery = {
          namespaceId: p.namespaceId(),
          pageNo: p.requiredInt('pageNo'),
          pageSize: p.requiredInt('pageSize'),
          serviceNameParam: p.optional('serviceNameParam', ''),
          groupNameParam: p.optional('groupNameParam', ''),
          instance: p.optional('instance', ''),
          hasIpCount: p.bool('hasIpCount', false),
        };
        // As in Nacos 1.x, withInstances defaults to true; the console sends false.
        if (p.bool('withInstances', true)) return json(registry.catalogServicesWithInstances(query));
        return json(registry.catalogServices(query));
      },
    },
    {
      method: 'ANY',
      path: `${NS}/catalog/rt/service`,
      handler: (req) => {
        const p = new Params(req);
        const namespaceId = p.namespaceId();
        const serviceName = p.groupedServiceName();
        const service = registry.getService(namespaceId, serviceName) as { clusters: Array<{ name: string }> };
        // A cluster without a check task (no persistent instances, or no runtime) shows -1s, as a fresh task does.
        const clusters = service.clusters.map(({ name }) => {
          const rt = deps.runtime?.healthChecks.rtStats({ namespaceId, serviceName, clusterName: name });
          return {
            name,
            checkRTBest: rt?.checkRtBest ?? -1,
            checkRTWorst: rt?.checkRtWorst ?? -1,
            checkRTNormalized: rt?.checkRtNormalized ?? -1,
          };
        });
        return json({ clusters });
      },
    },
    {
      method: 'ANY',
      path: `${NS}/catalog/instances`,
      handler: (req) => {
        const p = new Params(req);
        const serviceName = p.groupedServiceName();
        const clusterName = p.required('clusterName');
        const pageNo = p.requiredInt('pageNo');
        const pageSize = p.requiredInt('pageSize');
        return json(registry.catalogInstances(p.namespaceId(), serviceName, clusterName, pageNo, pageSize));
      },
    },
  ];
}
