import type { MenuItemConstructorOptions } from 'electron';
import { missingCaseError } from '../../app/errors/missingCaseError';

/** What the tray says Veil is doing. */
export type TrayStatus =
  | { readonly kind: 'idle' }
  | { readonly kind: 'modelLoaded'; readonly modelName: string }
  | { readonly kind: 'providing' };

/** Longest model name shown in the tray before it is cut with an ellipsis. */
const MAX_TRAY_MODEL_NAME_LENGTH = 40;

/** The tray tooltip and first menu line, e.g. "Veil — idle". */
export function trayStatusLabel(status: TrayStatus): string {
  switch (status.kind) {
    case 'idle':
      return 'Veil — idle';
    case 'modelLoaded': {
      const name =
        status.modelName.length > MAX_TRAY_MODEL_NAME_LENGTH
          ? `${status.modelName.slice(0, MAX_TRAY_MODEL_NAME_LENGTH - 1)}…`
          : status.modelName;
      return `Veil — model loaded: ${name}`;
    }
    case 'providing':
      return 'Veil — providing to the network';
    default:
      throw missingCaseError(status);
  }
}

export interface TrayMenuActions {
  /** Brings the Veil window to the front, creating it if needed. */
  show(): void;
  /** Quits Veil (ending any provider session). */
  quit(): void;
}

/** The tray menu: the status line (not clickable), then Show and Quit. */
export function buildTrayMenuTemplate(
  status: TrayStatus,
  actions: TrayMenuActions,
): MenuItemConstructorOptions[] {
  return [
    { label: trayStatusLabel(status), enabled: false },
    { type: 'separator' },
    { label: 'Show Veil', click: () => actions.show() },
    { label: 'Quit Veil', click: () => actions.quit() },
  ];
}
