import { isNacosError } from '@tacos/api-pojo';
import {
  checkParams,
  findForbiddenKey,
  jsonTextDepth,
  MAX_JSON_DEPTH,
  MAX_PARAM_LENGTH,
  parseUntrustedJson,
  securityHeaders,
} from './hostile-input';

describe('jsonTextDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['[[]]', 2],
    ['{"a":[{"b":1}]}', 3],
    ['"[[[[[["', 0],
    ['{"a":"\\"[[["}', 1],
    ['[1,[2],[3,[4]]]', 3],
    [']]]]][[[', 3],
  ])('%s → %d', (text, depth) => {
    expect(jsonTextDepth(text)).toBe(depth);
  });

  it('scans a million-deep bomb without recursion and stops early', () => {
    const bomb = '['.repeat(1_000_000);
    expect(jsonTextDepth(bomb, 16)).toBe(17);
    expect(jsonTextDepth(bomb)).toBe(1_000_000);
  });
});

describe('findForbiddenKey', () => {
  it('finds __proto__, constructor and prototype at any depth', () => {
    expect(findForbiddenKey(JSON.parse('{"a":{"b":[{"__proto__":{"polluted":1}}]}}'))).toBe('__proto__');
    expect(findForbiddenKey({ a: [{ constructor: { prototype: {} } }] })).toBe('constructor');
    expect(findForbiddenKey({ a: 1, b: ['__proto__'] })).toBeUndefined();
    expect(findForbiddenKey(null)).toBeUndefined();
  });
});

describe('parseUntrustedJson', () => {
  function message(fn: () => unknown): string {
    try {
      fn();
    } catch (err) {
      expect(isNacosError(err, 'INVALID_PARAM')).toBe(true);
      return (err as Error).message;
    }
    throw new Error('expected a throw');
  }

  it('parses ordinary metadata', () => {
    expect(parseUntrustedJson('metadata', '{"version":"1.0","zone":"a"}')).toEqual({ version: '1.0', zone: 'a' });
  });

  it('refuses deep nesting, naming the field, without echoing the value', () => {
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(message(() => parseUntrustedJson('metadata', deep))).toBe(`Param 'metadata' is illegal, JSON nesting deeper than ${MAX_JSON_DEPTH}`);
    expect(parseUntrustedJson('metadata', `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBeDefined();
  });

  it('refuses prototype-pollution keys', () => {
    expect(message(() => parseUntrustedJson('metadata', '{"__proto__":{"isAdmin":true}}'))).toBe("Param 'metadata' is illegal, key '__proto__' is not allowed");
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('reports problems in order: length, depth, validity, forbidden keys', () => {
    const tooDeep = (inner: string) => `${'{"a":'.repeat(MAX_JSON_DEPTH)}${inner}${'}'.repeat(MAX_JSON_DEPTH)}`;
    const deeper = `Param 'metadata' is illegal, JSON nesting deeper than ${MAX_JSON_DEPTH}`;
    // Deep and not JSON: too deep (the text is scanned when the parse fails).
    expect(message(() => parseUntrustedJson('metadata', `${'['.repeat(100)}x`))).toBe(deeper);
    // Deep, with a forbidden key above the deep part: too deep.
    expect(message(() => parseUntrustedJson('metadata', `{"__proto__":1,"b":${tooDeep('[]')}}`))).toBe(deeper);
    // Objects and arrays count alike; an empty one is a level too.
    expect(message(() => parseUntrustedJson('metadata', tooDeep('{}')))).toBe(deeper);
    expect(parseUntrustedJson('metadata', tooDeep('1'))).toBeDefined();
    // Forbidden keys anywhere within the depth, in arrays too.
    expect(message(() => parseUntrustedJson('metadata', '{"a":[1,{"b":{"constructor":{}}}]}'))).toBe("Param 'metadata' is illegal, key 'constructor' is not allowed");
    expect(message(() => parseUntrustedJson('metadata', `${'['.repeat(100)}`))).toBe(deeper);
  });

  it('refuses invalid JSON and over-long values', () => {
    expect(message(() => parseUntrustedJson('beat', '{"ip":'))).toBe("Param 'beat' is illegal, not valid JSON");
    expect(message(() => parseUntrustedJson('healthChecker', 'x'.repeat(20_000)))).toBe("Param 'healthChecker' is illegal, it must be at most 16384 characters long");
  });
});

describe('checkParams', () => {
  it('accepts ordinary parameters', () => {
    expect(checkParams([['serviceName', 'DEFAULT_GROUP@@order'], ['ip', '10.0.0.1'], ['metadata', '{}']])).toBeUndefined();
  });

  it('refuses forbidden names and over-long values, naming the field', () => {
    expect(checkParams([['__proto__', 'x']])).toBe("Param '__proto__' is not allowed");
    expect(checkParams([['serviceName', 'x'.repeat(513)]])).toBe("Param 'serviceName' is illegal, it must be at most 512 characters long");
    expect(checkParams([['whatever', 'x'.repeat(MAX_PARAM_LENGTH + 1)]])).toBe(`Param 'whatever' is illegal, it must be at most ${MAX_PARAM_LENGTH} characters long`);
    expect(checkParams([['n'.repeat(129), '']])).toBe('a parameter name is longer than 128 characters');
    expect(checkParams([['toString', 'x'.repeat(MAX_PARAM_LENGTH + 1)]])).toMatch(/at most 4096/);
  });
});

describe('securityHeaders', () => {
  it('gives the console a strict CSP that forbids framing, inline script and plugins', () => {
    const headers = new Map(securityHeaders({ console: true }));
    const csp = headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(headers.get('X-Frame-Options')).toBe('DENY');
    expect(headers.get('Referrer-Policy')).toBe('no-referrer');
  });

  it('gives API answers the same headers without the CSP', () => {
    const headers = new Map(securityHeaders({ console: false }));
    expect(headers.has('Content-Security-Policy')).toBe(false);
    expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});
