// The binary without a server: help, version, usage errors (exit 2), unreachable servers (exit 3),
// completion scripts and colour rules.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@tacos/testkit';
import { cleanEnv, runCli } from './helpers';

describe('tacos without a server', () => {
  it('prints help with every command group and the exit codes, exit 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const word of ['server', 'cluster', 'service', 'instance', 'watch', 'namespace', 'login', 'user', 'role', 'permission', 'completion']) {
      expect(run.stdout).toContain(`  ${word}`);
    }
    expect(run.stdout).toContain('Exit codes: 0 ok, 1 the server said no, 2 usage error, 3 cannot reach the server.');
    expect(run.stdout).toMatchSnapshot();
  });

  it('prints the help of nested commands', async () => {
    const run = await runCli(['instance', 'register', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--persistent');
    expect(run.stdout).toContain('--metadata <k=v,...>');
    expect(run.stdout).toMatchSnapshot();
  });

  it('prints the version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    [['instance', 'list'], "required option '--service <name>' not specified"],
    [['instance', 'register', '--service', 's', '--ip', '1.2.3.4', '--port', 'http'], '"http" is not a whole number.'],
    [['instance', 'register', '--service', 's', '--ip', '1.2.3.4', '--port', '70000'], 'out of range'],
    [['instance', 'register', '--service', 's', '--ip', '1.2.3.4'], 'missing --port'],
    [['instance', 'register', '--service', 's', '--ip', '1.2.3.4', '--port', '1', '--metadata', 'oops'], 'bad --metadata entry'],
    [['instance', 'update', '--service', 's', '--ip', '1.2.3.4', '--port', '1'], 'nothing to update'],
    [['--output', 'xml', 'service', 'list'], "argument 'xml' is invalid"],
    [['servce', 'list'], "unknown command 'servce'"],
    [['service'], 'Usage: tacos service'],
    [['completion', 'fish'], 'unsupported shell "fish"'],
    [['--server', 'ftp://x', 'service', 'list'], 'only http and https'],
    [['permission', 'add', 'r', 'dev', 'x'], 'bad action "x"'],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('suggests the closest command on a typo', async () => {
    const run = await runCli(['servce', 'list']);
    expect(run.stderr).toContain('(Did you mean service?)');
  });

  it('exits 3 and lists every address tried when no server answers', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const run = await runCli(['--server', `127.0.0.1:${a},127.0.0.1:${b}`, 'service', 'list']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`http://127.0.0.1:${a}: ECONNREFUSED`);
    expect(run.stderr).toContain(`http://127.0.0.1:${b}: ECONNREFUSED`);
    expect(run.stderr).toContain('hint: is the server running?');
    expect(run.stdout).toBe('');
  });

  it('reads the server list from TACOS_SERVER, and --server wins over it', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const fromEnv = await runCli(['instance', 'list', '--service', 's'], { env: cleanEnv({ TACOS_SERVER: `127.0.0.1:${a}` }) });
    expect(fromEnv.code).toBe(3);
    expect(fromEnv.stderr).toContain(`127.0.0.1:${a}`);
    const flag = await runCli(['--server', `127.0.0.1:${b}`, 'instance', 'list', '--service', 's'], {
      env: cleanEnv({ TACOS_SERVER: `127.0.0.1:${a}` }),
    });
    expect(flag.stderr).toContain(`127.0.0.1:${b}`);
    expect(flag.stderr).not.toContain(`127.0.0.1:${a}`);
  });

  it('prints a bash completion script that bash accepts and that completes subcommands', async () => {
    const run = await runCli(['completion', 'bash']);
    expect(run.code).toBe(0);
    const file = join(tmpdir(), `tacos-completion-${process.pid}.bash`);
    writeFileSync(file, run.stdout);
    const script = `source ${file}; COMP_WORDS=(tacos instance re); COMP_CWORD=2; _tacos; echo "\${COMPREPLY[*]}"`;
    expect(execFileSync('bash', ['-c', script], { encoding: 'utf8' }).trim()).toBe('register');
    const flags = `source ${file}; COMP_WORDS=(tacos instance list --he); COMP_CWORD=3; _tacos; echo "\${COMPREPLY[*]}"`;
    expect(execFileSync('bash', ['-c', flags], { encoding: 'utf8' }).trim()).toBe('--healthy-only');
  });

  it('prints a zsh completion script', async () => {
    const run = await runCli(['completion', 'zsh']);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('#compdef tacos\n')).toBe(true);
    expect(run.stdout).toContain('complete -F _tacos tacos');
  });

  it('writes plain errors without colour codes when stderr is not a terminal', async () => {
    const port = await freePort();
    const plain = await runCli(['--server', `127.0.0.1:${port}`, 'service', 'list']);
    expect(plain.stderr).not.toContain('\u001b[');
    expect(plain.stderr.startsWith('error: ')).toBe(true);
  });

  it('runs through the installed wrapper bin/tacos.js', () => {
    const wrapper = resolve(__dirname, '..', 'bin', 'tacos.js');
    const text = execFileSync(process.execPath, [wrapper, '--version'], { encoding: 'utf8', env: cleanEnv() });
    expect(text.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('logout without a stored token says so and exits 0', async () => {
    const run = await runCli(['logout']);
    expect(run).toMatchObject({ code: 0, stdout: 'no stored token for these servers\n' });
  });

  it('sends the stored token (or TACOS_TOKEN) as accessToken', async () => {
    // A loopback HTTP server that records the token of each request; the real server has no auth yet.
    const seen: Array<string | null> = [];
    const http = createServer((req, res) => {
      seen.push(new URL(req.url ?? '/', 'http://x').searchParams.get('accessToken'));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"name":"s","clusters":"","cacheMillis":3000,"hosts":[]}');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      const env = cleanEnv({ TACOS_SERVER: url });
      mkdirSync(join(env.XDG_CONFIG_HOME!, 'tacos'), { recursive: true });
      writeFileSync(
        join(env.XDG_CONFIG_HOME!, 'tacos', 'credentials.json'),
        JSON.stringify({ tokens: { [url]: { accessToken: 'stored-jwt', username: 'u', expiresAt: Date.now() + 60_000 } } }),
      );
      expect((await runCli(['instance', 'list', '--service', 's'], { env })).code).toBe(0);
      expect((await runCli(['instance', 'list', '--service', 's'], { env: { ...env, TACOS_TOKEN: 'env-jwt' } })).code).toBe(0);
      expect((await runCli(['instance', 'list', '--service', 's'], { env: cleanEnv({ TACOS_SERVER: url }) })).code).toBe(0);
      expect(seen).toEqual(['stored-jwt', 'env-jwt', null]);
    } finally {
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  it('hands `bench` arguments to the benchmark runner of the checkout (or says it is not built)', async () => {
    const runner = resolve(__dirname, '..', '..', '..', 'bench', 'dist', 'run.js');
    const run = await runCli(['bench', '--help']);
    if (existsSync(runner)) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage: npm run bench');
    } else {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`error: the benchmark runner ${runner} is missing`);
    }
  });

  it('prints each list a watch stream sends (SSE), until --count', async () => {
    // A loopback SSE endpoint in the shape DESIGN.md gives (the real server does not stream yet).
    const http = createServer((req, res) => {
      if (!req.url?.startsWith('/nacos/v1/ns/instance/watch')) {
        res.writeHead(404).end('no such api');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const list = (ips: string[]) => JSON.stringify({ name: 'DEFAULT_GROUP@@s', clusters: '', cacheMillis: 0, hosts: ips.map((ip) => ({ ip, port: 1, healthy: true })) });
      res.write(`data: ${list(['10.9.0.1'])}\n\n`);
      setTimeout(() => res.write(`: ping\n\nevent: instances\ndata: ${list(['10.9.0.1', '10.9.0.2'])}\n\n`), 50);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      const run = await runCli(['--server', url, '--output', 'json', 'watch', 's', '--count', '2']);
      expect(run.code).toBe(0);
      const lists = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(lists.map((l: { hosts: unknown[] }) => l.hosts.length)).toEqual([1, 2]);
      expect(run.stderr).toBe('');
    } finally {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  it('falls back to polling, and says so, when the server has no watch stream (404)', async () => {
    // A loopback server without the watch endpoint, as a Nacos 1.x server is.
    let polls = 0;
    const http = createServer((req, res) => {
      if (req.url?.startsWith('/nacos/v1/ns/instance/list')) {
        polls++;
        const hosts = polls >= 3 ? [{ ip: '10.8.0.1', port: 1 }, { ip: '10.8.0.2', port: 1 }] : [{ ip: '10.8.0.1', port: 1 }];
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ name: 's', clusters: '', cacheMillis: 3000, hosts }));
        return;
      }
      res.writeHead(404).end(`no such api:${req.method}:${req.url?.split('?')[0]}`);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      const run = await runCli(['--server', url, '--output', 'json', 'watch', 's', '--count', '2', '--interval', '100']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('note: this server has no watch stream (HTTP 404); polling instance/list every 100 ms\n');
      const lists = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
      // Unchanged polls print nothing: two lists for three or more polls.
      expect(lists.map((l: { hosts: unknown[] }) => l.hosts.length)).toEqual([1, 2]);
      expect(polls).toBeGreaterThanOrEqual(3);
    } finally {
      await new Promise<void>((r) => http.close(() => r()));
    }
  });
});
