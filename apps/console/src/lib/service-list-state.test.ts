import { INITIAL_SERVICE_LIST_STATE as S0, pageCount, rangeLabel, serviceListReducer as reduce } from './service-list-state';

describe('serviceListReducer', () => {
  const loaded = reduce(S0, { type: 'loaded', total: 10_000 });

  test('a filter change goes back to page 1', () => {
    const onPage7 = reduce(loaded, { type: 'page', pageNo: 7 });
    expect(onPage7.pageNo).toBe(7);
    expect(reduce(onPage7, { type: 'serviceName', value: 'order' })).toMatchObject({ serviceName: 'order', pageNo: 1 });
    expect(reduce(onPage7, { type: 'groupName', value: 'G' })).toMatchObject({ groupName: 'G', pageNo: 1 });
    expect(reduce(onPage7, { type: 'hideEmpty', value: true })).toMatchObject({ hideEmpty: true, pageNo: 1 });
  });

  test('an unchanged filter keeps the same state object (no reload)', () => {
    const onPage3 = reduce(loaded, { type: 'page', pageNo: 3 });
    expect(reduce(onPage3, { type: 'serviceName', value: '' })).toBe(onPage3);
  });

  test('pages are clamped to 1..last once the total is known', () => {
    expect(reduce(loaded, { type: 'page', pageNo: 0 }).pageNo).toBe(1);
    expect(reduce(loaded, { type: 'page', pageNo: 99_999 }).pageNo).toBe(500);
    expect(reduce(S0, { type: 'page', pageNo: 4 }).pageNo).toBe(4);
  });

  test('a page-size change keeps the first row in view', () => {
    const page3 = reduce(loaded, { type: 'page', pageNo: 3 }); // rows 41-60
    expect(reduce(page3, { type: 'pageSize', pageSize: 50 })).toMatchObject({ pageSize: 50, pageNo: 1 });
    expect(reduce(page3, { type: 'pageSize', pageSize: 10 })).toMatchObject({ pageSize: 10, pageNo: 5 });
  });

  test('a smaller total moves an out-of-range page to the last page', () => {
    const page9 = reduce(loaded, { type: 'page', pageNo: 9 });
    expect(reduce(page9, { type: 'loaded', total: 45 }).pageNo).toBe(3);
    expect(reduce(page9, { type: 'loaded', total: 0 }).pageNo).toBe(1);
  });

  test('reset clears filters but keeps the page size', () => {
    const s = reduce(reduce(loaded, { type: 'pageSize', pageSize: 100 }), { type: 'serviceName', value: 'x' });
    expect(reduce(s, { type: 'reset' })).toEqual({ ...S0, pageSize: 100 });
  });
});

test('pageCount and rangeLabel', () => {
  expect(pageCount(0, 20)).toBe(1);
  expect(pageCount(10_001, 20)).toBe(501);
  expect(rangeLabel({ pageNo: 2, pageSize: 20, total: 10_000 })).toBe('21–40 of 10,000');
  expect(rangeLabel({ pageNo: 3, pageSize: 20, total: 45 })).toBe('41–45 of 45');
  expect(rangeLabel({ pageNo: 1, pageSize: 20, total: 0 })).toBe('0 services');
});
