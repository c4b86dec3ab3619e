import { normalizeAddress, parseServerList } from './server-list';

describe('parseServerList', () => {
  it('adds the scheme and the default port 8848 to bare hosts', () => {
    expect(parseServerList('127.0.0.1')).toEqual(['http://127.0.0.1:8848']);
    expect(parseServerList('localhost:9000')).toEqual(['http://localhost:9000']);
  });

  it('splits comma and space separated lists, keeps order and drops duplicates', () => {
    expect(parseServerList(['a:1,b:2', ' c:3 a:1'])).toEqual(['http://a:1', 'http://b:2', 'http://c:3']);
  });

  it('keeps full URLs and drops a trailing /nacos context path', () => {
    expect(normalizeAddress('https://reg.example.com/nacos/')).toBe('https://reg.example.com');
    expect(normalizeAddress('http://h:1/')).toBe('http://h:1');
    expect(normalizeAddress('[::1]:8848')).toBe('http://[::1]:8848');
  });

  it('rejects empty lists and unsupported schemes', () => {
    expect(() => parseServerList(' , ')).toThrow('no Tacos server address given');
    expect(() => parseServerList('ftp://x:1')).toThrow('only http and https');
    expect(() => parseServerList('http://')).toThrow('invalid server address');
  });
});
