/** A stop flag raised by SIGINT/SIGTERM, for long-running commands (watch, beat, cluster up). */
export interface StopSignal {
  /** True once a signal arrived. */
  readonly stopped: boolean;
  /** Resolves when a signal arrives. */
  readonly promise: Promise<void>;
  /** Sleeps `ms`; resolves true early if a signal arrived (then the caller should stop). */
  sleep(ms: number): Promise<boolean>;
  /** Removes the signal handlers (default Ctrl-C behaviour comes back). */
  dispose(): void;
}

/**
 * Installs SIGINT and SIGTERM handlers that raise a {@link StopSignal} instead of killing the process,
 * so a command can clean up (stop children, close streams) and exit 0. Call `dispose` when done.
 */
export function untilSignal(): StopSignal {
  let stopped = false;
  let resolveStop: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    resolveStop = resolve;
  });
  const onSignal = () => {
    stopped = true;
    resolveStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get stopped() {
      return stopped;
    },
    promise,
    sleep: (ms: number) =>
      new Promise<boolean>((resolve) => {
        if (stopped) {
          resolve(true);
          return;
        }
        const timer = setTimeout(() => resolve(false), ms);
        void promise.then(() => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
