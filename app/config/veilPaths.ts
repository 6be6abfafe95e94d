import os from 'node:os';
import path from 'node:path';

/** Where Veil keeps each kind of data. Every path lies under `home`. */
export interface VeilPaths {
  /** The data directory itself: `VEIL_HOME`, or the platform's per-user application data folder. */
  readonly home: string;
  /** Installed GGUF models and their manifest. */
  readonly models: string;
  /** Settings files. */
  readonly config: string;
  /** Identity and encryption keys. */
  readonly keys: string;
  /** The chat store's raw key file, used headless (`veil serve`, tests); the desktop app wraps its key instead. */
  readonly chatKeyFile: string;
  /** The encrypted chat store. */
  readonly chats: string;
  /** Disposable data (partial downloads, generated test models). */
  readonly cache: string;
}

/**
 * The platform's conventional per-user data folder for Veil: `~/Library/Application Support/Veil` on macOS,
 * `%APPDATA%\Veil` on Windows and `$XDG_DATA_HOME/veil` (default `~/.local/share/veil`) elsewhere. Electron's
 * `app.getPath('userData')` resolves to the same folder on macOS and Windows.
 */
export function defaultVeilHome(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  homeDir: string = os.homedir(),
): string {
  switch (platform) {
    case 'darwin':
      return path.join(homeDir, 'Library', 'Application Support', 'Veil');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(homeDir, 'AppData', 'Roaming'), 'Veil');
    default:
      return path.join(env.XDG_DATA_HOME ?? path.join(homeDir, '.local', 'share'), 'veil');
  }
}

/**
 * Resolves every data path. `VEIL_HOME` overrides the data directory everywhere (app, CLI, tests), so tests never
 * touch a user's real models, keys or chats.
 */
export function getVeilPaths(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): VeilPaths {
  const override = env.VEIL_HOME;
  const home =
    override !== undefined && override !== '' ? path.resolve(override) : defaultVeilHome(env, platform);
  const keys = path.join(home, 'keys');
  return {
    home,
    models: path.join(home, 'models'),
    config: path.join(home, 'config'),
    keys,
    chatKeyFile: path.join(keys, 'chat-store.key'),
    chats: path.join(home, 'chats'),
    cache: path.join(home, 'cache'),
  };
}
