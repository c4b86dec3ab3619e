// Differential fuzz of the hot front: the same seeded stream of request heads, well-formed and not,
// goes to two real servers, one with the hot front and one without (node's parser for everything).
// Every answer must be the same byte for byte but for the Date header and list timestamps, whether
// the front answered the request itself or handed it to node.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { seededRandom } from '@tacos/testkit';
import pino from 'pino';
import { type RunningServer, startServer } from './server';

const SEED = Number(process.env.TACOS_FUZZ_SEED ?? 20261124);
const REQUESTS = 1_500;
const BUDGET_MS = 20_000;
const NS = '/nacos/v1/ns';


/** One request's bytes, built from good parts with a fair chance of a bad one. */
function randomRequest(random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const chance = (p: number) => random() < p;
  const hot = pick([
    ['GET', `${NS}/instance/list`],
    ['PUT', `${NS}/instance/beat`],
    ['POST', `${NS}/instance`],
    ['DELETE', `${NS}/instance`],
  ] as const);
  const method = chance(0.8) ? hot[0] : pick(['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get']);
  const path = chance(0.8) ? hot[1] : pick([`${NS}/instance`, `${NS}/instance/list`, `${NS}/service`, '/nacos/v1/console/health/liveness', `${NS}/instance/`, '*']);
  const service = pick(['svc-a', 'svc-b', 'svc%20c', 'DEFAULT_GROUP%40%40svc-a', '', '%ZZ']);
  const ip = pick(['10.0.0.1', '10.0.0.2', '10.0.0.300', 'x']);
  const port = pick(['80', '8080', '0', '70000', '-1']);
  const params: string[] = [];
  if (chance(0.9)) params.push(`serviceName=${service}`);
  if (chance(0.8)) params.push(`ip=${ip}`);
  if (chance(0.8)) params.push(`port=${port}`);
  if (chance(0.3)) params.push(`beat=${encodeURIComponent(JSON.stringify({ ip, port: Number(port), serviceName: service }))}`);
  if (chance(0.1)) params.push(pick(['beat=%7Bbad', 'ephemeral=false', 'healthyOnly=true', 'clusters=DEFAULT', 'weight=abc', 'metadata=%7B%22k%22%3A%22v%22%7D']));
  let target = `${path}${params.length > 0 ? `?${params.join('&')}` : ''}`;
  if (chance(0.03)) target = target.replace('?', pick([' ?', '?\u00e9', '?\x7f']));
  const version = chance(0.95) ? 'HTTP/1.1' : pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ']);
  const lines = [`${method} ${target} ${version}`];
  if (chance(0.95)) lines.push(pick(['Host: t', 'host:t', 'HOST:   t  ']));
  if (chance(0.5)) lines.push(pick(['User-Agent: Nacos-Java-Client:v1.4.1', 'User-Agent: nacos-naming/2.6.0', 'user-agent: curl/8']));
  if (chance(0.3)) lines.push(pick(['Accept-Encoding: gzip,deflate,sdch', 'Accept-Encoding: identity', 'accept-encoding: GZIP']));
  if (chance(0.3)) lines.push(pick(['Connection: keep-alive', 'Connection: Keep-Alive', 'Connection: close', 'Connection: keep-alive, Upgrade']));
  let body = '';
  if (chance(0.2)) {
    const [header, sent] = pick([
      ['Content-Length: 0', ''],
      ['Content-Length: 5', 'ip=1'],
      ['Content-Length: 12', 'serviceName='],
      ['Transfer-Encoding: chunked', '0\r\n\r\n'],
      ['Content-Length: abc', ''],
      ['Content-Length: 0\r\nContent-Length: 0', ''],
    ] as const);
    lines.push(header);
    body = header === 'Content-Length: 5' ? 'ip=1x' : sent;
  }
  if (chance(0.1)) {
    lines.push(
      pick([
        'X-Dup: 1\r\nX-Dup: 2',
        'Bad Name: 1',
        'X-Ctl: a\x01b',
        'X-Fold: a\r\n folded',
        `X-Long: ${'v'.repeat(2000)}`,
        'X-Empty:',
        ':no-name',
        'X-Tacos-Peer: 127.0.0.1:1',
        'Expect: 100-continue',
        'X-Latin: caf\u00e9',
      ]),
    );
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The first answer on a fresh connection, as text (Date and timestamps blanked), or how the connection ended. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let finished = false;
    const done = (what: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(normalize(what));
    };
    const timer = setTimeout(() => done(`${data}<no answer in 1 s>`), 1_000);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      // A 100 Continue comes before the real answer: kept in the result, skipped here.
      const interim = /^HTTP\/1\.1 100 Continue\r\n\r\n/.exec(data)?.[0].length ?? 0;
      const headEnd = data.indexOf('\r\n\r\n', interim);
      if (headEnd < 0) return;
      const head = data.slice(interim, headEnd);
      if (bytes.startsWith('HEAD ')) return done(head);
      const length = /\r\ncontent-length: (\d+)/i.exec(head);
      if (length && data.length >= headEnd + 4 + Number(length[1])) done(data.slice(0, headEnd + 4 + Number(length[1])));
      if (/\r\ntransfer-encoding: chunked/i.test(head) && data.endsWith('\r\n0\r\n\r\n')) done(data);
    });
    socket.on('close', () => done(`${data}<closed>`));
    socket.on('error', () => undefined);
    socket.write(bytes, 'latin1');
  });
}

