import { defaultHealthCheckers, parseHealthChecker, parseMetadata, parseSelector } from '@tacos/api-pojo';
import type { ServerDeps } from '../deps';
import { json, OK } from '../handler';
import { Params } from '../params';
import { NS, type RouteDef } from './route';

/** `/v1/ns/service*`, `/v1/ns/cluster` and `/v1/ns/health*` endpoints (NACOS-FACTS §2.5). */
export function serviceRoutes(deps: ServerDeps): RouteDef[] {
  const registry = deps.registry;
  const selfAddress = deps.selfAddress ?? '127.0.0.1:8848';
  const healthUpdate: RouteDef['handler'] = (req) => {
    const p = new Params(req);
    const healthy = p.get('healthy') ?? p.get('valid');
    if (healthy === undefined) p.required('healthy');
    const serviceName = p.groupedServiceName();
    const ip = p.required('ip');
    const port = p.requiredInt('port');
    registry.updateHealth(
      { namespaceId: p.namespaceId(), serviceName, ip, port, clusterName: p.clusterName() },
      (healthy as string).toLowerCase() === 'true',
    );
    return OK;
  };
  return [
    {
      method: 'POST',
      path: `${NS}/service`,
      handler: async (req) => {
        const p = new Params(req);
        await registry.createService({
          namespaceId: p.namespaceId(),
          serviceName: p.groupedServiceName(),
          protectThreshold: p.double('protectThreshold', 0),
          metadata: parseMetadata(p.get('metadata')),
          selector: parseSelector(p.get('selector')),
        });
        return OK;
      },
    },
    {
      method: 'DELETE',
      path: `${NS}/service`,
      handler: async (req) => {
        const p = new Params(req);
        await registry.removeService(p.namespaceId(), p.groupedServiceName());
        return OK;
      },
    },
    {
      method: 'PUT',
      path: `${NS}/service`,
      handler: async (req) => {
        const p = new Params(req);
        const serviceName = p.groupedServiceName();
        p.required('protectThreshold');
        await registry.updateService({
          namespaceId: p.namespaceId(),
          serviceName,
          protectThreshold: p.double('protectThreshold', 0),
          metadata: parseMetadata(p.get('metadata')),
          selector: parseSelector(p.get('selector')),
        });
        return OK;
      },
    },
    {
      method: 'GET',
      path: `${NS}/service`,
      handler: (req) => {
        const p = new Params(req);
        return json(registry.getService(p.namespaceId(), p.groupedServiceName()));
      },
    },
    {
      method: 'GET',
      path: `${NS}/service/list`,
      handler: (req) => {
        const p = new Params(req);
        const pageNo = p.requiredInt('pageNo');
        const pageSize = p.requiredInt('pageSize');
        return json(registry.listServices(p.namespaceId(), p.groupName(), pageNo, pageSize));
      },
    },
    {
      method: 'ANY',
      path: `${NS}/service/names`,
      handler: (req) => {
        const p = new Params(req);
        return json(registry.serviceNames(p.optional('namespaceId', ''), p.optional('expr', '')));
      },
    },
    {
      method: 'GET',
      path: `${NS}/service/subscribers`,
      handler: (req) => {
        const p = new Params(req);
        const pageNo = p.requiredInt('pageNo');
        const pageSize = p.requiredInt('pageSize');
        return json(registry.listSubscribers(p.namespaceId(), p.groupedServiceName(), pageNo, pageSize));
      },
    },
    {
      method: 'PUT',
      path: `${NS}/cluster`,
      handler: async (req) => {
        const p = new Params(req);
        const serviceName = p.groupedServiceName();
        const clusterName = p.required('clusterName');
        const checkPort = p.requiredInt('checkPort');
        const useInstancePort4Check = p.requiredBool('useInstancePort4Check');
        const healthChecker = parseHealthChecker(p.required('healthChecker'));
        await registry.updateCluster({
          namespaceId: p.namespaceId(),
          serviceName,
          clusterName,
          checkPort,
          useInstancePort4Check,
          healthChecker,
          metadata: parseMetadata(p.get('metadata')),
        });
        return OK;
      },
    },
    { method: 'PUT', path: `${NS}/health`, handler: healthUpdate },
    { method: 'PUT', path: `${NS}/health/instance`, handler: healthUpdate },
    { method: 'GET', path: `${NS}/health/checkers`, handler: () => json(defaultHealthCheckers()) },
    {
      method: 'ANY',
      path: `${NS}/health/server`,
      handler: () =>
        json({
          msg: `Hello! I am Nacos-Naming and healthy! total services: raft ${registry.serviceCount}, local port:${selfAddress.split(':').pop()}`,
        }),
    },
  ];
}
