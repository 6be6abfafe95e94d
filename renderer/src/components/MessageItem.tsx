import { memo, useState, useSyncExternalStore } from 'react';
import type { Message } from '../../../app/contract/dto';
import { copyText } from '../lib/clipboard';
import { useUi } from '../UiContext';
import { Markdown } from './Markdown';

export interface MessageItemProps {
  readonly message: Message;
  /** How many versions (siblings) this message has, and which one it is (0-based). */
  readonly versionCount: number;
  readonly versionIndex: number;
  /** This message is the reply being generated right now. */
  readonly streaming: boolean;
  /** Some reply in the conversation is being generated: editing and regenerating wait for it. */
  readonly busy: boolean;
  onSwitchVersion(message: Message, offset: -1 | 1): void;
  onEdit(message: Message, content: string): Promise<boolean>;
  onRegenerate(message: Message): void;
}

/** The text of a message, live from the stream buffer while it is being generated. */
function useMessageText(message: Message, streaming: boolean): { text: string; tokens: number | undefined } {
  const { streams } = useUi();
  const snapshot = useSyncExternalStore(
    (listener) => streams.subscribe(message.id, listener),
    () => streams.get(message.id),
  );
  // While streaming the buffer is the truth. Once the stored message has a finish reason its text is final; until
  // then (the fetch after the end is still on its way) the buffer is shown if it holds more.
  const useStream =
    snapshot !== undefined &&
    (streaming || (message.finishReason === undefined && snapshot.text.length > message.content.length));
  if (useStream) {
    return { text: snapshot.text, tokens: snapshot.tokens };
  }
  return { text: message.content, tokens: undefined };
}

export const MessageItem = memo(function MessageItem(props: MessageItemProps) {
  const { message, versionCount, versionIndex, streaming, busy } = props;
  const { reportError } = useUi();
  const { text, tokens } = useMessageText(message, streaming);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [copied, setCopied] = useState(false);
  const isUser = message.role === 'user';

  const saveEdit = async () => {
    const content = draft.trim();
    if (content === '' || content === message.content) {
      setEditing(false);
      return;
    }
    if (await props.onEdit(message, content)) setEditing(false);
  };

  return (
    <article
      className={`message message-${message.role}`}
      data-testid="message"
      data-role={message.role}
      data-message-id={message.id}
      data-finish-reason={message.finishReason}
      data-completion-tokens={message.completionTokens}
    >
      <header className="message-header">
        <span className="message-role">{isUser ? 'You' : 'Assistant'}</span>
        {versionCount > 1 && (
          <span className="version-switcher" data-testid="version-switcher">
            <button
              type="button"
              aria-label="Previous version"
              data-testid="version-prev"
              disabled={versionIndex === 0 || busy}
              onClick={() => props.onSwitchVersion(message, -1)}
            >
              ‹
            </button>
            <span data-testid="version-label">
              {versionIndex + 1}/{versionCount}
            </span>
            <button
              type="button"
              aria-label="Next version"
              data-testid="version-next"
              disabled={versionIndex === versionCount - 1 || busy}
              onClick={() => props.onSwitchVersion(message, 1)}
            >
              ›
            </button>
          </span>
        )}
        {streaming && (
          <span className="message-streaming" aria-label="Generating">
            ●
          </span>
        )}
      </header>
      {editing ? (
        <div className="message-editor">
          <textarea
            data-testid="edit-input"
            value={draft}
            autoFocus
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                event.preventDefault();
                void saveEdit();
              } else if (event.key === 'Escape') {
                event.stopPropagation();
                setEditing(false);
              }
            }}
          />
          <div className="row">
            <button type="button" className="primary" data-testid="edit-save" onClick={() => void saveEdit()}>
              Save &amp; submit
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div
          className="message-content"
          data-testid="message-content"
          data-streaming={streaming ? 'true' : 'false'}
          data-tokens={tokens}
        >
          {isUser ? <p className="plain-text">{text}</p> : <Markdown text={text} />}
          {streaming && text === '' && <span className="typing">Thinking…</span>}
        </div>
      )}
      {message.error !== undefined && (
        <div className="message-error" role="alert" data-testid="message-error">
          <strong>{message.error.name}</strong>: {message.error.message}
        </div>
      )}
      {message.finishReason === 'aborted' && <div className="message-note">Stopped</div>}
      {!editing && (
        <footer className="message-actions">
          <button
            type="button"
            data-testid="copy-message"
            onClick={async () => {
              try {
                await copyText(text);
                setCopied(true);
                setTimeout(() => setCopied(false), 1500);
              } catch (error) {
                reportError(error);
              }
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
          {isUser && (
            <button
              type="button"
              data-testid="edit-message"
              disabled={busy}
              onClick={() => {
                setDraft(message.content);
                setEditing(true);
              }}
            >
              Edit
            </button>
          )}
          {message.role === 'assistant' && !streaming && message.completionTokens !== undefined && (
            <span className="message-meta">{message.completionTokens} tokens</span>
          )}
          {message.role === 'assistant' && (
            <button
              type="button"
              data-testid="regenerate"
              disabled={busy}
              onClick={() => props.onRegenerate(message)}
            >
              Regenerate
            </button>
          )}
        </footer>
      )}
    </article>
  );
});
