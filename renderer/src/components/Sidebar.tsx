import { useEffect, useRef, useState, type RefObject } from 'react';
import type { ConversationSummary, SearchHit } from '../../../app/contract/dto';
import { useAction, useDebounced } from '../lib/hooks';
import { displayTitle } from '../lib/displayTitle';
import { PencilIcon, TrashIcon } from './icons';
import { useUi } from '../UiContext';

/** Wait after the last keystroke before searching. */
const SEARCH_DEBOUNCE_MS = 200;

export type View = 'chat' | 'models' | 'settings';

export interface SidebarProps {
  readonly conversations: readonly ConversationSummary[];
  readonly selectedId: string | undefined;
  readonly view: View;
  readonly searchRef: RefObject<HTMLInputElement | null>;
  /** Opens a conversation; with `messageId`, on the branch that contains that message (a search hit). */
  onSelect(id: string, messageId?: string): void;
  onNewChat(): void;
  onView(view: View): void;
  /** A conversation was renamed, deleted or imported. */
  onChanged(deletedId?: string): void;
}

function ConversationItem({
  conversation,
  selected,
  onSelect,
  onChanged,
}: {
  conversation: ConversationSummary;
  selected: boolean;
  onSelect(id: string): void;
  onChanged(deletedId?: string): void;
}) {
  const { client, confirm } = useUi();
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  // Enter commits and unmounts the input, which may also blur it: commit once.
  const committed = useRef(false);
  const startRename = () => {
    committed.current = false;
    setTitle(conversation.title);
    setRenaming(true);
  };
  const [rename] = useAction(async () => {
    if (committed.current) return;
    committed.current = true;
    const trimmed = title.trim();
    setRenaming(false);
    if (trimmed === '' || trimmed === conversation.title) return;
    await client.call('chats.rename', { id: conversation.id, title: trimmed });
    onChanged();
  });
  const [remove] = useAction(async () => {
    const ok = await confirm({
      title: 'Delete this conversation?',
      body: `“${displayTitle(conversation.title)}” and all its messages will be deleted from this device. This cannot be undone.`,
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!ok) return;
    await client.call('chats.delete', { id: conversation.id });
    onChanged(conversation.id);
  });

  return (
    <li
      className={`conversation-item ${selected ? 'selected' : ''}`}
      data-testid="conversation-item"
      data-conversation-id={conversation.id}
    >
      {renaming ? (
        <input
          data-testid="rename-input"
          aria-label="Conversation title"
          value={title}
          autoFocus
          maxLength={500}
          onChange={(event) => setTitle(event.target.value)}
          onBlur={() => void rename()}
          onKeyDown={(event) => {
            if (event.key === 'Enter') void rename();
            if (event.key === 'Escape') {
              event.stopPropagation();
              committed.current = true;
              setRenaming(false);
            }
          }}
        />
      ) : (
        <button
          type="button"
          className="conversation-open"
          aria-current={selected ? 'page' : undefined}
          onClick={() => onSelect(conversation.id)}
          onDoubleClick={startRename}
        >
          <span className="conversation-title" data-testid="conversation-title">
            {displayTitle(conversation.title)}
          </span>
          <small>{conversation.messageCount} messages</small>
        </button>
      )}
      <span className="conversation-actions">
        <button
          type="button"
          aria-label="Rename conversation"
          title="Rename"
          data-testid="rename-conversation"
          onClick={startRename}
        >
          <PencilIcon />
        </button>
        <button
          type="button"
          aria-label="Delete conversation"
          title="Delete"
          data-testid="delete-conversation"
          onClick={() => void remove()}
        >
          <TrashIcon />
        </button>
      </span>
    </li>
  );
}

/** Navigation, the conversation list, search (Ctrl/Cmd+K) and conversation import. */
export function Sidebar(props: SidebarProps) {
  const { client, reportError } = useUi();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<readonly SearchHit[]>();
  const debouncedQuery = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (debouncedQuery === '') {
      setHits(undefined);
      return undefined;
    }
    let current = true;
    const search = async () => {
      try {
        const found = await client.call('chats.search', { query: debouncedQuery.slice(0, 500) });
        if (current) setHits(found);
      } catch (error) {
        if (current) reportError(error);
      }
    };
    void search();
    return () => {
      current = false;
    };
  }, [client, debouncedQuery, reportError]);

  const [importFile] = useAction(async (file: File) => {
    const imported = await client.call('chats.importJson', { content: await file.text() });
    props.onChanged();
    props.onSelect(imported.id);
  });

  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          ◐
        </span>
        Veil
      </div>
      <nav className="nav" aria-label="Main">
        <button
          type="button"
          className="primary"
          data-testid="new-chat"
          onClick={props.onNewChat}
          title="New chat (Ctrl/Cmd+N)"
        >
          + New chat
        </button>
        <div className="nav-tabs">
          {(['chat', 'models', 'settings'] as const).map((view) => (
            <button
              key={view}
              type="button"
              data-testid={`nav-${view}`}
              aria-current={props.view === view ? 'page' : undefined}
              onClick={() => props.onView(view)}
            >
              {view === 'chat' ? 'Chats' : view === 'models' ? 'Models' : 'Settings'}
            </button>
          ))}
        </div>
      </nav>
      <input
        ref={props.searchRef}
        type="search"
        className="search"
        data-testid="search-input"
        aria-label="Search conversations"
        placeholder="Search chats (Ctrl/Cmd+K)"
        value={query}
        maxLength={500}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            setQuery('');
          }
        }}
      />
      {hits !== undefined ? (
        <ul className="search-results" data-testid="search-results">
          {hits.length === 0 && <li className="muted">No matches</li>}
          {hits.map((hit) => (
            <li key={`${hit.conversationId}/${hit.messageId ?? ''}`}>
              <button
                type="button"
                data-testid="search-result"
                onClick={() => {
                  props.onSelect(hit.conversationId, hit.messageId);
                  setQuery('');
                }}
              >
                <strong>{displayTitle(hit.title)}</strong>
                <small>{hit.snippet}</small>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <ul className="conversation-list" data-testid="conversation-list">
          {props.conversations.length === 0 && <li className="muted">No conversations yet</li>}
          {props.conversations.map((conversation) => (
            <ConversationItem
              key={conversation.id}
              conversation={conversation}
              selected={conversation.id === props.selectedId && props.view === 'chat'}
              onSelect={props.onSelect}
              onChanged={props.onChanged}
            />
          ))}
        </ul>
      )}
      <div className="sidebar-footer">
        <button type="button" data-testid="import-chat" onClick={() => fileRef.current?.click()}>
          Import chat (.json)
        </button>
        <input
          ref={fileRef}
          type="file"
          accept="application/json,.json"
          hidden
          data-testid="import-chat-file"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file !== undefined) void importFile(file);
          }}
        />
      </div>
    </aside>
  );
}
