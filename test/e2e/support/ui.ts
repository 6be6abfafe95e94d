import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';

/** A page for one user's session, with the clipboard allowed and every native dialog recorded, then dismissed. */
export interface AppPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Messages of the native alert/confirm/prompt dialogs raised so far: the app's own dialogs are in-page. */
  readonly dialogs: readonly string[];
}

export async function openAppPage(browser: Browser): Promise<AppPage> {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  return { context, page, dialogs };
}

/** Saves a screenshot into the running test's output folder (kept under test-results/) and attaches it to the report. */
export async function snap(page: Page, name: string): Promise<string> {
  const testInfo = test.info();
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  return file;
}

/** Imports a GGUF file through the first-run screen's path form and waits until the app leaves the first run. */
export async function importModelByPath(page: Page, modelPath: string): Promise<void> {
  await page.getByTestId('import-path-input').fill(modelPath);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('first-run')).toBeHidden({ timeout: 60_000 });
}

export function messages(page: Page, role?: 'user' | 'assistant'): Locator {
  const all = page.getByTestId('message');
  return role === undefined ? all : all.and(page.locator(`[data-role=${role}]`));
}

export function lastMessage(page: Page, role: 'user' | 'assistant'): Locator {
  return messages(page, role).last();
}

/** Waits until no reply is being generated (the Send button is back). */
export async function waitForReplyToFinish(page: Page, timeout = 90_000): Promise<void> {
  await expect(page.getByTestId('send-button')).toBeVisible({ timeout });
  await expect(page.locator('[data-testid=message-content][data-streaming=true]')).toHaveCount(0);
}

/** Opens the conversation settings panel, sets sampling fields, saves, and closes the panel. */
export async function setSampling(
  page: Page,
  values: Partial<Record<'temperature' | 'maxTokens' | 'seed', string>>,
): Promise<void> {
  await page.getByTestId('toggle-chat-settings').click();
  for (const [field, value] of Object.entries(values))
    await page.getByTestId(`sampling-${field}`).fill(value);
  await page.getByTestId('save-chat-settings').click();
  await expect(page.getByTestId('chat-settings-saved')).toBeVisible();
  await page.getByTestId('toggle-chat-settings').click();
  await expect(page.getByTestId('conversation-settings')).toBeHidden();
}
