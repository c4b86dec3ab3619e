import { createContext, useContext } from 'react';
import type { Namespace } from '@tacos/client';

/** What every page may read: the namespace in use, the namespaces, and the login. */
export interface AppState {
  namespaceId: string;
  setNamespaceId: (id: string) => void;
  namespaces: Namespace[];
  reloadNamespaces: () => Promise<void>;
  authEnabled: boolean;
  username: string | undefined;
  globalAdmin: boolean;
  /** Shows a short message at the top right. */
  notify: (text: string) => void;
}

export const AppContext = createContext<AppState | undefined>(undefined);

/** The app state; throws outside the provider (a programming error). */
export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside AppContext');
  return state;
}

/** Navigates to a hash route. */
export function go(hash: string): void {
  window.location.hash = hash;
}
