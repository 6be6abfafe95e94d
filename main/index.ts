import path from 'node:path';
import {
  app,
  type BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  safeStorage,
  screen,
  session,
  shell,
  type MessageBoxOptions,
} from 'electron';
import { getVeilPaths } from '../app/config/veilPaths';
import { toErrorMessage } from '../app/errors/toErrorMessage';
import { createEventSender } from './ipc/createEventSender';
import { registerIpcHandlers, type IpcHandlerRegistration } from './ipc/registerIpcHandlers';
import { SafeStorageChatKeyProvider } from './keys/SafeStorageChatKeyProvider';
import { buildAppMenuTemplate } from './menu/buildAppMenuTemplate';
import { confirmAndOpenExternal } from './security/confirmAndOpenExternal';
import {
  developmentCsp,
  installContentSecurityPolicy,
  PRODUCTION_CSP,
} from './security/contentSecurityPolicy';
import { createAppUrlMatcher } from './security/createAppUrlMatcher';
import { denyAllPermissions } from './security/denyAllPermissions';
import { guardWebContents } from './security/guardWebContents';
import { startCore, type CoreHost } from './startCore';
import { VeilTray } from './tray/VeilTray';
import { createMainWindow } from './window/createMainWindow';
import { WindowStateStore } from './window/WindowStateStore';

// Electron glue only: lifecycle, the window, the tray and the IPC transport. Business logic lives in app/.

/** Opened from Help ▸ Veil Help, after confirmation like every external link. */
const HELP_URL = 'https://github.com/veil-app/veil#readme';

const paths = getVeilPaths(process.env);
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const rendererIndexPath = path.join(import.meta.dirname, '../renderer/index.html');
const preloadPath = path.join(import.meta.dirname, '../preload/index.cjs');
const isAppUrl = createAppUrlMatcher({ rendererIndexPath, devServerUrl });

let mainWindow: BrowserWindow | undefined;
let windowState: WindowStateStore | undefined;
let tray: VeilTray | undefined;
let core: CoreHost | undefined;
let ipcRegistration: IpcHandlerRegistration | undefined;
let stopForwardingEvents: (() => void) | undefined;

// Before `ready`, and before any await: every renderer is sandboxed, whatever a window asks for.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, { isAppUrl, offerExternalLink: (url) => void openExternalLink(url) });
  });
  app.on('second-instance', () => void showMainWindow());
  app.on('activate', () => void showMainWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  handleQuit();

  await app.whenReady();
  try {
    await start();
  } catch (error) {
    // Without this the app would sit invisible with no window; the message names the failing step, never data.
    dialog.showErrorBox('Veil could not start', toErrorMessage(error));
    app.exit(1);
  }
}

async function start(): Promise<void> {
  if (process.platform === 'win32') app.setAppUserModelId('app.veil.desktop');
  denyAllPermissions(session.defaultSession);
  installContentSecurityPolicy(
    session.defaultSession,
    isAppUrl,
    devServerUrl === undefined ? PRODUCTION_CSP : developmentCsp(devServerUrl),
  );
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildAppMenuTemplate({
        platform: process.platform,
        isPackaged: app.isPackaged,
        openHelp: () => void openExternalLink(HELP_URL),
      }),
    ),
  );
  windowState = await WindowStateStore.load({
    filePath: path.join(paths.config, 'window-state.json'),
    getWorkAreaMatching: (rect) => screen.getDisplayMatching(rect).workArea,
    getPrimaryWorkArea: () => screen.getPrimaryDisplay().workArea,
  });
  tray = new VeilTray({ show: () => void showMainWindow(), quit: () => app.quit() });

  core = await startCore({
    paths,
    chatKeyProvider: new SafeStorageChatKeyProvider({
      wrappedKeyPath: path.join(paths.keys, 'chat-key.safe'),
      safeStorage,
    }),
    appVersion: app.getVersion(),
  });
  ipcRegistration = registerIpcHandlers(
    { ipcMain, getTrustedFrame: () => liveWindow()?.webContents.mainFrame, isAppUrl },
    core.handlers,
  );
  stopForwardingEvents = core.onEvent(createEventSender(() => liveWindow()?.webContents));

  await showMainWindow();
}

/** The main window unless it is gone; a destroyed window throws on every property access. */
function liveWindow(): BrowserWindow | undefined {
  return mainWindow !== undefined && !mainWindow.isDestroyed() ? mainWindow : undefined;
}

async function showMainWindow(): Promise<void> {
  if (!app.isReady() || windowState === undefined) return;
  if (mainWindow !== undefined) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
    return;
  }
  const window = createMainWindow({ state: windowState.initial, preloadPath, isPackaged: app.isPackaged });
  mainWindow = window;
  windowState.track(window);
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  if (devServerUrl !== undefined) await window.loadURL(devServerUrl);
  else await window.loadFile(rendererIndexPath);
}

async function openExternalLink(url: string): Promise<void> {
  const window = liveWindow();
  await confirmAndOpenExternal(url, {
    showMessageBox: async (options: MessageBoxOptions) =>
      window === undefined
        ? await dialog.showMessageBox(options)
        : await dialog.showMessageBox(window, options),
    openExternal: async (target) => await shell.openExternal(target),
  });
}

/**
 * `before-quit` cannot wait for promises, so the first one is cancelled, the core and stores are shut down, and the
 * app quits again once they are.
 */
function handleQuit(): void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    void (async () => {
      try {
        await shutdown();
      } catch (error) {
        console.error(`shutdown: ${toErrorMessage(error)}`);
      }
      state = 'stopped';
      app.quit();
    })();
  });
}

async function shutdown(): Promise<void> {
  stopForwardingEvents?.();
  ipcRegistration?.dispose();
  await core?.dispose();
  await windowState?.dispose();
  tray?.dispose();
}
