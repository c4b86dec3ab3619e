// Helpers of the security suites: raw HTTP calls that expose headers, HS256 tokens minted in the test
// (to prove what the server refuses), a refused-start runner, and the attack table the suites print.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { freePort, removeDir, serverBinPath, tempDir } from '@tacos/testkit';

/** A token secret of the right length and spread (used by every auth server in the suites). */
export const TEST_SECRET = 'tacos-e2e-token-secret-7f3a9c1e5b2d4086af';
/** The admin password the suites bootstrap with. */
export const ADMIN_PASSWORD = 'Adm1n-e2e-pass';

/** One HTTP answer with its headers. */
export interface RawAnswer {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Sends one request with node:http (fetch would refuse or rewrite some of the hostile shapes tested):
 * `params` go in the query string, `form` in a urlencoded body, `rawBody` as is.
 */
export function raw(
  baseUrl: string,
  method: string,
  path: string,
  options: { params?: Record<string, string>; form?: Record<string, string>; rawBody?: string; headers?: Record<string, string>; rawQuery?: string } = {},
): Promise<RawAnswer> {
  const query = options.rawQuery ?? new URLSearchParams(options.params ?? {}).toString();
  const body = options.rawBody ?? (options.form ? new URLSearchParams(options.form).toString() : undefined);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path: `${path}${query ? `?${query}` : ''}`, headers, timeout: 15_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** An HS256 (or any `alg`) JWT signed with `key`; `alg: 'none'` gives an unsigned token. */
export function mintToken(claims: Record<string, unknown>, key: string, alg = 'HS256'): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
  if (alg === 'none') return `${head}.`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

/** Logs in and returns the access token (throws with the answer otherwise). */
export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await raw(baseUrl, 'POST', '/nacos/v1/auth/users/login', { form: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
  return (JSON.parse(res.text) as { accessToken: string }).accessToken;
}

/**
 * Starts a server process expected to refuse to start; resolves with its exit code and output (kills it
 * after `timeoutMs` if it does start, reporting code `null`).
 */
export async function refusedStart(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<{ code: number | null; output: string }> {
  const dataDir = tempDir('tacos-refused-');
  const port = await freePort();
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('TACOS_')) childEnv[key] = value;
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, [serverBinPath(), '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c) => {
    output += c;
  });
  child.stderr?.on('data', (c) => {
    output += c;
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, timeoutMs);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  removeDir(dataDir);
  return { code, output };
}

/** Text that must never reach a client: stack frames, source or install paths. */
export const LEAK_PATTERN = /\n\s+at |\/work\/|\/home\/|node_modules|\.ts:\d|\.js:\d|\/tmp\//;

/** One row of the attack table. */
export interface AttackRow {
  attack: string;
  expected: string;
  observed: string;
}

/** The rows the suite observed, printed as a Markdown table after the file's tests. */
export class AttackTable {
  readonly rows: AttackRow[] = [];

  /** Records `observed` for `attack` and returns it for the assertion. */
  record(attack: string, expected: string, observed: string): string {
    this.rows.push({ attack, expected, observed });
    return observed;
  }

  /** The table in Markdown. */
  markdown(title: string): string {
    const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const lines = [`### ${title}`, '', '| attack | expected | observed |', '| --- | --- | --- |'];
    for (const row of this.rows) lines.push(`| ${esc(row.attack)} | ${esc(row.expected)} | ${esc(row.observed)} |`);
    return lines.join('\n');
  }
}

/** Short form of an answer for the table: `403 token invalid!`. */
export function brief(res: RawAnswer): string {
  const body = res.text.length > 60 ? `${res.text.slice(0, 57)}...` : res.text;
  return `${res.status} ${body}`.trim();
}

export { removeDir };
