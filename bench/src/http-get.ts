import { request } from 'node:http';

/** GETs a loopback URL and resolves with the body if the status is 2xx; rejects otherwise. Bounded by `timeoutMs`. */
export function getText(url: string, timeoutMs = 2_000, method = 'GET'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(body);
        else reject(new Error(`${method} ${url}: ${status} ${body.slice(0, 200)}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}
