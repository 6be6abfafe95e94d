import { forwardRef, useState } from 'react';

export interface ComposerProps {
  readonly generating: boolean;
  readonly disabled: boolean;
  /** Resolves whether the message was accepted; the draft is kept when it was not. */
  onSend(content: string): Promise<boolean>;
  onStop(): void;
}

/** The message box: Enter sends, Shift+Enter adds a line, the button turns into Stop while a reply streams. */
export const Composer = forwardRef<HTMLTextAreaElement, ComposerProps>(function Composer(props, ref) {
  const { generating, disabled } = props;
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);

  const send = async () => {
    const content = draft.trim();
    if (content === '' || generating || sending || disabled) return;
    setSending(true);
    try {
      if (await props.onSend(content)) setDraft('');
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <textarea
        ref={ref}
        data-testid="composer-input"
        aria-label="Message"
        placeholder={
          disabled
            ? 'Pick a model to start chatting'
            : 'Message Veil (Enter to send, Shift+Enter for a new line)'
        }
        value={draft}
        disabled={disabled}
        rows={1}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            void send();
          }
        }}
      />
      {generating ? (
        <button
          type="button"
          className="danger"
          data-testid="stop-button"
          onClick={props.onStop}
          title="Stop (Esc)"
        >
          Stop
        </button>
      ) : (
        <button
          type="submit"
          className="primary"
          data-testid="send-button"
          disabled={disabled || sending || draft.trim() === ''}
          title="Send (Enter)"
        >
          Send
        </button>
      )}
    </form>
  );
});
