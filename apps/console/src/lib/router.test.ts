import { buildHash, parseHash } from './router';

test('parseHash defaults to the service list and reads parameters', () => {
  expect(parseHash('')).toEqual({ path: '/services', params: {} });
  expect(parseHash('#/')).toEqual({ path: '/services', params: {} });
  expect(parseHash('#/services/detail?name=a%40b&group=G')).toEqual({ path: '/services/detail', params: { name: 'a@b', group: 'G' } });
  expect(parseHash('#cluster')).toEqual({ path: '/cluster', params: {} });
});

test('buildHash round-trips and drops empty values', () => {
  const hash = buildHash('/services/detail', { name: 'order service', group: '', x: undefined });
  expect(hash).toBe('#/services/detail?name=order+service');
  expect(parseHash(hash).params).toEqual({ name: 'order service' });
});
