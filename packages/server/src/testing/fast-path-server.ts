import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFastPath } from '../fast-path';
import { createTestApp, type TestApp } from './test-app';

/** A real HTTP server that tries the fast path first and hands everything else to the express app. */
export interface FastPathServer {
  t: TestApp;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Requests the fast path answered so far. */
  fastHits(): number;
  stop(): Promise<void>;
}

export async function startFastPathServer(): Promise<FastPathServer> {
  const t = await createTestApp();
  const fast = createFastPath({ registry: t.registry });
  let hits = 0;
  const server = createServer((req, res) => {
    if (fast(req, res)) hits++;
    else t.app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    t,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fastHits: () => hits,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.stop();
    },
  };
}
