import { freePort } from '@tacos/testkit';
import { formatRequest, HttpConnection } from './http-client';
import { getText } from './http-get';
import type { Op } from './loop';
import { type ProcessGroup, waitReady } from './procs';

/**
 * A trivial `node:http` server (one route answering "ok"), the ceiling any Node HTTP server can
 * reach on the server core: it tells how far the load generator can push, and what Tacos's hot
 * paths could reach at best. Written inline so that it depends on nothing.
 */
const SERVER_SOURCE = `
const http = require('node:http');
const port = Number(process.argv[1]);
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 }); res.end('ok'); });
}).listen(port, '127.0.0.1');
`;

/** A running baseline server and a factory for closed-loop connections to it. */
export interface Baseline {
  endpoint: string;
  /** Opens `connections` keep-alive connections; the op GETs the trivial route. */
  open(connections: number): { op: Op; close(): void };
  stop(): Promise<void>;
}

/** Starts the baseline server pinned to `cpu`; resolves once it answers. */
export async function startBaseline(group: ProcessGroup, cpu: string): Promise<Baseline> {
  const port = await freePort();
  const proc = group.spawn('node:http baseline', process.execPath, ['-e', SERVER_SOURCE, String(port)], { cpu });
  const endpoint = `127.0.0.1:${port}`;
  try {
    await waitReady(proc, async () => (await getText(`http://${endpoint}/`)) === 'ok', {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'the node:http baseline server',
    });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  const request = formatRequest('GET', '/hello', endpoint);
  return {
    endpoint,
    open: (connections) => {
      const conns = Array.from({ length: connections }, () => new HttpConnection('127.0.0.1', port));
      return {
        op: async (c) => {
          const res = await conns[c]!.send(request);
          if (res.status !== 200) throw new Error(`baseline: ${res.status}`);
        },
        close: () => {
          for (const conn of conns) conn.close();
        },
      };
    },
    stop: () => proc.stop(),
  };
}
