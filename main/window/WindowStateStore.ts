import fs from 'node:fs/promises';
import path from 'node:path';
import { VeilError } from '../../app/errors/VeilError';
import { toErrorMessage } from '../../app/errors/toErrorMessage';
import { writeFileAtomic } from '../../app/util/writeFileAtomic';
import {
  clampToWorkArea,
  DEFAULT_WINDOW_HEIGHT,
  DEFAULT_WINDOW_WIDTH,
  MIN_WINDOW_HEIGHT,
  MIN_WINDOW_WIDTH,
  WindowState,
  type Rect,
} from './WindowState';

export interface WindowStateStoreOptions {
  /** The state file, `<home>/config/window-state.json`. */
  readonly filePath: string;
  /** The work area of the display a rectangle lies on (or is nearest to); Electron's `screen.getDisplayMatching`. */
  getWorkAreaMatching(rect: Rect): Rect;
  /** The primary display's work area, where a first window is centred. */
  getPrimaryWorkArea(): Rect;
  /** Quiet time after the last move or resize before the state is written, in ms. Defaults to 500. */
  readonly saveDelayMs?: number;
}

/** The part of Electron's `BrowserWindow` the store watches. */
export interface TrackedWindow {
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
  /** Bounds of the window when not maximized, so a maximized window still remembers its normal size. */
  getNormalBounds(): Rect;
  isMaximized(): boolean;
}

/** The store was used after `dispose()`. */
export class WindowStateStoreDisposedError extends VeilError {}

const DEFAULT_SAVE_DELAY_MS = 500;

/**
 * Remembers the main window's bounds and maximized state across launches. Reads are validated (a missing, corrupt
 * or foreign file just means a fresh centred window) and clamped onto a visible display; writes are debounced,
 * atomic, and flushed when the window closes.
 */
export class WindowStateStore {
  /** Where the window should open: the saved state moved onto a visible display, or a centred default. */
  public readonly initial: WindowState;

  private readonly options: WindowStateStoreOptions;
  private pending: WindowState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private disposed = false;

  private constructor(options: WindowStateStoreOptions, initial: WindowState) {
    this.options = options;
    this.initial = initial;
  }

  public static async load(options: WindowStateStoreOptions): Promise<WindowStateStore> {
    const saved = await readState(options.filePath);
    if (saved === undefined)
      return new WindowStateStore(options, centredDefault(options.getPrimaryWorkArea()));
    const bounds = clampToWorkArea(saved, options.getWorkAreaMatching(saved));
    return new WindowStateStore(options, { ...bounds, maximized: saved.maximized });
  }

  /** Saves the window's geometry whenever it changes, and once more as it closes. */
  public track(window: TrackedWindow): void {
    if (this.disposed) throw new WindowStateStoreDisposedError('windowState.track: the store is disposed');
    const onChange = () => {
      if (this.disposed) return;
      this.pending = snapshot(window);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.flush(), this.options.saveDelayMs ?? DEFAULT_SAVE_DELAY_MS);
    };
    for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) window.on(event, onChange);
    window.on('close', () => {
      if (this.disposed) return;
      // Read the geometry now: once 'close' has run, the window may already be destroyed.
      this.pending = snapshot(window);
      void this.flush();
    });
  }

  /** Writes any change not yet saved, and waits for writes in flight. */
  public async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const state = this.pending;
    this.pending = undefined;
    const previous = this.writing;
    this.writing = (async () => {
      await previous;
      if (state !== undefined) await this.write(state);
    })();
    await this.writing;
  }

  /** Flushes and stops watching. Idempotent. */
  public async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.flush();
    this.disposed = true;
  }

  private async write(state: WindowState): Promise<void> {
    try {
      await fs.mkdir(path.dirname(this.options.filePath), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.options.filePath, `${JSON.stringify(state, null, 2)}\n`);
    } catch (error) {
      // Losing a window position is not worth interrupting the user over.
      console.warn(`windowState.save: ${toErrorMessage(error)}`);
    }
  }
}

async function readState(filePath: string): Promise<WindowState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = WindowState.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function snapshot(window: TrackedWindow): WindowState {
  const bounds = window.getNormalBounds();
  return {
    x: Math.round(bounds.x),
    y: Math.round(bounds.y),
    width: Math.max(MIN_WINDOW_WIDTH, Math.round(bounds.width)),
    height: Math.max(MIN_WINDOW_HEIGHT, Math.round(bounds.height)),
    maximized: window.isMaximized(),
  };
}

function centredDefault(workArea: Rect): WindowState {
  const width = Math.min(DEFAULT_WINDOW_WIDTH, workArea.width);
  const height = Math.min(DEFAULT_WINDOW_HEIGHT, workArea.height);
  return {
    x: Math.round(workArea.x + (workArea.width - width) / 2),
    y: Math.round(workArea.y + (workArea.height - height) / 2),
    width,
    height,
    maximized: false,
  };
}
