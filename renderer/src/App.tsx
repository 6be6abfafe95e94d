import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  ConversationSummary,
  DownloadState,
  ModelRef,
  ModelSummary,
  Settings,
  SystemInfo,
} from '../../app/contract/dto';
import { VeilClient } from '../../app/contract/VeilClient';
import { ConfirmDialog } from './components/ConfirmDialog';
import { ErrorToasts, type ToastError } from './components/ErrorToasts';
import { LockIcon } from './components/icons';
import { Sidebar, type View } from './components/Sidebar';
import { toShownError, type ShownError } from './lib/errorInfo';
import { useAction, useCoalescedLoader, useVeilEvent } from './lib/hooks';
import { StreamStore } from './lib/StreamStore';
import type { ConnectionStatus, UiTransport } from './transport/UiTransport';
import { UiContext, useUi, type ConfirmRequest, type UiServices } from './UiContext';
import { ChatView } from './views/ChatView';
import { FirstRunView } from './views/FirstRunView';
import { ModelsView } from './views/ModelsView';
import { SettingsView } from './views/SettingsView';

/** Errors kept on screen at once; older ones give way. */
const MAX_TOASTS = 5;

interface PendingConfirm {
  readonly request: ConfirmRequest;
  resolve(answer: boolean): void;
}

/** Provides the UI services (client, stream buffer, error toasts, confirmation dialog) around the shell. */
export function App({ transport }: { transport: UiTransport }) {
  const client = useMemo(() => new VeilClient(transport), [transport]);
  const streams = useMemo(() => new StreamStore(), []);
  const [errors, setErrors] = useState<readonly ToastError[]>([]);
  const [pendingConfirm, setPendingConfirm] = useState<PendingConfirm>();
  const nextKey = useRef(0);

  const reportError = useCallback((error: unknown) => {
    const shown = toShownError(error);
    setErrors((list) => {
      const last = list.at(-1);
      if (last !== undefined && last.name === shown.name && last.message === shown.message) {
        return [...list.slice(0, -1), { ...last, count: last.count + 1 }];
      }
      return [...list, { ...shown, key: nextKey.current++, count: 1 }].slice(-MAX_TOASTS);
    });
  }, []);

  const confirm = useCallback(
    (request: ConfirmRequest) => new Promise<boolean>((resolve) => setPendingConfirm({ request, resolve })),
    [],
  );

  useEffect(() => transport.onProblem(reportError), [transport, reportError]);

  const services = useMemo<UiServices>(
    () => ({ client, streams, reportError, confirm }),
    [client, streams, reportError, confirm],
  );

  return (
    <UiContext.Provider value={services}>
      <Shell transport={transport} />
      <ErrorToasts
        errors={errors}
        onDismiss={(key) => setErrors((list) => list.filter((item) => item.key !== key))}
      />
      {pendingConfirm !== undefined && (
        <ConfirmDialog
          request={pendingConfirm.request}
          onAnswer={(answer) => {
            setPendingConfirm(undefined);
            pendingConfirm.resolve(answer);
          }}
        />
      )}
    </UiContext.Provider>
  );
}

function byRecentActivity(a: ConversationSummary, b: ConversationSummary): number {
  return b.updatedAt - a.updatedAt;
}

function upsertDownload(list: readonly DownloadState[], download: DownloadState): DownloadState[] {
  const index = list.findIndex((item) => item.id === download.id);
  if (index === -1) return [...list, download];
  return list.map((item, position) => (position === index ? download : item));
}

