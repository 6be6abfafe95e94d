import { BrowserWindow } from 'electron';
import type { WindowState } from './WindowState';
import { MIN_WINDOW_HEIGHT, MIN_WINDOW_WIDTH } from './WindowState';

export interface MainWindowOptions {
  /** Where the window opens (from the window-state store). */
  readonly state: WindowState;
  /** Absolute path of the built CommonJS preload. */
  readonly preloadPath: string;
  /** Developer tools are available in development only. */
  readonly isPackaged: boolean;
}

/**
 * The one Veil window. Every webPreferences security switch is spelled out even where it equals Electron's default,
 * so a future default change or a copy-paste cannot weaken it silently (and Electronegativity can see each one).
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const { state } = options;
  const window = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: MIN_WINDOW_WIDTH,
    minHeight: MIN_WINDOW_HEIGHT,
    show: false,
    title: 'Veil',
    backgroundColor: '#1c1e4a',
    webPreferences: {
      preload: options.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // Off as in Signal: some platforms fetch spelling dictionaries over the network.
      spellcheck: false,
      devTools: !options.isPackaged,
      // Middle-click would otherwise try to open links in a new window (denied anyway by the window-open handler).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  window.once('ready-to-show', () => {
    if (state.maximized) window.maximize();
    window.show();
  });
  return window;
}
