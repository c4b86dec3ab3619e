import { existsSync, readFileSync, statSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** A running {@link startConsoleServer}. */
export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the built console (`distDir`) under `/nacos/` and forwards `/nacos/v1/*` unchanged (streaming,
 * so SSE passes through) to a real Tacos server: the same layout the Tacos server gives the console
 * once it serves it itself. Listens on 127.0.0.1, a free port.
 */
export function startConsoleServer(distDir: string, tacosUrl: string): Promise<ConsoleServer> {
  const target = new URL(tacosUrl);
  const root = normalize(distDir) + sep;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/nacos/v1/') || path.startsWith('/nacos/actuator/')) {
      const upstream = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy error: ${error.message}`);
      });
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
      return;
    }
    if (path === '/nacos' || path === '/') {
      res.writeHead(302, { location: '/nacos/' });
      res.end();
      return;
    }
    if (!path.startsWith('/nacos/')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    let file = normalize(join(root, decodeURIComponent(path.slice('/nacos/'.length))));
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
