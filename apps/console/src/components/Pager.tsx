import { PAGE_SIZES, pageCount, rangeLabel } from '../lib/service-list-state';

/** Previous/next paging with a page-size picker and a "21–40 of N" label. */
export function Pager({
  pageNo,
  pageSize,
  total,
  onPage,
  onPageSize,
}: {
  pageNo: number;
  pageSize: number;
  total: number;
  onPage: (pageNo: number) => void;
  onPageSize?: (pageSize: number) => void;
}) {
  const pages = pageCount(total, pageSize);
  return (
    <div className="pager">
      <span className="muted">{rangeLabel({ pageNo, pageSize, total })}</span>
      <button type="button" onClick={() => onPage(1)} disabled={pageNo <= 1} aria-label="First page">
        «
      </button>
      <button type="button" onClick={() => onPage(pageNo - 1)} disabled={pageNo <= 1} aria-label="Previous page">
        ‹
      </button>
      <span>
        {pageNo} / {pages}
      </span>
      <button type="button" onClick={() => onPage(pageNo + 1)} disabled={pageNo >= pages} aria-label="Next page">
        ›
      </button>
      <button type="button" onClick={() => onPage(pages)} disabled={pageNo >= pages} aria-label="Last page">
        »
      </button>
      {onPageSize && (
        <select aria-label="Page size" value={pageSize} onChange={(event) => onPageSize(Number(event.target.value))}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size} / page
            </option>
          ))}
        </select>
      )}
    </div>
  );
}
