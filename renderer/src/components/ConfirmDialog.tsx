import { useEffect, useRef } from 'react';
import type { ConfirmRequest } from '../UiContext';

/** A modal question: Enter or the confirm button says yes; Esc, the backdrop or Cancel says no. */
export function ConfirmDialog({
  request,
  onAnswer,
}: {
  request: ConfirmRequest;
  onAnswer(answer: boolean): void;
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // Focus starts on Cancel: a stray Enter must not open a link or delete something.
    cancelRef.current?.focus();
  }, []);
  return (
    <div className="dialog-backdrop" onMouseDown={() => onAnswer(false)}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        data-testid="confirm-dialog"
        onMouseDown={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            onAnswer(false);
          }
        }}
      >
        <h2 id="confirm-title">{request.title}</h2>
        <p className="dialog-body" data-testid="confirm-body">
          {request.body}
        </p>
        <div className="row end">
          <button ref={cancelRef} type="button" data-testid="confirm-cancel" onClick={() => onAnswer(false)}>
            Cancel
          </button>
          <button
            type="button"
            className={request.danger === true ? 'danger' : 'primary'}
            data-testid="confirm-ok"
            onClick={() => onAnswer(true)}
          >
            {request.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
