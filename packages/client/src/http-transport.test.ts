import { TacosHttpError, TacosUnreachableError } from './errors';
import { HttpTransport } from './http-transport';
import { deadPort, startRecordingServer } from './testing/recording-server';

type Recording = Awaited<ReturnType<typeof startRecordingServer>>;

describe('HttpTransport', () => {
  let a: Recording;
  let b: Recording;
  let dead: number;

  beforeAll(async () => {
    a = await startRecordingServer();
    b = await startRecordingServer();
    dead = await deadPort();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    a.requests.length = 0;
    b.requests.length = 0;
    a.setHandler(() => ({ body: 'ok' }));
    b.setHandler(() => ({ body: 'ok' }));
  });

  it('sends query values as strings and leaves out undefined ones', async () => {
    const http = new HttpTransport({ servers: a.url });
    await http.request({ method: 'GET', path: '/nacos/x', query: { s: 'v', n: 3, t: true, u: undefined }, idempotent: true });
    expect(a.requests[0]!.query).toEqual({ s: 'v', n: '3', t: 'true' });
    expect(a.requests[0]!.headers['user-agent']).toMatch(/^Tacos-Client:v/);
  });

  it('leaves User-Agent to the browser when it runs in a page (browsers refuse a script\'s)', async () => {
    const scope = globalThis as { window?: unknown };
    scope.window = { document: {} };
    let http: HttpTransport;
    try {
      http = new HttpTransport({ servers: a.url, userAgent: 'Custom/1' });
    } finally {
      delete scope.window;
    }
    await http.request({ method: 'GET', path: '/nacos/x', idempotent: true });
    expect(a.requests[0]!.headers['user-agent'] ?? '').not.toMatch(/Tacos-Client|Custom\/1/);
  });

  it('sends form bodies url-encoded', async () => {
    const http = new HttpTransport({ servers: a.url });
    await http.request({ method: 'POST', path: '/nacos/x', form: { username: 'u', password: 'p w&' }, idempotent: false });
    expect(a.requests[0]!.form).toEqual({ username: 'u', password: 'p w&' });
    expect(a.requests[0]!.query).toEqual({});
  });

  it('sends the token as accessToken and bearer header, and keeps it out of error URLs', async () => {
    a.setHandler(() => ({ status: 403, body: 'token invalid!' }));
    const http = new HttpTransport({ servers: a.url, token: 'T0K' });
    const error = await http.request({ method: 'GET', path: '/nacos/x', query: { a: '1' }, idempotent: true }).catch((e) => e);
    expect(a.requests[0]!.query.accessToken).toBe('T0K');
    expect(a.requests[0]!.headers.authorization).toBe('Bearer T0K');
    expect(error).toBeInstanceOf(TacosHttpError);
    expect(error.url).toBe(`${a.url}/nacos/x?a=1`);
    expect(error.message).not.toContain('T0K');
  });

  it('fails over to the next server when a connection is refused, and then sticks to it', async () => {
    const http = new HttpTransport({ servers: [`127.0.0.1:${dead}`, a.url] });
    await http.request({ method: 'POST', path: '/nacos/x', idempotent: false });
    await http.request({ method: 'GET', path: '/nacos/y', idempotent: true });
    expect(a.requests.map((r) => r.path)).toEqual(['/nacos/x', '/nacos/y']);
  });

  it('turns a 4xx into TacosHttpError with status, body and url, without trying other servers', async () => {
    a.setHandler(() => ({ status: 400, body: "Param 'ip' is required." }));
    const http = new HttpTransport({ servers: [a.url, b.url] });
    const error = await http.request({ method: 'GET', path: '/nacos/z', idempotent: true }).catch((e) => e);
    expect(error).toBeInstanceOf(TacosHttpError);
    expect(error.status).toBe(400);
    expect(error.body).toBe("Param 'ip' is required.");
    expect(error.code).toBe('HTTP_ERROR');
    expect(b.requests).toHaveLength(0);
  });

  it('takes the message out of a JSON error page', async () => {
    a.setHandler(() => ({ status: 501, contentType: 'application/json', body: '{"status":501,"error":"Not Implemented","message":"no such api:GET:/nacos/q"}' }));
    const http = new HttpTransport({ servers: a.url });
    const error = await http.request({ method: 'GET', path: '/nacos/q', idempotent: true }).catch((e) => e);
    expect(error.body).toBe('no such api:GET:/nacos/q');
  });

  it('retries idempotent calls on 5xx but not creates', async () => {
    a.setHandler(() => ({ status: 503, body: 'server is DOWN now, please try again later!' }));
    const http = new HttpTransport({ servers: [a.url, b.url] });
    await http.request({ method: 'GET', path: '/nacos/r', idempotent: true });
    expect(b.requests).toHaveLength(1);

    const http2 = new HttpTransport({ servers: [a.url, b.url] });
    const error = await http2.request({ method: 'POST', path: '/nacos/c', idempotent: false }).catch((e) => e);
    expect(error).toBeInstanceOf(TacosHttpError);
    expect(error.status).toBe(503);
    expect(b.requests).toHaveLength(1);
  });

  it('reports the last 5xx when every server answered 5xx', async () => {
    a.setHandler(() => ({ status: 500, body: 'caused: boom;' }));
    b.setHandler(() => ({ status: 503, body: 'down' }));
    const http = new HttpTransport({ servers: [a.url, b.url] });
    const error = await http.request({ method: 'GET', path: '/nacos/r', idempotent: true }).catch((e) => e);
    expect(error).toBeInstanceOf(TacosHttpError);
    expect(error.status).toBe(503);
  });

  it('lists every address tried when no server can be reached', async () => {
    const other = await deadPort();
    const http = new HttpTransport({ servers: `127.0.0.1:${dead},127.0.0.1:${other}`, timeoutMs: 1000 });
    const error = await http.request({ method: 'GET', path: '/nacos/r', idempotent: true }).catch((e) => e);
    expect(error).toBeInstanceOf(TacosUnreachableError);
    expect(error.addresses).toEqual([`http://127.0.0.1:${dead}`, `http://127.0.0.1:${other}`]);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.code).toBe('UNREACHABLE');
  });

  it('gives up after the timeout and says so', async () => {
    a.setHandler(() => undefined); // never answers
    const http = new HttpTransport({ servers: a.url, timeoutMs: 200 });
    const error = await http.request({ method: 'GET', path: '/nacos/slow', idempotent: true }).catch((e) => e);
    expect(error).toBeInstanceOf(TacosUnreachableError);
    expect(error.attempts[0].reason).toBe('timeout after 200 ms');
  });
});
