import {
  CREATE_MODE,
  connectRequest,
  createRequest,
  getChildrenRequest,
  OP,
  RecordDecoder,
  readChildren,
  readConnectReply,
  readCreatedPath,
  readReplyHeader,
} from './zk-protocol';

/** A jute ustring. */
const str = (s: string) => {
  const b = Buffer.alloc(4 + Buffer.byteLength(s));
  b.writeInt32BE(Buffer.byteLength(s));
  b.write(s, 4);
  return b;
};
const int = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};

test('connect request layout: version, zxid, timeout, session, 16-byte password, read-only flag', () => {
  const req = connectRequest(30_000);
  expect(req.readInt32BE(0)).toBe(req.length - 4);
  expect(req.length).toBe(4 + 4 + 8 + 4 + 8 + 4 + 16 + 1);
  expect(req.readInt32BE(4 + 12)).toBe(30_000);
  expect(req.readInt32BE(4 + 24)).toBe(16);
});

test('connect reply', () => {
  const reply = Buffer.concat([int(0), int(20_000), Buffer.from([0, 0, 0, 0, 0, 0, 1, 2]), str('x'.repeat(16))]);
  expect(readConnectReply(reply)).toEqual({ timeoutMs: 20_000, sessionId: 258n });
});

test('create and getChildren requests', () => {
  const create = createRequest(7, '/a', Buffer.from('v'), CREATE_MODE.ephemeral);
  expect(create.subarray(4)).toEqual(
    Buffer.concat([
      int(7),
      int(OP.create),
      str('/a'),
      str('v'),
      int(1), // one ACL
      int(31), // all permissions
      str('world'),
      str('anyone'),
      int(1), // ephemeral
    ]),
  );
  expect(getChildrenRequest(9, '/p').subarray(4)).toEqual(
    Buffer.concat([int(9), int(OP.getChildren), str('/p'), Buffer.from([0])]),
  );
});

test('reply header and bodies', () => {
  const header = Buffer.concat([int(5), Buffer.alloc(8), int(-110)]);
  expect(readReplyHeader(header)).toEqual({ xid: 5, err: -110, bodyOffset: 16 });
  const children = Buffer.concat([header, int(2), str('a'), str('bc')]);
  expect(readChildren(children, 16)).toEqual(['a', 'bc']);
  expect(readCreatedPath(Buffer.concat([header, str('/x/y')]), 16)).toBe('/x/y');
});

test('records survive any chunking', () => {
  const frame = (s: string) => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
  const stream = Buffer.concat([frame('one'), frame(''), frame('three')]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const got: string[] = [];
    const decoder = new RecordDecoder((r) => got.push(r.toString()));
    decoder.feed(stream.subarray(0, cut));
    decoder.feed(stream.subarray(cut));
    expect(got).toEqual(['one', '', 'three']);
  }
  expect(() => new RecordDecoder(() => undefined).feed(int(-5))).toThrow(/bad record length/);
});
