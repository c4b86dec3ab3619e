import { describeError } from '../lib/errors';

/** Shows a failure in place: what kind of failure (title) and the server's own words (detail). Renders nothing without an error. */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (error === undefined || error === null) return null;
  const { title, detail } = describeError(error);
  return (
    <div className="error" role="alert">
      <strong>{title}</strong>
      <span className="error-detail">{detail}</span>
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
