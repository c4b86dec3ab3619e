import * as net from 'node:net';
import type { ProbeResult } from './probe-result';

/** Nacos' TCP connect timeout (TcpSuperSenseProcessor `CONNECT_TIMEOUT_MS`). */
export const TCP_CONNECT_TIMEOUT_MS = 500;

/** Options of {@link probeTcp}. */
export interface TcpProbeOptions {
  /** Give up after this many ms and report FAIL (default {@link TCP_CONNECT_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/**
 * Opens a TCP connection to `ip:port` and closes it at once. Connected → OK; connection refused →
 * FAIL_NOW (nothing listens, as Nacos treats it); timeout or any other error → FAIL. Always resolves,
 * never rejects, within `timeoutMs` (plus event-loop lag); the socket is destroyed in every case.
 */
export function probeTcp(ip: string, port: number, options: TcpProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? TCP_CONNECT_TIMEOUT_MS;
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let socket: net.Socket;
    try {
      socket = net.connect({ host: ip, port });
    } catch (err) {
      // A port outside 0..65535 throws synchronously: the cluster is misconfigured, a plain failure.
      resolve({ status: 'FAIL', rtMs: 0, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
      return;
    }
    const finish = (result: Omit<ProbeResult, 'rtMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      // A late 'error' after destroy must not become an uncaught exception.
      socket.on('error', () => {});
      socket.destroy();
      resolve({ ...result, rtMs: performance.now() - started });
    };
    const timer = setTimeout(() => finish({ status: 'FAIL', reason: 'timeout' }), timeoutMs);
    socket.once('connect', () => finish({ status: 'OK' }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') finish({ status: 'FAIL_NOW', reason: 'ECONNREFUSED' });
      else finish({ status: 'FAIL', reason: err.code ?? err.message });
    });
  });
}
