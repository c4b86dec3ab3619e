import { isNacosError, NACOS_ERROR_CODES, NACOS_ERROR_STATUS, NacosError, paramIllegal, paramRequired } from './errors';
import { parseSelector } from './service';

describe('NacosError', () => {
  it('carries a code whose status follows Nacos', () => {
    const err = new NacosError(NACOS_ERROR_CODES.NOT_FOUND, 'service x is not found!');
    expect(err.status).toBe(404);
    expect(isNacosError(err)).toBe(true);
    expect(isNacosError(err, 'CONFLICT')).toBe(false);
    expect(isNacosError(new Error('x'))).toBe(false);
  });

  it('maps every code to a status', () => {
    for (const code of Object.values(NACOS_ERROR_CODES)) expect(NACOS_ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(NACOS_ERROR_STATUS.PARAM_MISSING).toBe(400);
    expect(NACOS_ERROR_STATUS.NO_SUCH_API).toBe(501);
    expect(NACOS_ERROR_STATUS.PAYLOAD_TOO_LARGE).toBe(413);
  });

  it('formats the parameter messages', () => {
    expect(paramRequired('ip').message).toBe("Param 'ip' is required.");
    expect(paramIllegal('port', 'why').message).toBe("Param 'port' is illegal, why");
  });

  it('keeps the cause', () => {
    const cause = new Error('inner');
    expect(new NacosError('SERVER_ERROR', 'outer', { cause }).cause).toBe(cause);
  });
});

describe('parseSelector', () => {
  it('defaults to none and keeps label selectors', () => {
    expect(parseSelector(undefined)).toEqual({ type: 'none' });
    expect(parseSelector('{"type":"whatever"}')).toEqual({ type: 'none' });
    expect(parseSelector('{"type":"label","expression":"CONSUMER.label.a = PROVIDER.label.a"}')).toEqual({
      type: 'label',
      expression: 'CONSUMER.label.a = PROVIDER.label.a',
    });
    expect(() => parseSelector('{')).toThrow("Param 'selector' is illegal");
  });
});
