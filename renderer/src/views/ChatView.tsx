import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { Conversation, Message, ModelRef, ModelSummary } from '../../../app/contract/dto';
import { RemoteError } from '../../../app/contract/VeilClient';
import { Composer } from '../components/Composer';
import { ConversationSettings } from '../components/ConversationSettings';
import { MessageList } from '../components/MessageList';
import { ModelPicker } from '../components/ModelPicker';
import { useAction, useCoalescedLoader, useVeilEvent } from '../lib/hooks';
import { displayTitle, titleFromMessage } from '../lib/displayTitle';
import { activePath, buildMessageTree } from '../lib/messageTree';
import { useUi } from '../UiContext';

export interface ChatViewProps {
  readonly conversationId: string;
  readonly models: readonly ModelSummary[];
  readonly composerRef: RefObject<HTMLTextAreaElement | null>;
  /** A message to scroll to and highlight (a search hit). */
  readonly focusMessageId?: string | undefined;
  /** The conversation list may need refreshing (new title, new activity). */
  onActivity(): void;
}

/** A placeholder for a message the core created, shown until the next fetch brings the stored one. */
function pendingMessage(
  id: string,
  parentId: string | null,
  role: Message['role'],
  content: string,
): Message {
  return { id, parentId, role, content, createdAt: Date.now() };
}

function withMessages(conversation: Conversation, added: Message[], activeLeafId: string): Conversation {
  const known = new Set(conversation.messages.map((message) => message.id));
  return {
    ...conversation,
    messages: [...conversation.messages, ...added.filter((message) => !known.has(message.id))],
    activeLeafId,
  };
}

