import { bytesField, decodeFields, encodeVarint, GrpcFrameDecoder, grpcFrame, varintField } from './grpc';
import { prefixEnd } from './etcd';

test('varints round-trip, including 64-bit lease ids', () => {
  expect(encodeVarint(0)).toEqual(Buffer.from([0]));
  expect(encodeVarint(300)).toEqual(Buffer.from([0xac, 0x02]));
  const id = 8760523869986804230n;
  const [field] = decodeFields(varintField(2, id));
  expect(field).toEqual({ field: 2, value: id });
  // Negative int64 values are written as their 64-bit two's complement, as protobuf does.
  expect(encodeVarint(-1n)).toHaveLength(10);
});

test('length-delimited fields and skipping of fixed-width ones', () => {
  const msg = Buffer.concat([
    bytesField(1, 'key'),
    Buffer.from([(3 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]), // fixed64 field 3
    bytesField(2, Buffer.from([1, 2])),
    bytesField(2, ''),
    varintField(4, 7),
  ]);
  const fields = decodeFields(msg);
  expect(fields.map((f) => f.field)).toEqual([1, 2, 2, 4]);
  expect((fields[0]!.value as Buffer).toString()).toBe('key');
  expect(fields[3]!.value).toBe(7n);
  expect(() => decodeFields(bytesField(1, 'abc').subarray(0, 3))).toThrow(/truncated/);
});

test('gRPC frames survive any chunking', () => {
  const messages = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world')];
  const stream = Buffer.concat(messages.map(grpcFrame));
  for (let cut = 0; cut <= stream.length; cut++) {
    const got: string[] = [];
    const decoder = new GrpcFrameDecoder((m) => got.push(m.toString()));
    decoder.feed(stream.subarray(0, cut));
    decoder.feed(stream.subarray(cut));
    expect(got).toEqual(['a', '', 'hello world']);
  }
});

test('prefixEnd is the first key after every key with the prefix', () => {
  expect(prefixEnd(Buffer.from('/a/'))).toEqual(Buffer.from('/a0'));
  expect(prefixEnd(Buffer.from([0x61, 0xff]))).toEqual(Buffer.from([0x62]));
  expect(prefixEnd(Buffer.from([0xff]))).toEqual(Buffer.from([0]));
});
