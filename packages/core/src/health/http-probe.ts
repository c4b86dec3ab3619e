import * as http from 'node:http';
import type { ProbeResult } from './probe-result';

/** Default overall time limit of one HTTP check (connect + status line). */
export const HTTP_TIMEOUT_MS = 2000;

/** Options of {@link probeHttp}. */
export interface HttpProbeOptions {
  /** Request path (Nacos `path`); blank means `/`, a missing leading slash is added. */
  path?: string;
  /** Extra headers in Nacos' `k:v|k2:v2` form. */
  headers?: string;
  /**
   * The status that counts as OK (Nacos ignores it and wants 200; Tacos honours it). Default 200.
   */
  expectedResponseCode?: number;
  /** Give up after this many ms and report FAIL (default {@link HTTP_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/**
 * Parses Nacos' header string `k:v|k2:v2` (split at the first colon of each part; blank parts and
 * parts without a colon or name are skipped, values trimmed).
 */
export function parseCheckHeaders(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split('|')) {
    const i = part.indexOf(':');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (name === '') continue;
    out[name] = part.slice(i + 1).trim();
  }
  return out;
}

/**
 * Maps an HTTP status to a probe status: the expected code → OK; 503 and 302 → FAIL; anything else
 * → FAIL_NOW (HttpHealthCheckProcessor's table, with the expected code in place of 200).
 */
export function classifyHttpStatus(status: number, expectedResponseCode = 200): ProbeResult['status'] {
  if (status === expectedResponseCode) return 'OK';
  if (status === 503 || status === 302) return 'FAIL';
  return 'FAIL_NOW';
}

/**
 * Sends `GET http://ip:port<path>` with the given headers and no connection reuse, then classifies
 * the status with {@link classifyHttpStatus} as soon as the status line arrives (the body is not
 * read). Timeout, connection errors and refused connections report FAIL (Nacos treats I/O errors of
 * an HTTP check as plain failures). Always resolves, never rejects; the socket is destroyed.
 */
export function probeHttp(ip: string, port: number, options: HttpProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS;
  const rawPath = options.path ?? '';
  const path = rawPath === '' ? '/' : rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const headers = { 'User-Agent': 'Tacos-Health-Checker', ...parseCheckHeaders(options.headers ?? ''), Connection: 'close' };
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<ProbeResult, 'rtMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.removeAllListeners();
      req.on('error', () => {});
      req.destroy();
      resolve({ ...result, rtMs: performance.now() - started });
    };
    let req: http.ClientRequest;
    try {
      req = http.request({ host: ip, port, path, method: 'GET', headers, agent: false });
    } catch (err) {
      // Invalid header names or paths throw synchronously; that is the cluster's misconfiguration.
      resolve({ status: 'FAIL', rtMs: 0, reason: (err as Error).message });
      return;
    }
    const timer = setTimeout(() => finish({ status: 'FAIL', reason: 'timeout' }), timeoutMs);
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      const verdict = classifyHttpStatus(status, options.expectedResponseCode ?? 200);
      finish(verdict === 'OK' ? { status: verdict } : { status: verdict, reason: `HTTP ${status}` });
    });
    req.once('error', (err: NodeJS.ErrnoException) => finish({ status: 'FAIL', reason: err.code ?? err.message }));
    req.end();
  });
}
