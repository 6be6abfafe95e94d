import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clampToWorkArea, type Rect } from './WindowState';
import { WindowStateStore, WindowStateStoreDisposedError, type TrackedWindow } from './WindowStateStore';

const PRIMARY: Rect = { x: 0, y: 25, width: 1440, height: 875 };
const SECONDARY: Rect = { x: 1440, y: 0, width: 1920, height: 1080 };

/** Two side-by-side displays; a rectangle belongs to the one containing its centre, else the primary. */
function workAreaMatching(rect: Rect): Rect {
  const centreX = rect.x + rect.width / 2;
  return centreX >= SECONDARY.x && centreX < SECONDARY.x + SECONDARY.width ? SECONDARY : PRIMARY;
}

class FakeWindow extends EventEmitter implements TrackedWindow {
  public bounds: Rect = { x: 100, y: 100, width: 900, height: 700 };
  public maximized = false;
  public getNormalBounds(): Rect {
    return { ...this.bounds };
  }
  public isMaximized(): boolean {
    return this.maximized;
  }
}

let dir: string;
let filePath: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-window-state-'));
  filePath = path.join(dir, 'config', 'window-state.json');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function load(saveDelayMs = 10_000) {
  return WindowStateStore.load({
    filePath,
    getWorkAreaMatching: workAreaMatching,
    getPrimaryWorkArea: () => PRIMARY,
    saveDelayMs,
  });
}

async function writeRaw(content: string): Promise<void> {
  await fs.mkdir(path.dirname(filePath), { recursive: true });
  await fs.writeFile(filePath, content);
}

describe('clampToWorkArea', () => {
  it('keeps a visible window where it is', () => {
    expect(clampToWorkArea({ x: 10, y: 40, width: 800, height: 600 }, PRIMARY)).toEqual({
      x: 10,
      y: 40,
      width: 800,
      height: 600,
    });
  });

  it('pulls a window from a vanished display back inside, shrinking it to fit', () => {
    expect(clampToWorkArea({ x: 5000, y: -300, width: 2000, height: 1200 }, PRIMARY)).toEqual({
      x: 0,
      y: 25,
      width: 1440,
      height: 875,
    });
  });
});

describe('WindowStateStore', () => {
  it('centres a first window on the primary display when no file exists', async () => {
    const store = await load();
    expect(store.initial).toEqual({ x: 170, y: 83, width: 1100, height: 760, maximized: false });
  });

  it('ignores a corrupt or foreign file and starts centred', async () => {
    await writeRaw('{not json');
    expect((await load()).initial.x).toBe(170);
    await writeRaw(JSON.stringify({ x: 1, y: 2, width: 10, height: 10, maximized: false }));
    expect((await load()).initial.x).toBe(170);
    await writeRaw(JSON.stringify({ x: 1, y: 2, width: 900, height: 700, maximized: false, extra: true }));
    expect((await load()).initial.x).toBe(170);
  });

  it('round-trips the geometry through the file, flushed when the window closes', async () => {
    const store = await load();
    const window = new FakeWindow();
    store.track(window);
    window.bounds = { x: 1600, y: 50, width: 1200, height: 800 };
    window.maximized = true;
    window.emit('maximize');
    window.emit('close');
    await store.dispose();

    expect(JSON.parse(await fs.readFile(filePath, 'utf8'))).toEqual({
      x: 1600,
      y: 50,
      width: 1200,
      height: 800,
      maximized: true,
    });
    expect((await load()).initial).toEqual({ x: 1600, y: 50, width: 1200, height: 800, maximized: true });
    if (process.platform !== 'win32') expect((await fs.stat(filePath)).mode & 0o777).toBe(0o600);
  });

  it('debounces: nothing is written before the delay, the last geometry after it', async () => {
    const store = await load(30);
    const window = new FakeWindow();
    store.track(window);
    for (let step = 0; step < 5; step++) {
      window.bounds = { x: 100 + step, y: 100, width: 900, height: 700 };
      window.emit('move');
    }
    await expect(fs.access(filePath)).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await store.flush();

    expect(JSON.parse(await fs.readFile(filePath, 'utf8'))).toMatchObject({ x: 104 });
    await store.dispose();
  });

  it('moves a window saved on a display that is gone onto a visible one', async () => {
    await writeRaw(JSON.stringify({ x: -4000, y: 3000, width: 900, height: 700, maximized: false }));
    expect((await load()).initial).toEqual({ x: 0, y: 200, width: 900, height: 700, maximized: false });
  });

  it('refuses to track after dispose', async () => {
    const store = await load();
    await store.dispose();
    await store.dispose();
    expect(() => store.track(new FakeWindow())).toThrow(WindowStateStoreDisposedError);
  });
});