function Shell({ transport }: { transport: UiTransport }) {
  const { client, streams } = useUi();
  const [status, setStatus] = useState<ConnectionStatus>(transport.status);
  const [info, setInfo] = useState<SystemInfo>();
  const [settings, setSettings] = useState<Settings>();
  const [models, setModels] = useState<readonly ModelSummary[]>();
  const [downloads, setDownloads] = useState<readonly DownloadState[]>([]);
  const [conversations, setConversations] = useState<readonly ConversationSummary[]>([]);
  const [selectedId, setSelectedId] = useState<string>();
  /** A search hit to bring into view once its conversation shows. */
  const [focus, setFocus] = useState<{ messageId: string }>();
  const [view, setView] = useState<View>('chat');
  const [chatsError, setChatsError] = useState<ShownError>();
  const [keyWarningDismissed, setKeyWarningDismissed] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);

  const loadModels = useCoalescedLoader(async () => setModels(await client.call('models.list')));
  const loadChats = useCoalescedLoader(async () => {
    try {
      const list = [...(await client.call('chats.list'))].sort(byRecentActivity);
      setChatsError(undefined);
      setConversations(list);
      setSelectedId((current) =>
        current !== undefined && list.some((item) => item.id === current) ? current : list[0]?.id,
      );
    } catch (error) {
      // Shown as a banner rather than a toast: a store that will not open is the app's main state, not an incident.
      setChatsError(toShownError(error));
    }
  });
  const loadRest = useCoalescedLoader(async () => {
    const [loadedInfo, loadedSettings, loadedDownloads] = await Promise.all([
      client.call('system.getInfo'),
      client.call('settings.get'),
      client.call('downloads.list'),
    ]);
    setInfo(loadedInfo);
    setSettings(loadedSettings);
    setDownloads(loadedDownloads);
  });

  const loadAll = useCallback(() => {
    loadRest();
    loadModels();
    loadChats();
  }, [loadRest, loadModels, loadChats]);

  useEffect(() => {
    loadAll();
    let lost = false;
    const unsubscribe = transport.onStatus((next) => {
      setStatus(next);
      if (next === 'closed') lost = true;
      // After a reconnect the core may have changed under us (or restarted): fetch everything again.
      if (next === 'open' && lost) {
        lost = false;
        loadAll();
      }
    });
    // The socket may have opened between the first render and this subscription.
    setStatus(transport.status);
    return unsubscribe;
  }, [transport, loadAll]);

  useVeilEvent((event) => {
    switch (event.type) {
      case 'generation.token':
        streams.append(event.messageId, event.text);
        break;
      case 'generation.finished':
        streams.flush();
        loadChats();
        // The reply may have loaded its model on demand.
        loadModels();
        break;
      case 'download.progress':
        setDownloads((list) => upsertDownload(list, event.download));
        if (event.download.state === 'done') loadModels();
        break;
      case 'models.changed':
        loadModels();
        break;
      case 'chats.changed':
        loadChats();
        break;
      case 'provider.status':
        break;
    }
  });

  useEffect(() => {
    document.documentElement.dataset.theme = settings?.theme ?? 'system';
  }, [settings?.theme]);

  const defaultModelRef = useCallback((): ModelRef | undefined => {
    const current = conversations.find((item) => item.id === selectedId)?.modelRef;
    if (current !== undefined) return current;
    const ready = (models ?? []).filter((model) => model.status === 'ready');
    const chosen = ready.find((model) => model.loaded) ?? ready[0];
    return chosen === undefined ? undefined : { kind: 'local', id: chosen.id };
  }, [conversations, models, selectedId]);

  const [newChat] = useAction(async () => {
    const modelRef = defaultModelRef();
    const created = await client.call('chats.create', modelRef === undefined ? {} : { modelRef });
    setConversations((list) => [
      { ...created, messageCount: 0 },
      ...list.filter((item) => item.id !== created.id),
    ]);
    setSelectedId(created.id);
    setView('chat');
    loadChats();
  });

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (!mod || event.altKey || event.shiftKey) return;
      const key = event.key.toLowerCase();
      if (key === 'n') {
        event.preventDefault();
        void newChat();
      } else if (key === 'k') {
        event.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [newChat]);

  const [openConversation] = useAction(async (id: string, messageId?: string) => {
    setSelectedId(id);
    setView('chat');
    setFocus(undefined);
    if (messageId === undefined) return;
    // A search hit may sit on another branch than the one on screen: show the branch that contains it.
    await client.call('chat.switchBranch', { conversationId: id, messageId });
    setFocus({ messageId });
  });

  const onChanged = useCallback(
    (deletedId?: string) => {
      if (deletedId !== undefined) {
        setConversations((list) => list.filter((item) => item.id !== deletedId));
        setSelectedId((current) => (current === deletedId ? undefined : current));
      }
      loadChats();
    },
    [loadChats],
  );

  const renderMain = () => {
    switch (view) {
      case 'settings':
        return settings === undefined ? (
          <p className="muted page">Loading settings…</p>
        ) : (
          <SettingsView settings={settings} info={info} onSaved={setSettings} />
        );
      case 'models':
        return <ModelsView models={models ?? []} downloads={downloads} info={info} />;
      case 'chat':
        if (models === undefined) return <p className="muted page">Loading…</p>;
        if (models.length === 0) return <FirstRunView downloads={downloads} info={info} />;
        if (selectedId === undefined) {
          return (
            <div className="no-chat" data-testid="no-chat">
              <h1>Private, on this device</h1>
              <p className="muted">Start a conversation with a local model.</p>
              <button type="button" className="primary" onClick={() => void newChat()}>
                + New chat <kbd>Ctrl/Cmd+N</kbd>
              </button>
            </div>
          );
        }
        return (
          <ChatView
            key={selectedId}
            conversationId={selectedId}
            focusMessageId={focus?.messageId}
            models={models}
            composerRef={composerRef}
            onActivity={loadChats}
          />
        );
    }
  };

  return (
    <div className="app">
      <Sidebar
        conversations={conversations}
        selectedId={selectedId}
        view={view}
        searchRef={searchRef}
        onSelect={(id, messageId) => void openConversation(id, messageId)}
        onNewChat={() => void newChat()}
        onView={setView}
        onChanged={onChanged}
      />
      <main className="main">
        <div className="topbar">
          <span
            className="local-badge"
            data-testid="local-badge"
            title="Models run on this device; chats are encrypted on disk"
          >
            <LockIcon /> Local: nothing leaves this device
          </span>
          <span className={`connection connection-${status}`} data-testid="connection-status">
            {status === 'open' ? 'Connected' : status === 'connecting' ? 'Connecting…' : 'Disconnected'}
          </span>
        </div>
        {status === 'closed' && (
          <div className="banner banner-warn" role="status" data-testid="connection-banner">
            The connection to Veil was lost. Retrying… If Veil was restarted, open the new address it printed.
          </div>
        )}
        {info !== undefined && !info.chatKey.protected && !keyWarningDismissed && (
          <div className="banner banner-warn" role="status" data-testid="key-warning">
            <span>
              {info.chatKey.warning ??
                'Your chat key is not protected by the operating system: anyone who can read your files can read your chats.'}
            </span>
            <button type="button" aria-label="Dismiss" onClick={() => setKeyWarningDismissed(true)}>
              ×
            </button>
          </div>
        )}
        {chatsError !== undefined && (
          <div className="banner banner-error" role="alert" data-testid="chats-error">
            <div>
              <strong>Your conversations could not be opened.</strong> {chatsError.name}: {chatsError.message}
            </div>
            <button type="button" data-testid="chats-retry" onClick={loadChats}>
              Retry
            </button>
          </div>
        )}
        <div className="main-content">{renderMain()}</div>
      </main>
    </div>
  );
}
