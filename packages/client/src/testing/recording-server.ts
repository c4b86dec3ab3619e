import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the recording server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed form body (urlencoded), or {} */
  form: Record<string, string>;
  rawBody: string;
  headers: IncomingMessage['headers'];
}

/** What a route answers: status, body and optional content type. */
export interface CannedResponse {
  status?: number;
  body?: string;
  contentType?: string;
}

/** Decides the answer for a request; may write the response itself (return undefined then). */
export type Handler = (req: RecordedRequest, res: ServerResponse) => CannedResponse | undefined;

/**
 * A real HTTP server on 127.0.0.1 (free port) for the client's transport tests: it records every
 * request and answers with `handler` (default: 200 `ok`). Used where the behaviour under test is the
 * client's own (wire params, failover, error mapping), independent of the Tacos server.
 */
export async function startRecordingServer(handler?: Handler): Promise<{
  url: string;
  port: number;
  requests: RecordedRequest[];
  setHandler(next: Handler): void;
  close(): Promise<void>;
}> {
  const requests: RecordedRequest[] = [];
  let current: Handler = handler ?? (() => ({ body: 'ok' }));
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const type = req.headers['content-type'] ?? '';
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        form: type.includes('x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(body)) : {},
        rawBody: body,
        headers: req.headers,
      };
      requests.push(recorded);
      const answer = current(recorded, res);
      if (!answer) return;
      res.writeHead(answer.status ?? 200, { 'Content-Type': answer.contentType ?? 'text/plain; charset=utf-8' });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setHandler: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening (bound then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
