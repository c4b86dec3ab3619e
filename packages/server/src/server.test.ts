import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseServerArgs } from './cli';
import { type RunningServer, StartupError, startServer } from './server';

const quiet = pino({ level: 'silent' });

/** A gauge's value from the server's Prometheus page, read over a connection of its own. */
function metric(server: RunningServer, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(`${server.url}/nacos/actuator/prometheus`, { agent: false, headers: { connection: 'close' } }, (res) => {
      let page = '';
      res.on('data', (c: Buffer) => (page += c.toString()));
      res.on('end', () => {
        const line = page.split('\n').find((l) => l.startsWith(`${name} `));
        if (line) resolve(Number(line.split(' ')[1]));
        else reject(new Error(`${name} not on the metrics page`));
      });
    });
    req.on('error', reject);
  });
}

describe('startServer', () => {
  let dir: string;
  const running: RunningServer[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tacos-server-'));
  });

  afterEach(async () => {
    for (const s of running.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(port = 0): Promise<RunningServer> {
    const s = await startServer({ host: '127.0.0.1', port, dataDir: dir, logger: quiet });
    running.push(s);
    return s;
  }

  it('is ready once started and keeps persistent data across a restart', async () => {
    const first = await start();
    expect((await fetch(`${first.url}/nacos/v1/console/health/readiness`)).status).toBe(200);
    const ns = `${first.url}/nacos/v1/ns`;
    expect(await (await fetch(`${ns}/instance?serviceName=p&ip=1.1.1.1&port=1&ephemeral=false`, { method: 'POST' })).text()).toBe('ok');
    expect(await (await fetch(`${ns}/instance?serviceName=p&ip=1.1.1.2&port=1`, { method: 'POST' })).text()).toBe('ok');
    expect(await (await fetch(`${first.url}/nacos/v1/console/namespaces?customNamespaceId=dev&namespaceName=Dev`, { method: 'POST' })).text()).toBe('true');
    await first.close();
    await first.close();
    running.splice(0);

    // Another port, same data dir: the one-member group still elects itself.
    const second = await start();
    const body = (await (await fetch(`${second.url}/nacos/v1/ns/instance/list?serviceName=p`)).json()) as { hosts: Array<{ ip: string }> };
    expect(body.hosts.map((h) => h.ip)).toEqual(['1.1.1.1']);
    const namespaces = (await (await fetch(`${second.url}/nacos/v1/console/namespaces`)).json()) as { data: Array<{ namespace: string }> };
    expect(namespaces.data.map((n) => n.namespace)).toEqual(['', 'dev']);
  });

  it('answers beats on the hot front and the console after a hand-over, on one keep-alive connection', async () => {
    const server = await start();
    await fetch(`${server.url}/nacos/v1/ns/instance?serviceName=hot&ip=1.1.1.1&port=1`, { method: 'POST' });
    const socket = connect(server.port, '127.0.0.1');
    const answers = (count: number) =>
      new Promise<string[]>((resolve) => {
        let data = '';
        const onData = (c: Buffer) => {
          data += c.toString();
          const parts = data.split(/(?=HTTP\/1\.1 )/);
          if (parts.length === count && /\r\n\r\n[\s\S]+$/.test(parts[count - 1]!)) {
            socket.off('data', onData);
            resolve(parts);
          }
        };
        socket.on('data', onData);
      });
    const beat = `PUT /nacos/v1/ns/instance/beat?serviceName=hot&beat=${encodeURIComponent('{"ip":"1.1.1.1","port":1}')} HTTP/1.1\r\nHost: t\r\n\r\n`;
    // Each metrics read is a connection of its own with Connection: close, so it is handed over too.
    socket.write(beat);
    expect((await answers(1))[0]).toContain('"code":10200');
    const first = await metric(server, 'tacos_http_hot_front_handed_over');
    socket.write(beat);
    expect((await answers(1))[0]).toContain('"code":10200');
    expect(await metric(server, 'tacos_http_hot_front_handed_over')).toBe(first + 1);
    socket.write('GET /nacos/v1/console/health/liveness HTTP/1.1\r\nHost: t\r\n\r\n');
    expect((await answers(1))[0]).toMatch(/^HTTP\/1\.1 200 /);
    socket.write(beat);
    expect((await answers(1))[0]).toContain('"code":10200');
    expect(await metric(server, 'tacos_http_hot_front_handed_over')).toBe(first + 3);
    socket.destroy();
  });

  it('leaves every request to node with hotFront false: no front is installed', async () => {
    const server = await startServer({ host: '127.0.0.1', port: 0, dataDir: dir, logger: quiet, hotFront: false });
    running.push(server);
    expect((await fetch(`${server.url}/nacos/v1/ns/instance/list?serviceName=none`)).status).toBe(200);
    await expect(metric(server, 'tacos_http_hot_front_handed_over')).rejects.toThrow('not on the metrics page');
  });

  it('refuses a port in use with a clear message', async () => {
    const first = await start();
    const otherDir = mkdtempSync(join(tmpdir(), 'tacos-server-'));
    try {
      const failure = startServer({ host: '127.0.0.1', port: first.port, dataDir: otherDir, logger: quiet });
      await expect(failure).rejects.toBeInstanceOf(StartupError);
      await expect(failure).rejects.toThrow(`port ${first.port} on 127.0.0.1 is already in use; stop the other process or pick another with --port`);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('refuses an unusable data dir with a clear message', async () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    await expect(startServer({ port: 0, dataDir: join(file, 'sub'), logger: quiet })).rejects.toThrow(
      /^data directory .*file\/sub is not writable \(ENOTDIR\); choose another with --data-dir$/,
    );
  });
});

describe('parseServerArgs', () => {
  it('uses defaults', () => {
    const s = parseServerArgs([], {});
    expect(s).toMatchObject({ host: '127.0.0.1', port: 8848, members: [] });
    expect(s?.dataDir).toMatch(/\.tacos$/);
  });

  it('lets flags win over env', () => {
    const env = { TACOS_HOST: '0.0.0.0', TACOS_PORT: '9000', TACOS_DATA_DIR: '/tmp/env' };
    expect(parseServerArgs([], env)).toMatchObject({ host: '0.0.0.0', port: 9000, dataDir: '/tmp/env' });
    expect(parseServerArgs(['--port', '9100', '--data-dir=/tmp/flag'], env)).toMatchObject({ host: '0.0.0.0', port: 9100, dataDir: '/tmp/flag' });
  });

  it('reads a JSON config file below env and flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tacos-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ port: 9200, host: '127.0.0.2', members: '127.0.0.2:9200' }));
    expect(parseServerArgs(['--config', file], { TACOS_HOST: '127.0.0.3' })).toMatchObject({
      host: '127.0.0.3',
      port: 9200,
      members: ['127.0.0.2:9200'],
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad flags', () => {
    expect(() => parseServerArgs(['--nope', 'x'], {})).toThrow('unknown option --nope');
    expect(() => parseServerArgs(['--port', 'abc'], {})).toThrow('port must be an integer');
    expect(() => parseServerArgs(['--port'], {})).toThrow('option --port needs a value');
    expect(() => parseServerArgs(['stray'], {})).toThrow('unexpected argument "stray"');
    expect(() => parseServerArgs(['--hot-front', 'maybe'], {})).toThrow('hot-front must be true or false, got "maybe"');
  });
});
