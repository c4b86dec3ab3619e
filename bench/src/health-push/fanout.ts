// Change → every subscriber: S SSE streams or S UDP subscribers (fake Nacos 1.x receivers that ack)
// on one service; each change registers one more instance and we time until every subscriber has a
// list containing it.
import * as dgram from 'node:dgram';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { formatRequest, HttpConnection } from '../http-client';
import { percentileSorted } from '../stats';

const NS = '/nacos/v1/ns';
const JAVA_AGENT = 'Nacos-Java-Client:v1.0.0';

/** Figures of one fan-out series. */
export interface FanoutResult {
  subscribers: number;
  changes: number;
  /** Per change: ms from sending the register to the last subscriber having it. */
  allHaveIt: { p50: number; p99: number; max: number };
  /** Every (subscriber, change) delivery, ms. */
  each: { p50: number; p99: number };
  /** Deliveries that did not arrive within the per-change bound. */
  missing: number;
}

/** The address of the k-th change's instance (loopback; never contacted: ephemeral, no checks). */
function changeIp(k: number): string {
  return `127.254.${(k >> 8) & 255}.${k & 255}`;
}

function summarize(allTimes: number[], each: number[], subscribers: number, changes: number, missing: number): FanoutResult {
  const a = [...allTimes].sort((x, y) => x - y);
  const e = [...each].sort((x, y) => x - y);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    subscribers,
    changes,
    allHaveIt: { p50: r(percentileSorted(a, 50)), p99: r(percentileSorted(a, 99)), max: r(a[a.length - 1] ?? Number.NaN) },
    each: { p50: r(percentileSorted(e, 50)), p99: r(percentileSorted(e, 99)) },
    missing,
  };
}

/**
 * Runs `changes` changes against subscribers that call `onMarker(subscriber, text)` as data arrives:
 * for change k the marker is its instance's IP. Waits for all deliveries (at most `perChangeMs`)
 * before the next change.
 */
async function series(
  host: string,
  port: number,
  serviceName: string,
  subscribers: number,
  changes: number,
  perChangeMs: number,
  setListener: (fn: (sub: number, text: string) => void) => void,
): Promise<FanoutResult> {
  const writer = new HttpConnection(host, port, 10_000);
  const allTimes: number[] = [];
  const each: number[] = [];
  let missing = 0;
  try {
    for (let k = 1; k <= changes; k++) {
      const marker = `"ip":"${changeIp(k)}"`;
      const got = new Float64Array(subscribers).fill(-1);
      let count = 0;
      let t0 = 0;
      let resolveAll: () => void = () => undefined;
      const all = new Promise<void>((resolve) => {
        resolveAll = resolve;
      });
      setListener((sub, text) => {
        if (got[sub]! >= 0 || !text.includes(marker)) return;
        got[sub] = performance.now() - t0;
        count++;
        if (count === subscribers) resolveAll();
      });
      const q = new URLSearchParams({ serviceName: `DEFAULT_GROUP@@${serviceName}`, ip: changeIp(k), port: '80', ephemeral: 'true' });
      t0 = performance.now();
      const res = await writer.send(formatRequest('POST', `${NS}/instance?${q}`, `${host}:${port}`));
      if (res.status !== 200) throw new Error(`register for change ${k}: ${res.status} ${res.body.toString()}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, perChangeMs)))]);
      clearTimeout(timer);
      let last = 0;
      for (const t of got) {
        if (t < 0) missing++;
        else {
          each.push(t);
          if (t > last) last = t;
        }
      }
      allTimes.push(count === subscribers ? last : perChangeMs);
      // A short gap so changes do not coalesce into one another's push.
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    setListener(() => undefined);
    writer.close();
  }
  return summarize(allTimes, each, subscribers, changes, missing);
}

/** `subscribers` SSE streams on one service; each change timed until every stream had it. */
export async function sseFanout(host: string, port: number, subscribers: number, changes: number, perChangeMs = 10_000): Promise<FanoutResult> {
  const serviceName = `fanout-sse-${Date.now()}`;
  let listener: (sub: number, text: string) => void = () => undefined;
  const requests: ClientRequest[] = [];
  let opened = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const bound = setTimeout(() => reject(new Error(`only ${opened}/${subscribers} SSE streams opened in 30 s`)), 30_000);
      for (let i = 0; i < subscribers; i++) {
        const req = httpRequest(
          { host, port, path: `${NS}/instance/watch?serviceName=${serviceName}`, agent: false, headers: { accept: 'text/event-stream' } },
          (res) => {
            if (res.statusCode !== 200) {
              clearTimeout(bound);
              reject(new Error(`SSE stream ${i}: HTTP ${res.statusCode}`));
              return;
            }
            res.setEncoding('utf8');
            let buffer = '';
            let first = true;
            res.on('data', (chunk: string) => {
              buffer += chunk;
              for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
                const frame = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                if (first) {
                  first = false;
                  opened++;
                  if (opened === subscribers) {
                    clearTimeout(bound);
                    resolve();
                  }
                  continue;
                }
                listener(i, frame);
              }
            });
            res.on('error', () => undefined);
          },
        );
        req.on('error', (err) => {
          clearTimeout(bound);
          reject(err);
        });
        req.end();
        requests.push(req);
      }
    });
    return await series(host, port, serviceName, subscribers, changes, perChangeMs, (fn) => {
      listener = fn;
    });
  } finally {
    for (const req of requests) req.destroy();
  }
}

/**
 * `subscribers` UDP sockets on 127.0.0.1 subscribed to one service the Nacos 1.x way (instance/list
 * with udpPort and a Java-client agent), re-polling every 5 s as a client does; each acks every
 * packet. Each change is timed until every socket had a packet with it.
 */
export async function udpFanout(host: string, port: number, subscribers: number, changes: number, perChangeMs = 10_000): Promise<FanoutResult> {
  const serviceName = `fanout-udp-${Date.now()}`;
  let listener: (sub: number, text: string) => void = () => undefined;
  const sockets: dgram.Socket[] = [];
  const poller = new HttpConnection(host, port, 10_000);
  let repoll: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < subscribers; i++) {
      const socket = dgram.createSocket('udp4');
      sockets.push(socket);
      socket.on('message', (msg, rinfo) => {
        let text: string;
        try {
          text = (msg[0] === 0x1f && msg[1] === 0x8b ? gunzipSync(msg) : msg).toString('utf8');
        } catch {
          return;
        }
        const { lastRefTime } = JSON.parse(text) as { lastRefTime: number };
        socket.send(JSON.stringify({ type: 'push-ack', lastRefTime, data: '' }), rinfo.port, rinfo.address);
        listener(i, text.replaceAll('\\"', '"'));
      });
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    }
    const poll = async () => {
      const pending: Promise<unknown>[] = [];
      for (const socket of sockets) {
        const q = new URLSearchParams({ serviceName: `DEFAULT_GROUP@@${serviceName}`, udpPort: String(socket.address().port), clientIP: '127.0.0.1' });
        const raw = `GET ${NS}/instance/list?${q} HTTP/1.1\r\nHost: ${host}:${port}\r\nUser-Agent: ${JAVA_AGENT}\r\nContent-Length: 0\r\n\r\n`;
        pending.push(poller.send(raw));
      }
      await Promise.all(pending);
    };
    await poll();
    repoll = setInterval(() => void poll().catch(() => undefined), 5000);
    return await series(host, port, serviceName, subscribers, changes, perChangeMs, (fn) => {
      listener = fn;
    });
  } finally {
    if (repoll) clearInterval(repoll);
    poller.close();
    for (const socket of sockets) socket.close();
  }
}
