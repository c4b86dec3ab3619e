import { acceptsGzip, rawJson, resultHeaders } from './handler';

describe('acceptsGzip', () => {
  it.each([
    ['gzip,deflate,sdch', true],
    ['gzip', true],
    ['deflate, GZIP', true],
    ['x-gzip', true],
    ['*', true],
    ['gzip;q=0.5', true],
    ['gzip; q=1.0, identity', true],
    ['gzip;q=0', false],
    ['gzip;q=0.0, deflate', false],
    ['deflate, br', false],
    ['identity', false],
    ['', false],
  ])('%j → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it('is false without the header', () => {
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

describe('resultHeaders', () => {
  it('describes a plain body by its UTF-8 length', () => {
    expect(resultHeaders(rawJson('{"a":"é"}'), ['x-a', '1'])).toEqual({
      headers: ['x-a', '1', 'content-type', 'application/json; charset=utf-8', 'content-length', '10'],
      payload: '{"a":"é"}',
    });
  });

  it('sends the gzip bytes with their encoding, length and Vary when present', () => {
    const gzip = Buffer.from([0x1f, 0x8b, 1, 2]);
    const { headers, payload } = resultHeaders({ ...rawJson('{}'), gzip });
    expect(payload).toBe(gzip);
    expect(headers).toEqual(['content-type', 'application/json; charset=utf-8', 'content-encoding', 'gzip', 'vary', 'Accept-Encoding', 'content-length', '4']);
  });
});
