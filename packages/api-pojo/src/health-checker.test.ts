import { defaultHealthCheckers, parseHealthChecker } from './health-checker';

describe('health checkers', () => {
  it('parses each type with defaults', () => {
    expect(parseHealthChecker('{"type":"TCP"}')).toEqual({ type: 'TCP' });
    expect(parseHealthChecker('{"type":"HTTP","path":"/health"}')).toEqual({
      type: 'HTTP',
      path: '/health',
      headers: '',
      expectedResponseCode: 200,
    });
    expect(parseHealthChecker('{"type":"MYSQL","user":"u","pwd":"p","cmd":"select 1"}')).toEqual({
      type: 'MYSQL',
      user: 'u',
      pwd: 'p',
      cmd: 'select 1',
    });
    expect(parseHealthChecker('{"type":"NONE"}')).toEqual({ type: 'NONE' });
  });

  it('turns unknown or missing types into NONE, as Nacos does', () => {
    expect(parseHealthChecker('{"type":"GRPC"}')).toEqual({ type: 'NONE' });
    expect(parseHealthChecker('{}')).toEqual({ type: 'NONE' });
  });

  it('refuses malformed JSON and wrong field types naming healthChecker', () => {
    expect(() => parseHealthChecker('{')).toThrow("Param 'healthChecker' is illegal");
    expect(() => parseHealthChecker('[1]')).toThrow("Param 'healthChecker' is illegal");
    expect(() => parseHealthChecker('{"type":"HTTP","path":5}')).toThrow("Param 'healthChecker' is illegal");
  });

  it('lists one default checker per type', () => {
    expect(Object.keys(defaultHealthCheckers())).toEqual(['TCP', 'HTTP', 'MYSQL', 'NONE']);
  });
});
