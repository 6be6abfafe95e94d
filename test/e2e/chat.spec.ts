import { randomBytes } from 'node:crypto';
import { access, chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { ensureTestModel } from '../fixtures/testModels';
import {
  createVeilHome,
  hashTree,
  removeVeilHome,
  startVeil,
  startVeilExpectingRefusal,
  type VeilProcess,
} from './support/veilProcess';
import {
  importModelByPath,
  lastMessage,
  messages,
  openAppPage,
  setSampling,
  snap,
  waitForReplyToFinish,
} from './support/ui';

// One user's session, step by step, against a real `veil serve` with the generated tiny model (random weights, so
// replies are garbage text; what matters is that they stream, stop, branch and persist).

test.describe.configure({ mode: 'serial' });

const FIRST_PROMPT = 'Tell me a long story';
const EDITED_PROMPT = 'Write a short poem instead';

let home: string;
let veil: VeilProcess;
let context: BrowserContext;
let page: Page;
let dialogs: readonly string[] = [];

test.beforeAll(async ({ browser }) => {
  home = await createVeilHome();
  veil = await startVeil(home);
  ({ context, page, dialogs } = await openAppPage(browser));
});

test.afterAll(async () => {
  await context?.close();
  await veil?.stop();
  if (home !== undefined) await removeVeilHome(home);
});

test.afterEach(async () => {
  // No step may ever raise a native alert/confirm (the app's dialogs are in-page), nor leave an error on screen.
  expect(dialogs).toEqual([]);
  await expect(page.getByTestId('error-toast')).toHaveCount(0);
});

async function openOnlyConversation(): Promise<void> {
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  await page.getByTestId('conversation-item').first().getByRole('button').first().click();
  await expect(page.getByTestId('chat-view')).toBeVisible();
}

test('first run with no model guides the user to download or import one', async () => {
  await page.goto(veil.url);
  await expect(page.getByTestId('first-run')).toBeVisible();
  await expect(page.getByTestId('import-path-input')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Catalog' })).toBeVisible();
  await expect(page.getByTestId('local-badge')).toHaveText(/Local: nothing leaves this device/);
  // `veil serve` keeps the chat key in a file, not an OS keychain: the UI says so.
  await expect(page.getByTestId('key-warning')).toContainText('chat key');
  // The token was traded for a cookie and is gone from the address bar.
  expect(page.url()).not.toContain('token=');
  await snap(page, '01-first-run');
});

test('a failed call shows its error by name until dismissed', async () => {
  await page.getByTestId('import-path-input').fill('/nonexistent/veil/model.gguf');
  await page.getByTestId('import-button').click();
  const toast = page.getByTestId('error-toast');
  await expect(toast).toHaveCount(1);
  await expect(toast.getByTestId('error-name')).toHaveText(/Error$/);
  await expect(toast.getByTestId('error-message')).toContainText('/nonexistent/veil/model.gguf');
  // The form keeps what the user typed, to correct it.
  await expect(page.getByTestId('import-path-input')).toHaveValue('/nonexistent/veil/model.gguf');
  await snap(page, '02-import-error');
  await toast.getByTestId('error-dismiss').click();
  await expect(toast).toHaveCount(0);
});

test('imports the generated models by their paths', async () => {
  await importModelByPath(page, await ensureTestModel('tiny'));
  await expect(page.getByTestId('no-chat')).toBeVisible();
  // The tiny model answers at over a thousand tokens a second and soon stops by itself; the larger bench model
  // (about 30 tokens/s on one thread) streams long enough to watch and to stop. It is used in place, not copied.
  await page.getByTestId('nav-models').click();
  await page.getByTestId('import-path-input').fill(await ensureTestModel('bench'));
  await page.getByTestId('import-mode-reference').check();
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('installed-model')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('installed-model').filter({ hasText: 'veil-test-tiny' })).toContainText(
    'F32',
  );
  await snap(page, '03-models-imported');
  await page.getByTestId('nav-chat').click();
});

async function pickModel(name: string): Promise<void> {
  const picker = page.getByTestId('model-picker');
  const value = await picker.locator('option', { hasText: name }).getAttribute('value');
  await picker.selectOption(value ?? '');
  // Wait for the core to confirm: the view shows the model the stored conversation now has.
  await expect(page.getByTestId('chat-view')).toHaveAttribute('data-model-id', value ?? '');
  await expect(picker.locator('option:checked')).toContainText(name);
}

test('Ctrl+N starts a new chat; the model picker shows loaded state and fit', async () => {
  await page.keyboard.press('Control+n');
  await expect(page.getByTestId('chat-view')).toBeVisible();
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  await expect(page.getByTestId('composer-input')).toBeFocused();
  await pickModel('veil-test-bench');
  await expect(page.getByTestId('model-loaded')).toHaveText('Not loaded');
  await expect(page.getByTestId('model-fit')).toHaveText('Fits');
  await setSampling(page, { maxTokens: '4000' });
  await snap(page, '03-new-chat');
});

test('streams a reply token by token and stops it mid-stream', async () => {
  await page.getByTestId('composer-input').fill(FIRST_PROMPT);
  await page.keyboard.press('Enter');
  await expect(lastMessage(page, 'user')).toContainText(FIRST_PROMPT);
  const streaming = lastMessage(page, 'assistant').locator(
    '[data-testid=message-content][data-streaming=true]',
  );
  await expect(streaming).toBeVisible();
  await expect(page.getByTestId('stop-button')).toBeVisible();
  await expect
    .poll(async () => Number(await streaming.getAttribute('data-tokens')), { timeout: 60_000 })
    .toBeGreaterThan(5);
  const early = (await streaming.innerText()).length;
  await expect.poll(async () => (await streaming.innerText()).length).toBeGreaterThan(early);
  await snap(page, '04-streaming');

  await page.getByTestId('stop-button').click();
  await waitForReplyToFinish(page);
  const reply = lastMessage(page, 'assistant');
  await expect(reply).toHaveAttribute('data-finish-reason', 'aborted');
  await expect(reply).toContainText('Stopped');
  expect((await reply.getByTestId('message-content').innerText()).length).toBeGreaterThan(0);
  await expect(page.getByTestId('model-loaded')).toHaveText('Loaded');
  await snap(page, '05-stopped');
});

test('regenerate adds a second version of the reply and keeps the first', async () => {
  // The fast model and short replies from here on.
  await pickModel('veil-test-tiny');
  await setSampling(page, { maxTokens: '24' });
  const first = await lastMessage(page, 'assistant').getByTestId('message-content').innerText();
  await lastMessage(page, 'assistant').getByTestId('regenerate').click();
  await waitForReplyToFinish(page);
  const reply = lastMessage(page, 'assistant');
  await expect(reply.getByTestId('version-label')).toHaveText('2/2');
  await expect(reply).not.toHaveAttribute('data-finish-reason', 'aborted');
  const second = await reply.getByTestId('message-content').innerText();

  await reply.getByTestId('version-prev').click();
  await expect(lastMessage(page, 'assistant').getByTestId('version-label')).toHaveText('1/2');
  await expect(lastMessage(page, 'assistant').getByTestId('message-content')).toHaveText(first);
  await snap(page, '06-regenerated-version-1');
  await lastMessage(page, 'assistant').getByTestId('version-next').click();
  await expect(lastMessage(page, 'assistant').getByTestId('version-label')).toHaveText('2/2');
  await expect(lastMessage(page, 'assistant').getByTestId('message-content')).toHaveText(second);
});

test('editing a user message makes a branch and both versions remain', async () => {
  const user = lastMessage(page, 'user');
  await user.getByTestId('edit-message').click();
  await user.getByTestId('edit-input').fill(EDITED_PROMPT);
  await user.getByTestId('edit-save').click();
  await waitForReplyToFinish(page);
  await expect(messages(page)).toHaveCount(2);
  await expect(lastMessage(page, 'user')).toContainText(EDITED_PROMPT);
  await expect(lastMessage(page, 'user').getByTestId('version-label')).toHaveText('2/2');
  await expect(lastMessage(page, 'assistant').getByTestId('version-switcher')).toHaveCount(0);
  await snap(page, '07-edited-branch');

  // The original branch is still there, with both of its reply versions.
  await lastMessage(page, 'user').getByTestId('version-prev').click();
  await expect(lastMessage(page, 'user')).toContainText(FIRST_PROMPT);
  await expect(lastMessage(page, 'user').getByTestId('version-label')).toHaveText('1/2');
  await expect(lastMessage(page, 'assistant').getByTestId('version-label')).toHaveText('2/2');
  await snap(page, '08-original-branch');
  await lastMessage(page, 'user').getByTestId('version-next').click();
  await expect(lastMessage(page, 'user')).toContainText(EDITED_PROMPT);
});

test('copies a message', async () => {
  // A user message: its text on screen is exactly its source (a reply copies its markdown source).
  const user = lastMessage(page, 'user');
  await user.getByTestId('copy-message').click();
  await expect(user.getByTestId('copy-message')).toHaveText('Copied');
  // A string: this file is type-checked without the DOM library.
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(EDITED_PROMPT);
});

test('reload keeps the history and the branch on screen', async () => {
  await page.reload();
  await expect(page.getByTestId('chat-view')).toBeVisible();
  await expect(lastMessage(page, 'user')).toContainText(EDITED_PROMPT);
  await expect(lastMessage(page, 'user').getByTestId('version-label')).toHaveText('2/2');
  await expect(page.getByTestId('conversation-title')).toHaveText(FIRST_PROMPT);
  await snap(page, '09-after-reload');
});

test('after a server restart the history still decrypts', async () => {
  await veil.stop();
  await expect(page.getByTestId('connection-banner')).toBeVisible();
  await snap(page, '10-server-stopped');
  veil = await startVeil(home);
  await page.goto(veil.url);
  await openOnlyConversation();
  await expect(lastMessage(page, 'user')).toContainText(EDITED_PROMPT);
  await lastMessage(page, 'user').getByTestId('version-prev').click();
  await expect(lastMessage(page, 'user')).toContainText(FIRST_PROMPT);
  await expect(lastMessage(page, 'assistant').getByTestId('version-label')).toHaveText('2/2');
  await snap(page, '11-after-restart');
});

test('a wrong key gives a clear error and leaves the store intact', async () => {
  await veil.stop();
  const keysDir = path.join(home, 'keys');
  const keyFiles = (await readdir(keysDir)).filter(
    (name) => name.startsWith('chat') && name.endsWith('.key'),
  );
  expect(keyFiles).toHaveLength(1);
  const keyPath = path.join(keysDir, keyFiles[0] ?? '');
  const rightKey = await readFile(keyPath);
  const before = await hashTree(path.join(home, 'chats'));
  expect(Object.keys(before).length).toBeGreaterThan(0);

  await writeFile(keyPath, randomBytes(rightKey.length));
  await chmod(keyPath, 0o600);
  const outcome = await startVeilExpectingRefusal(home);
  if (outcome.kind === 'refused') {
    // The server refuses to start and says why, naming the error.
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toMatch(/key does not match this store|ChatKeyMismatchError/i);
    const stderrFile = test.info().outputPath('12-wrong-key-stderr.txt');
    await writeFile(stderrFile, outcome.stderr);
    await test.info().attach('12-wrong-key-stderr', { path: stderrFile, contentType: 'text/plain' });
  } else {
    // Or it starts and the UI shows the error in place of the conversations.
    await page.goto(outcome.veil.url);
    await expect(page.getByTestId('chats-error')).toContainText(/ChatKeyMismatchError|key/i);
    await snap(page, '12-wrong-key');
    await outcome.veil.stop();
  }
  expect(await hashTree(path.join(home, 'chats'))).toEqual(before);

  await writeFile(keyPath, rightKey);
  veil = await startVeil(home);
  await page.goto(veil.url);
  await openOnlyConversation();
  await expect(lastMessage(page, 'user')).toContainText(FIRST_PROMPT);
  await snap(page, '13-right-key-again');
});

test('search (Ctrl+K), rename and delete conversations', async () => {
  await page.keyboard.press('Control+k');
  await expect(page.getByTestId('search-input')).toBeFocused();
  await page.keyboard.type('poem');
  await expect(page.getByTestId('search-result')).toHaveCount(1);
  await snap(page, '14-search');
  await page.getByTestId('search-result').click();
  await expect(lastMessage(page, 'user')).toContainText(EDITED_PROMPT);

  const item = page.getByTestId('conversation-item').first();
  await item.getByTestId('rename-conversation').click();
  await item.getByTestId('rename-input').fill('Renamed chat');
  await item.getByTestId('rename-input').press('Enter');
  await expect(page.getByTestId('conversation-title')).toHaveText('Renamed chat');
  await expect(page.getByTestId('chat-title')).toHaveText('Renamed chat');

  // A second chat, whose reply is stopped with Esc, then deleted.
  await page.getByTestId('new-chat').click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);
  await pickModel('veil-test-bench');
  await setSampling(page, { maxTokens: '4000' });
  await page.getByTestId('composer-input').fill('Count to a thousand');
  await page.keyboard.press('Enter');
  const streaming = lastMessage(page, 'assistant').locator(
    '[data-testid=message-content][data-streaming=true]',
  );
  await expect
    .poll(async () => Number(await streaming.getAttribute('data-tokens')), { timeout: 60_000 })
    .toBeGreaterThan(2);
  await page.keyboard.press('Escape');
  await waitForReplyToFinish(page);
  await expect(lastMessage(page, 'assistant')).toHaveAttribute('data-finish-reason', 'aborted');
  // Untitled chats are named after their first message.
  const second = page.getByTestId('conversation-item').filter({ hasText: 'Count to a thousand' });
  await second.getByTestId('delete-conversation').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('cannot be undone');
  await snap(page, '15-confirm-delete');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  await expect(page.getByTestId('conversation-title')).toHaveText('Renamed chat');
});

