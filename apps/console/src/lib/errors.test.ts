import { ApiError, isAuthError, messageFromBody } from '../api/http';
import { TitledError, describeError, isMissingEndpoint } from './errors';

const apiError = (status: number, message: string) => new ApiError({ status, message, path: '/v1/ns/service', method: 'POST' });

describe('describeError', () => {
  test("keeps the server's words and names the kind of failure", () => {
    expect(describeError(apiError(400, 'specified service already exists, serviceName : DEFAULT_GROUP@@a'))).toEqual({
      title: 'The server refused the request',
      detail: 'specified service already exists, serviceName : DEFAULT_GROUP@@a',
    });
    expect(describeError(apiError(404, 'service a is not found!')).title).toBe('Not found');
    expect(describeError(apiError(403, 'authorization failed!')).title).toBe('Not allowed');
    expect(describeError(apiError(503, 'server is DOWN now, please try again later!')).title).toBe('The server is not ready');
    expect(describeError(apiError(500, 'caused: boom;')).title).toBe('Server error (HTTP 500)');
    expect(describeError(apiError(501, 'no such api')).detail).toBe('POST /v1/ns/service: no such api');
  });

  test('an unreachable server says so', () => {
    expect(describeError(apiError(0, 'x')).title).toBe('Cannot reach the Tacos server');
  });

  test('plain errors and non-errors', () => {
    expect(describeError(new Error('bad'))).toEqual({ title: 'Something went wrong', detail: 'bad' });
    expect(describeError('text')).toEqual({ title: 'Something went wrong', detail: 'text' });
  });
});

test('isMissingEndpoint and isAuthError', () => {
  expect(isMissingEndpoint(apiError(404, ''))).toBe(true);
  expect(isMissingEndpoint(apiError(501, ''))).toBe(true);
  expect(isMissingEndpoint(apiError(400, ''))).toBe(false);
  expect(isAuthError(apiError(401, ''))).toBe(true);
  expect(isAuthError(apiError(403, 'token expired!'))).toBe(true);
  expect(isAuthError(apiError(403, 'unknown user!'))).toBe(true);
  expect(isAuthError(apiError(403, 'authorization failed!'))).toBe(false);
  expect(isAuthError(new Error('x'))).toBe(false);
});

test('messageFromBody reads plain text, JSON error pages and RestResult', () => {
  expect(messageFromBody('  instance not found \n', 400)).toBe('instance not found');
  expect(messageFromBody('{"status":403,"error":"Forbidden","message":"token invalid!"}', 403)).toBe('token invalid!');
  expect(messageFromBody('{"error":"Not Found"}', 404)).toBe('Not Found');
  expect(messageFromBody('', 502)).toBe('HTTP 502');
  expect(messageFromBody('<html>x</html>', 404)).toBe('HTTP 404');
});

test('a TitledError keeps its own title', () => {
  expect(describeError(new TitledError('Wrong username or password', 'The server answered: unknown user!'))).toEqual({
    title: 'Wrong username or password',
    detail: 'The server answered: unknown user!',
  });
});
