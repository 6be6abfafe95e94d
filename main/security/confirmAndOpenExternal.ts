import type { MessageBoxOptions, MessageBoxReturnValue } from 'electron';

/** Longest link Veil offers to open; longer ones are refused (nobody can review them in a dialog). */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

export interface ExternalLinkDependencies {
  /** Shows a modal question; `dialog.showMessageBox` bound to the Veil window. */
  showMessageBox(options: MessageBoxOptions): Promise<Pick<MessageBoxReturnValue, 'response'>>;
  /** Hands a URL to the system browser; `shell.openExternal`. */
  openExternal(url: string): Promise<void>;
}

/** Dialog button indexes. */
const CANCEL_BUTTON = 0;
const OPEN_BUTTON = 1;

/**
 * Opens an `https:` link in the system browser after the user confirmed it in a dialog that shows the whole URL.
 * Links come from model output, which is untrusted (a prompt injection can emit `file:`, `smb:` or custom-scheme
 * links that launch local handlers), so every other scheme is refused without asking. Resolves whether it opened.
 */
export async function confirmAndOpenExternal(
  url: string,
  dependencies: ExternalLinkDependencies,
): Promise<boolean> {
  if (url.length > MAX_EXTERNAL_URL_LENGTH || !URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') return false;
  // What the user reviews is exactly what gets opened: the normalised form, not the raw string.
  const href = parsed.href;
  const { response } = await dependencies.showMessageBox({
    type: 'question',
    buttons: ['Cancel', 'Open in Browser'],
    defaultId: CANCEL_BUTTON,
    cancelId: CANCEL_BUTTON,
    noLink: true,
    title: 'Open Link',
    message: `Open this link in your browser?`,
    detail: href,
  });
  if (response !== OPEN_BUTTON) return false;
  await dependencies.openExternal(href);
  return true;
}
