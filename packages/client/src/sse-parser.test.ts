import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('emits one event per blank line, joining data lines', () => {
    const parser = new SseParser();
    expect(parser.push('data: a\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb', id: undefined }]);
  });

  it('handles events split across chunks and CRLF line ends', () => {
    const parser = new SseParser();
    expect(parser.push('event: instances\r\nid: 7\r\nda')).toEqual([]);
    expect(parser.push('ta: {"hosts":[]}\r')).toEqual([]);
    expect(parser.push('\n\r\n')).toEqual([{ event: 'instances', data: '{"hosts":[]}', id: '7' }]);
  });

  it('ignores comments, retry fields and events without data', () => {
    const parser = new SseParser();
    expect(parser.push(': keep-alive\n\nretry: 100\n\nevent: x\n\ndata:z\n\n')).toEqual([
      { event: 'message', data: 'z', id: undefined },
    ]);
  });
});
