import type { NamingRegistry, Subscriber } from '@tacos/core';
import type { ClusterMember } from './cluster/member-health';
import type { ForwardRequest, ForwardResult } from './cluster/forwarder';
import { type HandlerRequest, json } from './handler';
import { Params } from './params';
import type { RouteDef } from './routes/route';
import { NS } from './routes/route';

/** Credentials a member passes on when it asks its peers, so their auth sees the same caller. */
const CREDENTIAL_PARAMS = ['accessToken', 'username', 'password'] as const;

/** What the aggregating route needs of the cluster. */
export interface SubscriberAggregationDeps {
  self: string;
  registry: NamingRegistry;
  /** The members as membership sees them (self included). */
  members(): ClusterMember[];
  forward(target: string, req: ForwardRequest): Promise<ForwardResult>;
}

/**
 * `GET /nacos/v1/ns/service/subscribers` in a cluster. Each member knows only the clients that poll it,
 * so, as Nacos does by default (`aggregation=true`), the member asked collects the subscribers of every
 * live peer (asking them with `aggregation=false`, which answers locally), merges, sorts and pages.
 * A peer that does not answer is left out rather than failing the whole answer.
 */
export function aggregatedSubscribersRoute(deps: SubscriberAggregationDeps): RouteDef {
  return {
    method: 'GET',
    path: `${NS}/service/subscribers`,
    handler: async (req: HandlerRequest) => {
      const p = new Params(req);
      const pageNo = p.requiredInt('pageNo');
      const pageSize = p.requiredInt('pageSize');
      const namespaceId = p.namespaceId();
      const serviceName = p.groupedServiceName();
      const all: Subscriber[] = deps.registry.listSubscribers(namespaceId, serviceName, 1, Number.MAX_SAFE_INTEGER).subscribers;
      if (p.bool('aggregation', true)) {
        const query = new URLSearchParams({ serviceName, namespaceId, pageNo: '1', pageSize: String(2 ** 31 - 1), aggregation: 'false' });
        for (const name of CREDENTIAL_PARAMS) {
          const value = req.param(name);
          if (value !== undefined) query.set(name, value);
        }
        const authorization = req.header('authorization');
        const peers = deps.members().filter((m) => m.address !== deps.self && m.state !== 'DOWN');
        const answers = await Promise.all(
          peers.map((m) =>
            deps
              .forward(m.address, {
                method: 'GET',
                url: `${NS}/service/subscribers?${query}`,
                headers: authorization ? { authorization } : {},
              })
              .catch(() => undefined),
          ),
        );
        for (const answer of answers) {
          if (answer?.status !== 200) continue;
          try {
            all.push(...(JSON.parse(answer.body) as { subscribers: Subscriber[] }).subscribers);
          } catch {
            // A malformed answer is as good as none.
          }
        }
      }
      const unique = new Map<string, Subscriber>();
      for (const s of all) unique.set(`${s.addrStr}|${s.namespaceId}|${s.serviceName}|${s.cluster}`, s);
      const sorted = [...unique.values()].sort((a, b) => (a.addrStr < b.addrStr ? -1 : a.addrStr > b.addrStr ? 1 : 0));
      const from = (Math.max(pageNo, 1) - 1) * pageSize;
      return json({ subscribers: sorted.slice(from, from + Math.max(pageSize, 0)), count: sorted.length });
    },
  };
}
