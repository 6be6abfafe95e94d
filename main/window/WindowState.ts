import { z } from 'zod';

/** Smallest window Veil opens, in DIP. */
export const MIN_WINDOW_WIDTH = 640;
export const MIN_WINDOW_HEIGHT = 480;

/** Size of a first window, in DIP. */
export const DEFAULT_WINDOW_WIDTH = 1100;
export const DEFAULT_WINDOW_HEIGHT = 760;

/** Bigger than any display, so a corrupt file cannot ask for an absurd window. */
const MAX_COORDINATE = 100_000;

/** The remembered window geometry, as stored in `config/window-state.json`. */
export const WindowState = z.strictObject({
  x: z.number().int().min(-MAX_COORDINATE).max(MAX_COORDINATE),
  y: z.number().int().min(-MAX_COORDINATE).max(MAX_COORDINATE),
  width: z.number().int().min(MIN_WINDOW_WIDTH).max(MAX_COORDINATE),
  height: z.number().int().min(MIN_WINDOW_HEIGHT).max(MAX_COORDINATE),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowState>;

/** A rectangle in DIP; Electron's `Rectangle`. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Moves and shrinks `bounds` so the whole window lies inside `workArea` (the display's area without task bar or
 * menu bar): a window saved on a monitor that is gone reappears on a visible one instead of off-screen.
 */
export function clampToWorkArea(bounds: Rect, workArea: Rect): Rect {
  const width = Math.min(bounds.width, workArea.width);
  const height = Math.min(bounds.height, workArea.height);
  const x = Math.min(Math.max(bounds.x, workArea.x), workArea.x + workArea.width - width);
  const y = Math.min(Math.max(bounds.y, workArea.y), workArea.y + workArea.height - height);
  return { x, y, width, height };
}