test('model manager: unload and delete a model', async () => {
  await page.getByTestId('nav-models').click();
  const bench = page.getByTestId('installed-model').filter({ hasText: 'veil-test-bench' });
  await expect(bench.getByTestId('toggle-load-model')).toHaveText('Unload');
  await bench.getByTestId('toggle-load-model').click();
  await expect(bench.getByTestId('toggle-load-model')).toHaveText('Load');
  await bench.getByTestId('delete-model').click();
  await expect(page.getByTestId('confirm-body')).toContainText('veil-test-bench');
  await snap(page, '16-confirm-model-delete');
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('installed-model')).toHaveCount(1);
  // Imported in place: the file itself stays where it was.
  await access(await ensureTestModel('bench'));
});

test('settings: the theme applies at once, persists, and can follow the system', async () => {
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('settings-threads')).toHaveValue('1');
  await page.getByTestId('theme-dark').check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await snap(page, '17-settings-dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('nav-chat').click();
  await page.getByTestId('conversation-item').first().getByRole('button').first().click();
  await expect(page.getByTestId('chat-view')).toBeVisible();
  await snap(page, '18-chat-dark');

  // `system` follows the operating system's preference.
  const background = async () => await page.evaluate('getComputedStyle(document.body).backgroundColor');
  const dark = await background();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('theme-system').check();
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(background).not.toBe(dark);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(background).toBe(dark);
});
