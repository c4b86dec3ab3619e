import { seededRandom } from '@tacos/testkit';
import { QueryParams } from './query-string';

/** Pairs as URLSearchParams, the reference, reads them. */
function reference(query: string): Array<[string, string]> {
  return [...new URLSearchParams(query)];
}


// Pieces that stress the decoder: separators, escapes valid and broken, UTF-8 and surrogates.
const PIECES = ['a', 'Z', '0', '=', '&', '+', '%', '%2', '%20', '%2B', '%26', '%3D', '%zz', '%C3%A9', '%E2%9C%93', '%C3', '%ED%A0%80', '%F0%9F%98%80', 'é', '✓', '@@', '{"', '"}', ' ', '.', '-', '_', '~'];

describe('QueryParams', () => {
  it('reads what the Nacos clients send', () => {
    const beat = JSON.stringify({ cluster: 'DEFAULT', ip: '127.0.0.1', port: 80, serviceName: 'DEFAULT_GROUP@@svc', weight: 1, scheduled: true });
    const q = QueryParams.parse(`serviceName=DEFAULT_GROUP%40%40svc&groupName=DEFAULT_GROUP&beat=${encodeURIComponent(beat)}&namespaceId=`);
    expect(q.get('serviceName')).toBe('DEFAULT_GROUP@@svc');
    expect(q.get('beat')).toBe(beat);
    expect(q.get('namespaceId')).toBe('');
    expect(q.get('ip')).toBeUndefined();
  });

  it('keeps the first of repeated names, and every pair in order', () => {
    const q = QueryParams.parse('a=1&b=2&a=3');
    expect(q.get('a')).toBe('1');
    expect([...q]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['a', '3'],
    ]);
  });

  it.each([
    '',
    '&',
    '&&a=1&&',
    'a',
    'a=',
    '=b',
    '=',
    'a=b=c',
    'a+b=c+d',
    'a%20b=%2B',
    'x=%zz',
    'x=%',
    'x=100%',
    'x=%C3',
    'x=%ED%A0%80',
    'x=%F0%9F%98%80',
    'é=✓',
  ])('parses %j exactly as URLSearchParams', (query) => {
    expect([...QueryParams.parse(query)]).toEqual(reference(query));
  });

  it('agrees with URLSearchParams on 5,000 random queries built from tricky pieces', () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const random = seededRandom(seed);
      let query = '';
      const n = Math.floor(random() * 12);
      for (let i = 0; i < n; i++) query += PIECES[Math.floor(random() * PIECES.length)];
      const got = [...QueryParams.parse(query)];
      if (JSON.stringify(got) !== JSON.stringify(reference(query))) {
        throw new Error(`seed ${seed}: ${JSON.stringify(query)} parsed as ${JSON.stringify(got)}, URLSearchParams says ${JSON.stringify(reference(query))}`);
      }
    }
  });

  it('gives the first result of a function over the parameters in order, or undefined', () => {
    const query = QueryParams.parse('a=1&b=22&c=333&b=4');
    const seen: string[] = [];
    expect(
      query.firstResult((name, value) => {
        seen.push(name);
        return value.length > 1 ? `${name}=${value}` : undefined;
      }),
    ).toBe('b=22');
    expect(seen).toEqual(['a', 'b']);
    expect(query.firstResult(() => undefined)).toBeUndefined();
    expect(QueryParams.parse('').firstResult(() => 'never called')).toBeUndefined();
  });
});
