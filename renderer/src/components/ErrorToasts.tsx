import type { ShownError } from '../lib/errorInfo';

export interface ToastError extends ShownError {
  readonly key: number;
  /** How many times the same error was reported in a row. */
  readonly count: number;
}

/** Failed calls, shown with their name and message until the user dismisses them. */
export function ErrorToasts({
  errors,
  onDismiss,
}: {
  errors: readonly ToastError[];
  onDismiss(key: number): void;
}) {
  if (errors.length === 0) return null;
  return (
    <div className="toasts" aria-live="assertive">
      {errors.map((error) => (
        <div key={error.key} className="toast" role="alert" data-testid="error-toast">
          <div>
            <strong data-testid="error-name">{error.name}</strong>
            {error.count > 1 && <span className="muted"> ×{error.count}</span>}
            <p data-testid="error-message">{error.message}</p>
          </div>
          <button
            type="button"
            aria-label="Dismiss"
            data-testid="error-dismiss"
            onClick={() => onDismiss(error.key)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
