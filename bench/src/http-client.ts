import { type Socket, connect } from 'node:net';

/** One parsed HTTP/1.1 response. */
export interface HttpResponse {
  status: number;
  body: Buffer;
  /** The server asked to close the connection after this response. */
  close: boolean;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');

/**
 * Incremental HTTP/1.1 response parser for the load generator: feed it socket chunks, it calls
 * `onResponse` once per complete response, in order. Understands Content-Length and chunked
 * bodies (trailers are skipped); a response without either is taken as empty, which is right for
 * 204/304 and for the keep-alive servers measured here. Throws on a malformed status line or chunk
 * size; the caller then drops the connection.
 */
export class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private head: { status: number; close: boolean; length: number; chunked: boolean } | undefined;
  private chunks: Buffer[] = [];

  constructor(private readonly onResponse: (response: HttpResponse) => void) {}

  feed(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.step()) {
      // each step consumes one part (head, body or chunk) of a response
    }
  }

  /** Parses what it can; returns true if progress was made and another step may succeed. */
  private step(): boolean {
    if (this.head === undefined) {
      const end = this.buf.indexOf(CRLF_CRLF);
      if (end < 0) return false;
      const text = this.buf.toString('latin1', 0, end);
      this.buf = this.buf.subarray(end + 4);
      const lines = text.split('\r\n');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!match) throw new Error(`malformed status line: ${JSON.stringify(lines[0])}`);
      let length = 0;
      let chunked = false;
      let close = false;
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim().toLowerCase();
        if (name === 'content-length') length = Number.parseInt(value, 10);
        else if (name === 'transfer-encoding') chunked = value.includes('chunked');
        else if (name === 'connection') close = value === 'close';
      }
      const status = Number(match[1]);
      // 1xx, 204 and 304 never carry a body.
      if (status < 200 || status === 204 || status === 304) {
        length = 0;
        chunked = false;
      }
      this.head = { status, close, length, chunked };
      return true;
    }
    const head = this.head;
    if (!head.chunked) {
      if (this.buf.length < head.length) return false;
      const body = this.buf.subarray(0, head.length);
      this.buf = this.buf.subarray(head.length);
      this.finish(body);
      return true;
    }
    const lineEnd = this.buf.indexOf('\r\n');
    if (lineEnd < 0) return false;
    const size = Number.parseInt(this.buf.toString('latin1', 0, lineEnd).split(';')[0]!, 16);
    if (!Number.isFinite(size) || size < 0) throw new Error('malformed chunk size');
    if (size === 0) {
      // Last chunk, then optional trailer lines, then an empty line.
      const rest = lineEnd + 2;
      let consumed: number;
      if (this.buf.length >= rest + 2 && this.buf[rest] === 13 && this.buf[rest + 1] === 10) {
        consumed = rest + 2;
      } else {
        const end = this.buf.indexOf(CRLF_CRLF, rest);
        if (end < 0) return false;
        consumed = end + 4;
      }
      this.buf = this.buf.subarray(consumed);
      this.finish(Buffer.concat(this.chunks));
      this.chunks = [];
      return true;
    }
    if (this.buf.length < lineEnd + 2 + size + 2) return false;
    this.chunks.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    this.buf = this.buf.subarray(lineEnd + 2 + size + 2);
    return true;
  }

  private finish(body: Buffer): void {
    const head = this.head!;
    this.head = undefined;
    this.onResponse({ status: head.status, body: Buffer.from(body), close: head.close });
  }
}

/**
 * Formats one HTTP/1.1 request. `body` is sent as a URL-encoded form when given; otherwise an
 * empty body with Content-Length: 0 (Express and node:http both accept that for POST/PUT).
 * `headers` are extra header lines, each `Name: value` (no CRLF).
 */
export function formatRequest(method: string, path: string, host: string, body?: string, headers: readonly string[] = []): string {
  const extra = headers.map((line) => `${line}\r\n`).join('');
  if (body === undefined) {
    return `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Content-Length: 0\r\n\r\n`;
  }
  return (
    `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/**
 * One keep-alive HTTP/1.1 connection, the load generator's unit of "a connection": one TCP socket,
 * requests answered in order. Much cheaper per request than node:http's client, so a single
 * generator core can drive a server faster than ~30,000 requests/s. Reconnects lazily when the
 * server closed the socket. Owned by one closed-loop worker; `close()` when done.
 */
export class HttpConnection {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private pending: { resolve: (r: HttpResponse) => void; reject: (e: Error) => void }[] = [];

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Sends a preformatted request (see {@link formatRequest}) and resolves with its response. */
  async send(raw: string): Promise<HttpResponse> {
    const socket = this.socket ?? (await this.open());
    return new Promise<HttpResponse>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      socket.write(raw);
    });
  }

  /** Destroys the socket; requests in flight reject. */
  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Promise<Socket> {
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      socket.setTimeout(this.timeoutMs);
      const parser = new ResponseParser((response) => {
        this.pending.shift()?.resolve(response);
        if (response.close) this.drop(socket, new Error('server closed the connection'));
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          parser.feed(chunk);
        } catch (error) {
          this.drop(socket, error as Error);
        }
      });
      socket.on('timeout', () => this.drop(socket, new Error(`no answer within ${this.timeoutMs} ms`)));
      socket.on('error', (error) => {
        this.drop(socket, error);
        reject(error);
      });
      socket.on('close', () => this.drop(socket, new Error('connection closed')));
      socket.once('connect', () => {
        this.socket = socket;
        resolve(socket);
      });
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private drop(socket: Socket, error: Error): void {
    if (this.socket === socket) this.socket = undefined;
    socket.destroy();
    const waiting = this.pending;
    this.pending = [];
    for (const p of waiting) p.reject(error);
  }
}
