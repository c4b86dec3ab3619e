// State of the service list: filters and paging, as a reducer so it can be tested without a browser.
// Paging happens on the server (catalog/services pageNo/pageSize), so 10,000+ services cost one page.

/** Filters and page of the service list. */
export interface ServiceListState {
  serviceName: string;
  groupName: string;
  hideEmpty: boolean;
  pageNo: number;
  pageSize: number;
  /** Total count from the last answer; the page is clamped to it. */
  total: number;
}

/** Page sizes offered. */
export const PAGE_SIZES = [10, 20, 50, 100] as const;

/** The first state: no filter, page 1 of 20. */
export const INITIAL_SERVICE_LIST_STATE: ServiceListState = {
  serviceName: '',
  groupName: '',
  hideEmpty: false,
  pageNo: 1,
  pageSize: 20,
  total: 0,
};

/** Actions on the service list. */
export type ServiceListAction =
  | { type: 'serviceName'; value: string }
  | { type: 'groupName'; value: string }
  | { type: 'hideEmpty'; value: boolean }
  | { type: 'page'; pageNo: number }
  | { type: 'pageSize'; pageSize: number }
  | { type: 'loaded'; total: number }
  | { type: 'reset' };

/** Number of pages for a total (at least 1, so "page 1 of 1" shows for an empty list). */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(Math.max(0, total) / Math.max(1, pageSize)));
}

/**
 * The reducer. Any filter change goes back to page 1 (the old page may not exist in the new result). A
 * page number is clamped to 1..pageCount once a total is known; a page-size change keeps the first row in
 * view. A `loaded` total that makes the current page empty moves to the last page.
 */
export function serviceListReducer(state: ServiceListState, action: ServiceListAction): ServiceListState {
  switch (action.type) {
    case 'serviceName':
      return state.serviceName === action.value ? state : { ...state, serviceName: action.value, pageNo: 1 };
    case 'groupName':
      return state.groupName === action.value ? state : { ...state, groupName: action.value, pageNo: 1 };
    case 'hideEmpty':
      return state.hideEmpty === action.value ? state : { ...state, hideEmpty: action.value, pageNo: 1 };
    case 'page': {
      const last = state.total > 0 ? pageCount(state.total, state.pageSize) : Number.MAX_SAFE_INTEGER;
      const pageNo = Math.min(Math.max(1, Math.floor(action.pageNo) || 1), last);
      return pageNo === state.pageNo ? state : { ...state, pageNo };
    }
    case 'pageSize': {
      const pageSize = Math.max(1, Math.floor(action.pageSize) || INITIAL_SERVICE_LIST_STATE.pageSize);
      const firstRow = (state.pageNo - 1) * state.pageSize;
      return { ...state, pageSize, pageNo: Math.floor(firstRow / pageSize) + 1 };
    }
    case 'loaded': {
      const total = Math.max(0, action.total);
      const last = pageCount(total, state.pageSize);
      return { ...state, total, pageNo: Math.min(state.pageNo, last) };
    }
    case 'reset':
      return { ...INITIAL_SERVICE_LIST_STATE, pageSize: state.pageSize };
  }
}

/** "21–40 of 10,000" for the footer. */
export function rangeLabel(state: Pick<ServiceListState, 'pageNo' | 'pageSize' | 'total'>): string {
  if (state.total === 0) return '0 services';
  const from = (state.pageNo - 1) * state.pageSize + 1;
  const to = Math.min(state.total, state.pageNo * state.pageSize);
  return `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${state.total.toLocaleString('en-US')}`;
}