/** The answer with its Date blanked and its body (gunzipped if need be) without list timestamps. */
function normalize(answer: string): string {
  const interim = 'HTTP/1.1 100 Continue\r\n\r\n';
  if (answer.startsWith(interim)) return interim + normalize(answer.slice(interim.length));
  const headEnd = answer.indexOf('\r\n\r\n');
  if (headEnd < 0) return answer;
  const head = answer.slice(0, headEnd).replace(/\r\nDate: [^\r]*/, '\r\nDate: -');
  let body = answer.slice(headEnd + 4);
  if (/\r\ncontent-encoding: gzip/i.test(head) && body.length > 0) {
    try {
      body = `<gzip>${gunzipSync(Buffer.from(body, 'latin1')).toString('utf8')}`;
    } catch {
      body = `<not gzip>${body}`;
    }
  }
  return `${head}\r\n\r\n${body.replace(/"lastRefTime":\d+/g, '"lastRefTime":0')}`;
}

describe('hot front against node, differential', () => {
  const quiet = pino({ level: 'silent' });
  const dirs: string[] = [];
  const servers: RunningServer[] = [];

  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`answers ${REQUESTS} seeded requests exactly as node does (seed ${SEED})`, async () => {
    for (const hotFront of [true, false]) {
      const dir = mkdtempSync(join(tmpdir(), 'tacos-hot-diff-'));
      dirs.push(dir);
      servers.push(await startServer({ host: '127.0.0.1', port: 0, dataDir: dir, logger: quiet, hotFront }));
    }
    const [withFront, withoutFront] = servers as [RunningServer, RunningServer];
    const random = seededRandom(SEED);
    const started = Date.now();
    const differences: string[] = [];
    let answeredByFront = 0;
    let slow = 0;
    let sent = 0;
    for (; sent < REQUESTS && Date.now() - started < BUDGET_MS; sent++) {
      const bytes = randomRequest(random);
      const before = (await scrape(withFront)).handedOver;
      const [a, b] = [await exchange(withFront.port, bytes), await exchange(withoutFront.port, bytes)];
      if ((await scrape(withFront)).handedOver === before + 1) answeredByFront++;
      if (a.endsWith('<no answer in 1 s>')) slow++;
      if (a !== b && differences.length < 5) differences.push(`request ${JSON.stringify(bytes)}\n  front: ${JSON.stringify(a)}\n  node:  ${JSON.stringify(b)}`);
    }
    process.stdout.write(`hot front differential: ${sent} requests, ${answeredByFront} answered by the front, ${slow} without an answer within 1 s\n`);
    expect(differences).toEqual([]);
    expect(sent).toBeGreaterThan(300);
    // Both paths were exercised: most requests are hot and simple, a good share is not.
    expect(answeredByFront).toBeGreaterThan(sent / 3);
    expect(answeredByFront).toBeLessThan(sent);
  }, 60_000);
});

/** The hot front's hand-over count, over a connection that is itself handed over (Connection: close). */
async function scrape(server: RunningServer): Promise<{ handedOver: number }> {
  const page = await exchange(server.port, 'GET /nacos/actuator/prometheus HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
  const match = /\ntacos_http_hot_front_handed_over (\d+)/.exec(page);
  if (!match) throw new Error('no hand-over gauge on the metrics page');
  // The scrape's own connection was handed over before the page was built.
  return { handedOver: Number(match[1]) };
}
