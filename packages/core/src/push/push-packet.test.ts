import { gunzipSync } from 'node:zlib';
import { decodeDatagram, encodePushPacket, isGzipped, parseAck } from './push-packet';
import { normalizeAddress, pushAddressOf, subscriberSourceOf } from './push-target';

describe('encodePushPacket', () => {
  it('writes plain JSON with data as a string below the threshold', () => {
    const body = JSON.stringify({ name: 'DEFAULT_GROUP@@svc', hosts: [{ ip: '1.2.3.4' }] });
    const bytes = encodePushPacket({ type: 'dom', data: body, lastRefTime: 42 });
    expect(isGzipped(bytes)).toBe(false);
    expect(bytes.toString('utf8')).toBe(`{"type":"dom","data":${JSON.stringify(body)},"lastRefTime":42}`);
    const parsed = JSON.parse(bytes.toString('utf8'));
    expect(typeof parsed.data).toBe('string');
    expect(JSON.parse(parsed.data)).toEqual({ name: 'DEFAULT_GROUP@@svc', hosts: [{ ip: '1.2.3.4' }] });
  });

  it('gzips at 1024 bytes and more', () => {
    const data = 'x'.repeat(2000);
    const bytes = encodePushPacket({ type: 'dom', data, lastRefTime: 7 });
    expect(isGzipped(bytes)).toBe(true);
    expect(JSON.parse(gunzipSync(bytes).toString('utf8'))).toEqual({ type: 'dom', data, lastRefTime: 7 });
    expect(decodeDatagram(bytes)).toEqual({ type: 'dom', data, lastRefTime: 7 });
    // Exactly at the threshold: the JSON wrapper is 40 bytes around the data here.
    const wrapper = encodePushPacket({ type: 'dom', data: '', lastRefTime: 7 }).length;
    expect(isGzipped(encodePushPacket({ type: 'dom', data: 'y'.repeat(1024 - wrapper), lastRefTime: 7 }))).toBe(true);
    expect(isGzipped(encodePushPacket({ type: 'dom', data: 'y'.repeat(1023 - wrapper), lastRefTime: 7 }))).toBe(false);
  });
});

describe('parseAck', () => {
  it('accepts numeric and string lastRefTime', () => {
    expect(parseAck(Buffer.from('{"type":"push-ack","lastRefTime":123,"data":""}'))).toEqual({
      type: 'push-ack',
      lastRefTime: '123',
      data: '',
    });
    expect(parseAck(Buffer.from('{"type": "push-ack", "lastRefTime":"123", "data":""}'))?.lastRefTime).toBe('123');
  });

  it('rejects garbage without throwing', () => {
    expect(parseAck(Buffer.from('not json'))).toBeUndefined();
    expect(parseAck(Buffer.from('[1]'))).toBeUndefined();
    expect(parseAck(Buffer.from('{"type":"dom","lastRefTime":1}'))).toBeUndefined();
    expect(parseAck(Buffer.from('{"type":"push-ack","lastRefTime":"1e3"}'))).toBeUndefined();
    expect(parseAck(Buffer.from([0x1f, 0x8b, 0, 1]))).toBeUndefined();
  });
});

describe('push addresses', () => {
  it('prefer the source address, fall back to clientIP', () => {
    expect(pushAddressOf('10.1.2.3', '::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(pushAddressOf('10.1.2.3', undefined)).toBe('10.1.2.3');
    expect(pushAddressOf(' 10.1.2.3 ', '')).toBe('10.1.2.3');
    expect(normalizeAddress('::1')).toBe('::1');
  });
});

describe('subscriberSourceOf', () => {
  it('maps records to targets, preferring a recorded source address, with live-time arguments', () => {
    const calls: Array<[number, number]> = [];
    const base = { port: 5000, namespaceId: 'public', serviceName: 'G@@s', cluster: 'DEFAULT', agent: 'Nacos-Java-Client:v1.0.0' };
    const registry = {
      forService(_ns: string, _svc: string, now: number, ttl: number) {
        calls.push([now, ttl]);
        return [
          { ...base, ip: '172.17.0.5', remoteAddress: '::ffff:10.0.0.9' },
          { ...base, ip: '172.17.0.6' },
        ];
      },
    };
    const source = subscriberSourceOf(registry, () => 42, () => 12_000);
    expect([...source.subscribersOf('public', 'G@@s')]).toEqual([
      { namespaceId: 'public', serviceName: 'G@@s', clusters: 'DEFAULT', address: '10.0.0.9', port: 5000, agent: 'Nacos-Java-Client:v1.0.0' },
      { namespaceId: 'public', serviceName: 'G@@s', clusters: 'DEFAULT', address: '172.17.0.6', port: 5000, agent: 'Nacos-Java-Client:v1.0.0' },
    ]);
    expect(calls).toEqual([[42, 12_000]]);
  });
});
