import { toYaml } from './yaml';

describe('toYaml', () => {
  it('writes nested objects and arrays in block style', () => {
    expect(toYaml({ name: 'order', hosts: [{ ip: '10.0.0.5', port: 8080, healthy: true }], metadata: {} })).toBe(
      'name: order\nhosts:\n  - ip: "10.0.0.5"\n    port: 8080\n    healthy: true\nmetadata: {}\n',
    );
  });

  it('quotes strings a YAML reader would take for something else', () => {
    expect(toYaml({ a: 'true', b: '', c: '12', d: 'x: y', e: null, f: 'DEFAULT_GROUP@@svc' })).toBe(
      'a: "true"\nb: ""\nc: "12"\nd: "x: y"\ne: null\nf: DEFAULT_GROUP@@svc\n',
    );
  });

  it('writes arrays of scalars and nested arrays, and leaves out undefined', () => {
    expect(toYaml({ list: ['a', 1, false], deep: [[1, 2]], gone: undefined })).toBe('list:\n  - a\n  - 1\n  - false\ndeep:\n  - - 1\n    - 2\n');
    expect(toYaml([])).toBe('[]\n');
  });
});
