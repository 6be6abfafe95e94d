import { writeFile } from 'node:fs/promises';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { ensureTestModel } from '../fixtures/testModels';
import { importModelByPath, lastMessage, openAppPage, snap } from './support/ui';
import { createVeilHome, removeVeilHome, startVeil, type VeilProcess } from './support/veilProcess';

// Model output is hostile. The tiny model writes random text, so hostile markdown enters the conversation by another
// real path: importing a conversation export through the sidebar, exactly as a user would.

test.describe.configure({ mode: 'serial' });

/** A port nothing listens on: a request to it would prove a remote image or frame was fetched. */
const TRAP_ORIGIN = 'http://127.0.0.1:1';
const SAFE_LINK = 'https://example.com/docs?q=1';

const HOSTILE_REPLY = [
  'Here is some output.',
  '',
  '<img src=x onerror="window.__pwned=2;alert(2)">',
  '',
  '[click me](javascript:window.__pwned=3)',
  '',
  '<script>window.__pwned=1</script>',
  '',
  `![tracker](${TRAP_ORIGIN}/x.png)`,
  '',
  '<a href="javascript:alert(4)">raw anchor</a>',
  '',
  '[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)',
  '',
  `<iframe src="${TRAP_ORIGIN}/frame"></iframe>`,
  '',
  '[encoded](&#106;avascript:alert(6))',
  '',
  '[shouting](JAVASCRIPT:alert(7))',
  '',
  `[a safe link](${SAFE_LINK})`,
  '',
  '```js',
  'const answer = 42;',
  '```',
].join('\n');

function hostileExport(): string {
  const now = Date.now();
  return JSON.stringify({
    format: 'veil-chat-export',
    version: 1,
    exportedAt: now,
    conversation: {
      title: 'Hostile output',
      createdAt: now,
      updatedAt: now,
      systemPrompt: '',
      activeLeafId: 'a1',
      messages: [
        { id: 'u1', parentId: null, role: 'user', content: 'Show me some tricks', createdAt: now },
        {
          id: 'a1',
          parentId: 'u1',
          role: 'assistant',
          content: HOSTILE_REPLY,
          createdAt: now + 1,
          finishReason: 'stop',
        },
      ],
    },
  });
}

let home: string;
let veil: VeilProcess;
let context: BrowserContext;
let page: Page;
let dialogs: readonly string[] = [];
const requests: string[] = [];

test.beforeAll(async ({ browser }) => {
  home = await createVeilHome();
  veil = await startVeil(home);
  ({ context, page, dialogs } = await openAppPage(browser));
  context.on('request', (request) => requests.push(request.url()));
});

test.afterAll(async () => {
  await context?.close();
  await veil?.stop();
  if (home !== undefined) await removeVeilHome(home);
});

test('without the token the server refuses the page and the WebSocket', async ({ browser }) => {
  const stranger = await browser.newContext();
  try {
    const page = await stranger.newPage();
    const response = await page.goto(`${veil.origin}/`);
    expect(response?.status()).toBe(401);
    await expect(page.locator('body')).toContainText('access token');
    await snap(page, '01-no-token-refused');

    const wrong = await page.goto(`${veil.origin}/?token=not-the-right-token-at-all`);
    expect(wrong?.status()).toBe(401);
    // A WebSocket from a page that never had the token is refused too.
    const opened = await page.evaluate(
      `new Promise((resolve) => { const ws = new WebSocket('${veil.origin.replace('http', 'ws')}/ws'); ws.onopen = () => resolve(true); ws.onerror = () => resolve(false); })`,
    );
    expect(opened).toBe(false);
  } finally {
    await stranger.close();
  }
});

test('markdown injection in model output is inert', async () => {
  await page.goto(veil.url);
  await importModelByPath(page, await ensureTestModel('tiny'));
  const file = test.info().outputPath('hostile-conversation.json');
  await writeFile(file, hostileExport());
  await page.getByTestId('import-chat-file').setInputFiles(file);
  await expect(page.getByTestId('chat-title')).toHaveText('Hostile output');
  const reply = lastMessage(page, 'assistant').getByTestId('message-content');
  await expect(reply).toContainText('Here is some output.');
  await expect(reply.locator('pre code')).toContainText('const answer = 42;');
  // Give any injected handler a moment to fire before checking that none did.
  await page.waitForTimeout(500);
  await snap(page, '02-hostile-markdown');

  expect(dialogs).toEqual([]);
  expect(await page.evaluate('window.__pwned')).toBeUndefined();
  // Raw HTML stays text: no element was made from it.
  await expect(reply).toContainText('<script>window.__pwned=1</script>');
  await expect(reply).toContainText('<img src=x onerror=');
  for (const tag of ['script', 'img', 'iframe', 'object', 'embed', 'style']) {
    await expect(reply.locator(tag)).toHaveCount(0);
  }
  // No image anywhere on the page points outside it, and nothing was fetched from the trap origin.
  expect(await page.locator(`img[src^="http"]`).count()).toBe(0);
  await expect(reply.getByTestId('blocked-image')).toContainText('tracker');
  expect(requests.filter((url) => url.startsWith(TRAP_ORIGIN))).toEqual([]);
  // javascript:, data: and obfuscated links are inert: no href at all.
  await expect(reply.getByTestId('inert-link')).toHaveCount(4);
  for (const text of ['click me', 'data link', 'encoded', 'shouting']) {
    await expect(reply.getByTestId('inert-link').filter({ hasText: text })).toBeVisible();
  }
  expect(await page.locator('a[href^="javascript:" i], a[href^="data:" i]').count()).toBe(0);
  await reply.getByTestId('inert-link').filter({ hasText: 'click me' }).click();
  expect(await page.evaluate('window.__pwned')).toBeUndefined();
  expect(dialogs).toEqual([]);
});

test('a code block has its own copy button', async () => {
  const block = lastMessage(page, 'assistant').locator('.code-block');
  await block.getByTestId('copy-code').click();
  await expect(block.getByTestId('copy-code')).toHaveText('Copied');
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe('const answer = 42;\n');
});

test('an external link opens only after the user confirms the full URL', async () => {
  await context.route('https://example.com/**', async (route) => await route.fulfill({ body: 'example' }));
  const link = lastMessage(page, 'assistant').getByTestId('external-link');
  await expect(link).toHaveText('a safe link');

  await link.click();
  await expect(page.getByTestId('confirm-body')).toHaveText(SAFE_LINK);
  await snap(page, '03-link-confirm');
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('confirm-dialog')).toBeHidden();
  expect(context.pages()).toHaveLength(1);

  await link.click();
  const popup = context.waitForEvent('page');
  await page.getByTestId('confirm-ok').click();
  const opened = await popup;
  await expect.poll(() => opened.url()).toBe(SAFE_LINK);
  // Opened with noopener: the new page cannot reach back into Veil.
  expect(await opened.evaluate('window.opener')).toBeNull();
  await opened.close();
  expect(dialogs).toEqual([]);
});
