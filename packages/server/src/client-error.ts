import { maxHeaderSize as NODE_MAX_HEADER_SIZE, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a refused connection may keep sending before it is cut (ms). */
export const LINGER_MS = 2_000;

/** A complete answer that closes the connection, with a plain-text body saying what to do. */
function rawAnswer(statusLine: string, text: string): string {
  return `HTTP/1.1 ${statusLine}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
}

/**
 * The raw answer to a request node's parser refused (the status node would give, with a reason), or
 * undefined when nothing should be written. `maxHeaderBytes` is the server's header limit.
 */
export function clientErrorAnswer(code: string | undefined, maxHeaderBytes = NODE_MAX_HEADER_SIZE): string | undefined {
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined; // the client is gone
    case 'HPE_HEADER_OVERFLOW':
      return rawAnswer('431 Request Header Fields Too Large', `request headers too large: more than ${maxHeaderBytes} bytes in all; send fewer or shorter headers`);
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return rawAnswer('413 Payload Too Large', 'chunk extensions too large; send the body without chunk extensions');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return rawAnswer('408 Request Timeout', 'the request was not received in time; send it again');
    default:
      return rawAnswer('400 Bad Request', `malformed HTTP request (${code ?? 'parse error'}); check the request line and headers`);
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
  const maxHeaderBytes = (server as Server & { maxHeaderSize?: number }).maxHeaderSize ?? NODE_MAX_HEADER_SIZE;
  const refused = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser stays in its error state and reports every later chunk again: answer once.
    if (refused.has(socket)) return;
    refused.add(socket);
    // Like node: answer only if no answer of an earlier request on this connection is half-sent.
    const inFlight = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } })._httpMessage;
    const answer = socket.writable && !inFlight?._headerSent ? clientErrorAnswer(err.code, maxHeaderBytes) : undefined;
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
