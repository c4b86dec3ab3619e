// Shared helpers for the end-to-end suites: one real server per test file, a silent logger for
// nacos-naming that keeps what it was told, and small HTTP helpers that send parameters the way Nacos
// clients do (query string, no body).
import { type StartTacosOptions, type TacosProcess, removeDir, startTacos } from '@tacos/testkit';

/**
 * Starts a real server before the file's tests and stops it (and removes its data dir) after them.
 * Returns a getter, since the process exists only once `beforeAll` has run.
 */
export function useTacosServer(options: StartTacosOptions = {}): () => TacosProcess {
  let server: TacosProcess | undefined;
  beforeAll(async () => {
    server = await startTacos(options);
  });
  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });
  return () => {
    if (!server) throw new Error('the Tacos server is not started yet (use it inside a test)');
    return server;
  };
}

/** A logger for nacos-naming that records lines instead of printing them. */
export function recordingLogger() {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) => {
      lines.push(`${level} ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}`);
    };
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

/** Response of {@link call}: status, raw text and the parsed JSON when the body is JSON. */
export interface CallResult {
  status: number;
  text: string;
  json: unknown;
}

/** Sends `method path?params` with every parameter in the query string, like nacos-naming does. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  params: Record<string, string | number | boolean> = {},
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<CallResult> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) query.set(key, String(value));
  const qs = query.toString();
  const response = await fetch(`${baseUrl}${path}${qs ? `?${qs}` : ''}`, {
    method,
    headers: init.headers,
    body: init.body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** Unique service names per test run, so suites never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
