import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { answerClientErrors, clientErrorAnswer } from './client-error';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a request head in `chunks`, 10 ms apart, like a client uploading a large header, and keeps
 * sending after the answer arrives (half-open, as a slow client would). A server that destroys the
 * connection on a parse error resets it (EPIPE/ECONNRESET here); one that drains it does not.
 */
function sendSlowly(port: number, chunks: string[]): Promise<{ text: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    let error: string | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on('close', () => resolve({ text, error }));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        await pause(10);
      }
      socket.end();
    });
  });
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

describe('answerClientErrors', () => {
  it('maps parser errors to the answers node gives (and none when the client is gone)', () => {
    expect(clientErrorAnswer('HPE_HEADER_OVERFLOW', 16_384)).toMatch(/^HTTP\/1\.1 431 [\s\S]*\r\n\r\nrequest headers too large: more than 16384 bytes in all; send fewer or shorter headers$/);
    expect(clientErrorAnswer('HPE_CHUNK_EXTENSIONS_OVERFLOW')).toMatch(/^HTTP\/1\.1 413 /);
    expect(clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT')).toMatch(/^HTTP\/1\.1 408 /);
    expect(clientErrorAnswer('HPE_INVALID_METHOD')).toMatch(/^HTTP\/1\.1 400 [\s\S]*\r\n\r\nmalformed HTTP request \(HPE_INVALID_METHOD\)/);
    // The declared length is the body's (a wrong one would corrupt the client's read).
    const answer = clientErrorAnswer('HPE_HEADER_OVERFLOW') as string;
    const [head, body] = answer.split('\r\n\r\n');
    expect(Number(/Content-Length: (\d+)/.exec(head as string)?.[1])).toBe(Buffer.byteLength(body as string));
    expect(clientErrorAnswer('ECONNRESET')).toBeUndefined();
  });

  it('lets a client that is still sending an oversized header read the whole 431 (no reset)', async () => {
    const server = createServer({ maxHeaderSize: 16 * 1024 }, (_req, res) => res.end('ok'));
    answerClientErrors(server);
    const port = await listening(server);
    // 32 KB of header in 4 KB pieces: the parser gives up after 16 KiB, and the rest comes after.
    const chunks = ['GET /x HTTP/1.1\r\nHost: a\r\nx-big: ', ...Array.from({ length: 8 }, () => 'a'.repeat(4_000)), '\r\n\r\n'];
    try {
      for (let i = 0; i < 3; i++) {
        const answer = await sendSlowly(port, chunks);
        expect(answer.error).toBeUndefined();
        expect(answer.text).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n[\s\S]*more than 16384 bytes/);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('answers 400 to garbage and keeps serving well-formed requests', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    answerClientErrors(server);
    const port = await listening(server);
    try {
      const garbage = await sendSlowly(port, ['NOT HTTP AT ALL\r\n\r\n']);
      expect(garbage.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      const fine = await fetch(`http://127.0.0.1:${port}/`);
      expect(await fine.text()).toBe('ok');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
