import type { ServerDeps } from '../deps';
import { TACOS_VERSION } from '../deps';
import { json, rawJson, text } from '../handler';
import { Params } from '../params';
import type { RouteDef } from './route';

const CONSOLE = '/nacos/v1/console';

/** Console endpoints: namespaces CRUD (§2.9), liveness/readiness (§10), server state. */
export function consoleRoutes(deps: ServerDeps): RouteDef[] {
  const registry = deps.registry;
  return [
    { method: 'GET', path: `${CONSOLE}/health/liveness`, handler: () => text('OK') },
    {
      method: 'GET',
      path: `${CONSOLE}/health/readiness`,
      handler: () => ((deps.readiness ?? (() => registry.isReady()))() ? text('OK') : text('Naming is not in readiness', 500)),
    },
    {
      method: 'GET',
      path: `${CONSOLE}/server/state`,
      handler: () =>
        rawJson(
          JSON.stringify({
            version: deps.version ?? TACOS_VERSION,
            standalone_mode: deps.mode ?? 'standalone',
            function_mode: 'naming',
            auth_enabled: deps.authLayer !== undefined,
          }),
        ),
    },
    {
      method: 'GET',
      path: `${CONSOLE}/namespaces`,
      handler: (req) => {
        const p = new Params(req);
        if (p.bool('checkNamespaceIdExist', false)) {
          return rawJson(String(registry.namespaceExists(p.optional('customNamespaceId', ''))));
        }
        if (p.get('show') === 'all') return json(registry.getNamespace(p.optional('namespaceId', '')));
        return rawJson(JSON.stringify({ code: 200, message: null, data: registry.listNamespaces() }));
      },
    },
    {
      method: 'POST',
      path: `${CONSOLE}/namespaces`,
      handler: async (req) => {
        const p = new Params(req);
        await registry.createNamespace(
          p.optional('customNamespaceId', ''),
          p.required('namespaceName'),
          p.optional('namespaceDesc', ''),
        );
        return rawJson('true');
      },
    },
    {
      method: 'PUT',
      path: `${CONSOLE}/namespaces`,
      handler: async (req) => {
        const p = new Params(req);
        await registry.updateNamespace(
          p.required('namespace'),
          p.required('namespaceShowName'),
          p.optional('namespaceDesc', ''),
        );
        return rawJson('true');
      },
    },
    {
      method: 'DELETE',
      path: `${CONSOLE}/namespaces`,
      handler: async (req) => {
        await registry.deleteNamespace(new Params(req).required('namespaceId'));
        return rawJson('true');
      },
    },
  ];
}
