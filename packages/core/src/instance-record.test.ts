import { detach } from './instance-record';

describe('detach', () => {
  it('returns an equal string for short, long, concatenated, sliced and non-ASCII values', () => {
    const url = `serviceName=svc&ip=127.100.200.250&port=8080&clusterName=${'c'.repeat(40)}`;
    const sliced = url.slice(url.indexOf('ip=') + 3, url.indexOf('&port'));
    const cons = `${sliced}:${8080}:unknown:${'DEFAULT'}`;
    for (const value of ['', 'DEFAULT', sliced, cons, 'ünïcødé-naмe-😀-and-more', '"quoted\\\\back\nslash"']) {
      expect(detach(value)).toBe(value);
    }
  });
});
