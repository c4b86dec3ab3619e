import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a refused connection may keep sending before it is cut (ms). */
export const LINGER_MS = 2_000;

const HEADERS_TOO_LARGE = 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const TIMED_OUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const CHUNK_EXTENSIONS_TOO_LARGE = 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** The raw answer to a request node's parser refused, or undefined when nothing should be written. */
export function clientErrorAnswer(code: string | undefined): string | undefined {
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined; // the client is gone
    case 'HPE_HEADER_OVERFLOW':
      return HEADERS_TOO_LARGE;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return CHUNK_EXTENSIONS_TOO_LARGE;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return TIMED_OUT;
    default:
      return BAD_REQUEST;
  }
}

/**
 * Answers requests node's HTTP parser refuses (headers over `maxHeaderSize`, malformed requests) and
 * closes their connections gently. Node's default writes the answer and destroys the socket at once;
 * when the client is still sending (the rest of a 20 KB header), the unread bytes make the kernel send
 * a reset, and the client sees ECONNRESET instead of the 431. Here the answer is written, our side is
 * half-closed, and whatever still arrives is read and dropped for up to {@link LINGER_MS}.
 */
export function answerClientErrors(server: Server, lingerMs = LINGER_MS): void {
  const refused = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser stays in its error state and reports every later chunk again: answer once.
    if (refused.has(socket)) return;
    refused.add(socket);
    // Like node: answer only if no answer of an earlier request on this connection is half-sent.
    const inFlight = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } })._httpMessage;
    const answer = socket.writable && !inFlight?._headerSent ? clientErrorAnswer(err.code) : undefined;
    if (answer === undefined) {
      socket.destroy();
      return;
    }
    // Stop feeding the parser and drain instead; the answer and our FIN go out behind it.
    socket.removeAllListeners('data');
    socket.on('data', () => {});
    socket.resume();
    const cut = setTimeout(() => socket.destroy(), lingerMs);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
    socket.end(answer);
  });
}
