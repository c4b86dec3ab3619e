import { useCallback, useEffect, useRef, useState } from 'react';

/** State of a {@link useLoad} call. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (keeps showing the old data meanwhile). Resolves when done. */
  reload: () => Promise<void>;
}

/**
 * Runs `load` when `key` changes (and on `reload()`), aborting the previous run, and keeps the last data
 * while a new run is in flight so tables do not flash. Only the newest run may set state.
 */
export function useLoad<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const current = useRef<AbortController | undefined>(undefined);

  const run = useCallback(async () => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setLoading(true);
    try {
      const value = await loadRef.current(controller.signal);
      if (current.current !== controller) return;
      setData(value);
      setError(undefined);
    } catch (failure) {
      if (current.current !== controller || controller.signal.aborted) return;
      setError(failure);
    } finally {
      if (current.current === controller) setLoading(false);
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is the trigger by design; the loader is read through a ref
  useEffect(() => {
    void run();
    return () => current.current?.abort();
  }, [key, run]);

  return { data, error, loading, reload: run };
}
