// The beat load: register N ephemeral instances, then beat every one of them once per period (paced
// open loop: a beat is due every period/N seconds whatever the server does), then beat as fast as the
// server answers (closed loop) for the sustainable maximum.
import { formatRequest, HttpConnection } from '../http-client';
import { instanceAddress } from '../peers/tacos';

const GROUP = 'DEFAULT_GROUP';
const NS = '/nacos/v1/ns';

/** Instances per service (the 100,000 spread over 1,000 services). */
export const INSTANCES_PER_SERVICE = 100;

/** Result of a beat phase. */
export interface BeatPhaseResult {
  /** Beats answered per second over the phase. */
  rate: number;
  /** Beats asked for per second (paced phase), or undefined (closed loop). */
  targetRate: number | undefined;
  /** Beats due but not yet answered at the end (paced phase): the server fell this far behind. */
  backlog: number;
  /** Failed beats (non-2xx or 20404). */
  errors: number;
  durationMs: number;
}

/** The name of the service of the n-th instance. */
export function serviceOf(n: number): string {
  return `hb-${Math.floor(n / INSTANCES_PER_SERVICE)}`;
}

/** A pool of keep-alive connections with a per-connection in-flight cap (pipelined requests). */
export class ConnectionPool {
  private readonly conns: HttpConnection[];
  private readonly inFlight: number[];
  private next = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    size: number,
    private readonly depth: number,
  ) {
    this.conns = Array.from({ length: size }, () => new HttpConnection(host, port, 15_000));
    this.inFlight = this.conns.map(() => 0);
  }

  /** How many more requests fit right now. */
  get capacity(): number {
    let free = 0;
    for (const n of this.inFlight) free += this.depth - n;
    return free;
  }

  /**
   * Sends on the next connection with room (round robin); resolves true on a 2xx answer whose body
   * does not contain `failMarker`. Call only when {@link capacity} > 0.
   */
  send(raw: string, failMarker?: string): Promise<boolean> {
    for (let tries = 0; tries < this.conns.length; tries++) {
      const i = this.next;
      this.next = (this.next + 1) % this.conns.length;
      if (this.inFlight[i]! >= this.depth) continue;
      this.inFlight[i]!++;
      return this.conns[i]!.send(raw).then(
        (res) => {
          this.inFlight[i]!--;
          return res.status >= 200 && res.status < 300 && (failMarker === undefined || !res.body.includes(failMarker));
        },
        () => {
          this.inFlight[i]!--;
          return false;
        },
      );
    }
    return Promise.resolve(false);
  }

  close(): void {
    for (const c of this.conns) c.close();
  }
}

function hostHeader(pool: ConnectionPool): string {
  return `${pool.host}:${pool.port}`;
}

/** The beat request of the n-th instance, as nacos-naming sends it (full beat JSON in the query). */
export function beatRequest(pool: ConnectionPool, n: number): string {
  const { ip, port } = instanceAddress(n);
  const qualified = `${GROUP}@@${serviceOf(n)}`;
  const beat = JSON.stringify({ serviceName: qualified, ip, port, cluster: 'DEFAULT', weight: 1, metadata: {}, scheduled: true });
  const q = new URLSearchParams({ serviceName: qualified, groupName: GROUP, beat });
  return formatRequest('PUT', `${NS}/instance/beat?${q}`, hostHeader(pool));
}

/** Registers instances 0..count-1 (ephemeral), `pool` capacity at a time; resolves with the error count. */
export async function registerAll(pool: ConnectionPool, count: number, deadlineMs: number): Promise<number> {
  let next = 0;
  let errors = 0;
  const deadline = Date.now() + deadlineMs;
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      const n = next++;
      const { ip, port } = instanceAddress(n);
      const q = new URLSearchParams({ serviceName: `${GROUP}@@${serviceOf(n)}`, groupName: GROUP, ip, port: String(port), ephemeral: 'true' });
      if (!(await pool.send(formatRequest('POST', `${NS}/instance?${q}`, hostHeader(pool))))) errors++;
    }
  };
  await Promise.all(Array.from({ length: pool.capacity }, worker));
  if (next < count) throw new Error(`registration did not finish in ${deadlineMs} ms (${next}/${count})`);
  return errors;
}

/**
 * Paced beats: instance k's beats are due at k·period/N, then every `periodMs`, for `durationMs`. A
 * 5 ms ticker sends whatever is due, as far as the pool's in-flight cap allows; beats the server
 * could not take yet stay due (the backlog). Bounded by `durationMs` plus a 5 s drain.
 */
export async function pacedBeats(pool: ConnectionPool, requests: readonly string[], periodMs: number, durationMs: number): Promise<BeatPhaseResult> {
  const n = requests.length;
  const targetRate = (n * 1000) / periodMs;
  let sent = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (now >= end) {
        resolve();
        return;
      }
      const due = Math.floor(((now - start) * targetRate) / 1000);
      let room = pool.capacity;
      while (sent < due && room > 0) {
        const req = requests[sent % n]!;
        sent++;
        room--;
        void pool.send(req, '20404').then((ok) => {
          done++;
          if (!ok) errors++;
        });
      }
      setTimeout(tick, 5);
    };
    tick();
  });
  const elapsed = performance.now() - start;
  const due = Math.floor((elapsed * targetRate) / 1000);
  const answeredInTime = done;
  // Let in-flight beats finish (bounded) so they do not leak into the next phase.
  const drainUntil = Date.now() + 5000;
  while (done < sent && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
  return { rate: (answeredInTime * 1000) / elapsed, targetRate, backlog: Math.max(0, due - answeredInTime), errors, durationMs: elapsed };
}

/** Closed loop: every connection keeps `depth` beats in flight for `durationMs`; the server's maximum. */
export async function maxBeats(pool: ConnectionPool, requests: readonly string[], durationMs: number): Promise<BeatPhaseResult> {
  let next = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const req = requests[next++ % requests.length]!;
      const ok = await pool.send(req, '20404');
      done++;
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: pool.capacity }, worker));
  const elapsed = performance.now() - start;
  return { rate: (done * 1000) / elapsed, targetRate: undefined, backlog: 0, errors, durationMs: elapsed };
}
