import { useCallback, useEffect, useMemo, useState } from 'react';
import { getServerState, listNamespaces } from './api/console-api';
import { isAuthError, notifyAuthRequired, setAuthRequiredHandler } from './api/http';
import type { Namespace } from '@tacos/client';
import { AppContext, type AppState } from './app-context';
import { ErrorMessage } from './components/ErrorMessage';
import { type Route, buildHash, parseHash } from './lib/router';
import { clearToken, readToken } from './lib/token-store';
import { PermissionsPage, RolesPage, UsersPage } from './pages/AuthPages';
import { ClusterPage } from './pages/ClusterPage';
import { LoginPage } from './pages/LoginPage';
import { NamespacesPage } from './pages/NamespacesPage';
import { ServiceDetailPage } from './pages/ServiceDetailPage';
import { ServicesPage } from './pages/ServicesPage';
import { SubscribersPage } from './pages/SubscribersPage';

const NS_KEY = 'tacos.console.namespace';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** `auth_enabled` may come as a boolean or a string. */
function authFlag(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * The console shell: finds out whether auth is on (`/v1/console/server/state`, or a 401/403), shows the
 * login page when a token is needed, and otherwise the header (navigation, namespace switcher, user) and
 * the page of the current hash route.
 */
export function App() {
  const route = useRoute();
  const [authEnabled, setAuthEnabled] = useState(false);
  const [needLogin, setNeedLogin] = useState<string | undefined>(undefined);
  const [token, setTokenState] = useState(() => readToken());
  const [booted, setBooted] = useState(false);
  const [bootError, setBootError] = useState<unknown>(undefined);
  const [namespaces, setNamespaces] = useState<Namespace[]>([]);
  const [namespaceId, setNamespaceIdState] = useState(() => sessionStorage.getItem(NS_KEY) ?? '');
  const [toast, setToast] = useState<string | undefined>(undefined);

  useEffect(() => {
    setAuthRequiredHandler((reason) => {
      setTokenState(undefined);
      setAuthEnabled(true);
      setNeedLogin(reason || 'Please log in.');
    });
    return () => setAuthRequiredHandler(undefined);
  }, []);

  useEffect(() => {
    let cancelled = false;
    getServerState()
      .then((state) => {
        if (cancelled) return;
        const enabled = authFlag(state.auth_enabled);
        setAuthEnabled(enabled);
        if (enabled && !readToken()) setNeedLogin('');
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        if (isAuthError(error)) setNeedLogin('');
        else setBootError(error);
      })
      .finally(() => {
        if (!cancelled) setBooted(true);
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const reloadNamespaces = useCallback(async () => {
    try {
      setNamespaces(await listNamespaces());
    } catch {
      // the namespace page shows the error; the switcher keeps public
    }
  }, []);

  const loggedIn = needLogin === undefined;
  // Namespaces may be created elsewhere (CLI, another tab): refresh the switcher on every page change.
  useEffect(() => {
    if (booted && loggedIn && route.path !== '') void reloadNamespaces();
  }, [booted, loggedIn, reloadNamespaces, route.path]);

  // A token that expires while the page is open sends the tab to the login page at that moment,
  // instead of at the next failing call.
  useEffect(() => {
    if (!token || token.expiresAt <= 0) return;
    const timer = window.setTimeout(() => notifyAuthRequired('Your session expired. Please log in again.'), Math.max(0, Math.min(token.expiresAt - Date.now(), 2 ** 31 - 1)));
    return () => window.clearTimeout(timer);
  }, [token]);

  useEffect(() => {
    if (!toast) return;
    const timer = window.setTimeout(() => setToast(undefined), 3000);
    return () => window.clearTimeout(timer);
  }, [toast]);

  const state: AppState = useMemo(
    () => ({
      namespaceId,
      setNamespaceId: (id: string) => {
        sessionStorage.setItem(NS_KEY, id);
        setNamespaceIdState(id);
      },
      namespaces,
      reloadNamespaces,
      authEnabled,
      username: token?.username,
      globalAdmin: token?.globalAdmin ?? false,
      notify: setToast,
    }),
    [namespaceId, namespaces, reloadNamespaces, authEnabled, token],
  );

  if (!booted) return <div className="boot muted">Loading…</div>;

  if (!loggedIn) {
    return (
      <LoginPage
        reason={needLogin}
        onLoggedIn={(stored) => {
          setTokenState(stored);
          setAuthEnabled(true);
          setNeedLogin(undefined);
        }}
      />
    );
  }

  const logout = () => {
    clearToken();
    setTokenState(undefined);
    setNeedLogin('You have logged out.');
  };

  const nav: Array<[string, string]> = [
    ['/services', 'Services'],
    ['/namespaces', 'Namespaces'],
    ['/cluster', 'Cluster'],
  ];
  if (authEnabled) nav.push(['/users', 'Users'], ['/roles', 'Roles'], ['/permissions', 'Permissions']);
  const section = `/${route.path.split('/')[1] ?? ''}`;

  return (
    <AppContext.Provider value={state}>
      <header className="top">
        <a className="brand" href={buildHash('/services')}>
          Tacos
        </a>
        <nav>
          {nav.map(([path, label]) => (
            <a key={path} href={buildHash(path)} className={section === path ? 'active' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div className="top-right">
          <label className="ns-switch">
            <span>Namespace</span>
            <select value={namespaceId} onChange={(event) => state.setNamespaceId(event.target.value)} aria-label="Namespace">
              {namespaces.length === 0 && <option value="">public</option>}
              {namespaces.map((ns) => (
                <option key={ns.namespace || 'public'} value={ns.namespace === 'public' ? '' : ns.namespace}>
                  {ns.namespaceShowName || ns.namespace || 'public'}
                </option>
              ))}
            </select>
          </label>
          {authEnabled && token && (
            <span className="user">
              {token.username}
              <button type="button" className="link" onClick={logout}>
                Log out
              </button>
            </span>
          )}
        </div>
      </header>
      <main>
        {bootError !== undefined && <ErrorMessage error={bootError} />}
        <Page route={route} />
      </main>
      {toast && (
        <output className="toast" aria-live="polite">
          {toast}
        </output>
      )}
    </AppContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  const { path, params } = route;
  switch (path) {
    case '/services':
      return <ServicesPage />;
    case '/services/detail':
      return <ServiceDetailPage serviceName={params.name ?? ''} groupName={params.group || 'DEFAULT_GROUP'} />;
    case '/services/subscribers':
      return <SubscribersPage serviceName={params.name ?? ''} groupName={params.group || 'DEFAULT_GROUP'} />;
    case '/namespaces':
      return <NamespacesPage />;
    case '/cluster':
      return <ClusterPage />;
    case '/users':
      return <UsersPage />;
    case '/roles':
      return <RolesPage />;
    case '/permissions':
      return <PermissionsPage />;
    default:
      return (
        <div className="empty">
          <strong>No page at {path}</strong>
          <a href={buildHash('/services')}>Go to services</a>
        </div>
      );
  }
}