async function downloadExport(fileName: string, content: string, type: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([content], { type }));
  try {
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = fileName;
    anchor.click();
  } finally {
    // The click starts the download synchronously; revoking on the next tick is safe.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

/** One conversation: header (title, model, settings), the message tree's active branch, and the composer. */
export function ChatView({ conversationId, models, composerRef, focusMessageId, onActivity }: ChatViewProps) {
  const { client, streams, reportError } = useUi();
  const [conversation, setConversation] = useState<Conversation>();
  const [generatingId, setGeneratingId] = useState<string>();
  const [showSettings, setShowSettings] = useState(false);
  const generatingRef = useRef<string | undefined>(undefined);
  generatingRef.current = generatingId;

  const apply = useCallback(
    (loaded: Conversation) => {
      for (const message of loaded.messages) {
        if (message.id === loaded.generatingMessageId) streams.seed(message.id, message.content);
        else streams.clear(message.id);
      }
      setConversation(loaded);
      setGeneratingId(loaded.generatingMessageId);
    },
    [streams],
  );

  const reload = useCoalescedLoader(async () => {
    try {
      apply(await client.call('chats.get', { id: conversationId }));
    } catch (error) {
      // Deleted (here or in another window) while shown: not an error to report, the list moves on.
      if (error instanceof Error && error.name === 'ConversationNotFoundError') onActivity();
      else throw error;
    }
  });

  useEffect(() => {
    setConversation(undefined);
    reload();
  }, [conversationId, reload]);

  useVeilEvent((event) => {
    switch (event.type) {
      case 'generation.finished':
        if (event.conversationId !== conversationId) break;
        if (generatingRef.current === event.messageId) setGeneratingId(undefined);
        if (event.error !== undefined) reportError(new RemoteError(event.error));
        reload();
        onActivity();
        break;
      case 'chats.changed':
        if (event.conversationId === undefined || event.conversationId === conversationId) reload();
        break;
      case 'generation.token':
      case 'download.progress':
      case 'models.changed':
      case 'provider.status':
        break;
    }
  });

  // Opening a conversation puts the cursor in the message box, ready to type (unless it opened on a search hit).
  const loaded = conversation !== undefined;
  useEffect(() => {
    if (loaded && focusMessageId === undefined) composerRef.current?.focus();
  }, [loaded, composerRef, focusMessageId]);

  const tree = useMemo(() => buildMessageTree(conversation?.messages ?? []), [conversation?.messages]);
  const path = useMemo(
    () => activePath(tree, conversation?.activeLeafId ?? null).filter((message) => message.role !== 'system'),
    [tree, conversation?.activeLeafId],
  );

  const [stop] = useAction(async () => {
    await client.call('chat.stop', { conversationId });
  });

  useEffect(() => {
    if (generatingId === undefined) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) void stop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [generatingId, stop]);

  // The core runs calls concurrently: a message sent right after a model change must not overtake it.
  const settingsUpdate = useRef<Promise<unknown>>(Promise.resolve());

  const [send] = useAction(async (content: string) => {
    await settingsUpdate.current;
    const parentId = conversation?.activeLeafId ?? null;
    const started = await client.call('chat.send', { conversationId, content });
    setGeneratingId(started.assistantMessageId);
    setConversation((current) =>
      current === undefined
        ? current
        : withMessages(
            current,
            [
              pendingMessage(started.userMessageId, parentId, 'user', content),
              pendingMessage(started.assistantMessageId, started.userMessageId, 'assistant', ''),
            ],
            started.assistantMessageId,
          ),
    );
    reload();
    onActivity();
    if (conversation?.title === '') {
      // An untitled conversation is named after its first message; the message is sent even if this fails.
      try {
        await client.call('chats.rename', { id: conversationId, title: titleFromMessage(content) });
      } catch (error) {
        reportError(error);
      }
    }
  });

  const onRegenerate = useCallback(
    async (message: Message) => {
      try {
        const started = await client.call('chat.regenerate', { conversationId, messageId: message.id });
        setGeneratingId(started.assistantMessageId);
        setConversation((current) =>
          current === undefined
            ? current
            : withMessages(
                current,
                [pendingMessage(started.assistantMessageId, message.parentId, 'assistant', '')],
                started.assistantMessageId,
              ),
        );
        reload();
      } catch (error) {
        reportError(error);
      }
    },
    [client, conversationId, reload, reportError],
  );

  const onEdit = useCallback(
    async (message: Message, content: string) => {
      try {
        const started = await client.call('chat.edit', { conversationId, messageId: message.id, content });
        setGeneratingId(started.assistantMessageId);
        setConversation((current) =>
          current === undefined
            ? current
            : withMessages(
                current,
                [
                  pendingMessage(started.userMessageId, message.parentId, 'user', content),
                  pendingMessage(started.assistantMessageId, started.userMessageId, 'assistant', ''),
                ],
                started.assistantMessageId,
              ),
        );
        reload();
        return true;
      } catch (error) {
        reportError(error);
        return false;
      }
    },
    [client, conversationId, reload, reportError],
  );

  const onSwitchVersion = useCallback(
    async (message: Message, offset: -1 | 1) => {
      const siblings = tree.children.get(message.parentId) ?? [];
      const target = siblings[siblings.findIndex((sibling) => sibling.id === message.id) + offset];
      if (target === undefined) return;
      try {
        apply(await client.call('chat.switchBranch', { conversationId, messageId: target.id }));
      } catch (error) {
        reportError(error);
      }
    },
    [apply, client, conversationId, reportError, tree],
  );

  const [changeModel] = useAction(async (modelRef: ModelRef) => {
    const update = client.call('chats.updateSettings', { id: conversationId, modelRef });
    settingsUpdate.current = (async () => {
      try {
        await update;
      } catch {
        // Reported by this action; a send waiting on it goes ahead with the settings as they are.
      }
    })();
    apply(await update);
    onActivity();
  });

  const [exportAs] = useAction(async (format: 'markdown' | 'json') => {
    const exported =
      format === 'markdown'
        ? await client.call('chats.exportMarkdown', { id: conversationId })
        : await client.call('chats.exportJson', { id: conversationId });
    await downloadExport(
      exported.fileName,
      exported.content,
      format === 'markdown' ? 'text/markdown' : 'application/json',
    );
  });

  if (conversation === undefined) {
    return <div className="chat-loading">Loading conversation…</div>;
  }

  const hasModel = conversation.modelRef !== undefined || models.length > 0;
  return (
    <section
      className="chat"
      data-testid="chat-view"
      data-conversation-id={conversation.id}
      data-model-id={conversation.modelRef?.id}
    >
      <header className="chat-header">
        <h1 className="chat-title" data-testid="chat-title" title={conversation.title}>
          {displayTitle(conversation.title)}
        </h1>
        <ModelPicker
          models={models}
          value={conversation.modelRef}
          disabled={generatingId !== undefined}
          onChange={(modelRef) => void changeModel(modelRef)}
        />
        <div className="chat-header-actions">
          <button type="button" onClick={() => void exportAs('markdown')} data-testid="export-markdown">
            Export .md
          </button>
          <button type="button" onClick={() => void exportAs('json')} data-testid="export-json">
            Export .json
          </button>
          <button
            type="button"
            aria-pressed={showSettings}
            data-testid="toggle-chat-settings"
            onClick={() => setShowSettings(!showSettings)}
          >
            Chat settings
          </button>
        </div>
      </header>
      <div className="chat-body">
        <div className="chat-main">
          {path.length === 0 ? (
            <div className="chat-empty" data-testid="chat-empty">
              <p>Send a message to start. Everything stays on this device.</p>
            </div>
          ) : (
            <MessageList
              conversationId={conversation.id}
              tree={tree}
              path={path}
              generatingId={generatingId}
              focusMessageId={focusMessageId}
              onSwitchVersion={onSwitchVersion}
              onEdit={onEdit}
              onRegenerate={onRegenerate}
            />
          )}
          <Composer
            ref={composerRef}
            generating={generatingId !== undefined}
            disabled={!hasModel}
            onSend={send}
            onStop={() => void stop()}
          />
        </div>
        {showSettings && (
          <aside className="chat-settings-panel">
            <ConversationSettings key={conversation.id} conversation={conversation} onSaved={apply} />
          </aside>
        )}
      </div>
    </section>
  );
}
