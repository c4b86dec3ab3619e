import { filterInstances } from './instance-filter';

const instances = [
  { ip: '10.0.0.1', port: 8080, metadata: { zone: 'eu-1', version: '1.0' } },
  { ip: '10.0.0.2', port: 8080, metadata: { zone: 'us-1', version: '1.1' } },
  { ip: '10.0.1.3', port: 9090 },
];

test('a blank query keeps everything (as a copy)', () => {
  const result = filterInstances(instances, '  ');
  expect(result).toEqual(instances);
  expect(result).not.toBe(instances);
});

test('matches ip:port substrings', () => {
  expect(filterInstances(instances, '10.0.0.').map((i) => i.ip)).toEqual(['10.0.0.1', '10.0.0.2']);
  expect(filterInstances(instances, ':9090').map((i) => i.ip)).toEqual(['10.0.1.3']);
});

test('matches key=value pairs, case-insensitively', () => {
  expect(filterInstances(instances, 'ZONE=EU').map((i) => i.ip)).toEqual(['10.0.0.1']);
  expect(filterInstances(instances, 'version=1.1').map((i) => i.ip)).toEqual(['10.0.0.2']);
});

test('every word must match some field', () => {
  expect(filterInstances(instances, '8080 zone=us').map((i) => i.ip)).toEqual(['10.0.0.2']);
  expect(filterInstances(instances, '9090 zone=us')).toEqual([]);
});
