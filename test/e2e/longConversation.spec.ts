import { writeFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { ensureTestModel } from '../fixtures/testModels';
import { longConversationExport } from './support/longConversation';
import { importModelByPath, snap } from './support/ui';
import { createVeilHome, removeVeilHome, startVeil, type VeilProcess } from './support/veilProcess';

// A 2,000-message conversation opens at its end with only the rows near the viewport in the DOM, and scrolls to its
// beginning. (Its speed is measured by `npm run bench:ui`.)

const COUNT = 2000;
/** Far fewer rows than messages must be in the DOM at once; the viewport shows fewer than 10. */
const MAX_RENDERED_ROWS = 60;

let home: string;
let veil: VeilProcess;

test.beforeAll(async () => {
  home = await createVeilHome();
  veil = await startVeil(home);
});

test.afterAll(async () => {
  await veil?.stop();
  if (home !== undefined) await removeVeilHome(home);
});

test('a 2,000-message conversation is virtualised', async ({ page }) => {
  await page.goto(veil.url);
  await importModelByPath(page, await ensureTestModel('tiny'));
  const file = test.info().outputPath('long-conversation.json');
  await writeFile(file, longConversationExport(COUNT));
  await page.getByTestId('import-chat-file').setInputFiles(file);

  const list = page.getByTestId('message-list');
  await expect(list).toHaveAttribute('data-count', String(COUNT));
  await expect(list.locator(`[data-index="${COUNT - 1}"]`)).toBeVisible();
  const rendered = await page.getByTestId('message').count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(MAX_RENDERED_ROWS);
  await snap(page, '01-long-conversation-end');

  // Scroll to the top in steps (rows are measured as they appear) until the first message shows.
  await expect
    .poll(
      async () => {
        await list.evaluate((element) => {
          element.scrollTop = 0;
        });
        return await list.locator('[data-index="0"]').count();
      },
      { timeout: 30_000 },
    )
    .toBe(1);
  await expect(list.locator('[data-index="0"]')).toBeVisible();
  expect(await page.getByTestId('message').count()).toBeLessThan(MAX_RENDERED_ROWS);
  await snap(page, '02-long-conversation-start');
});
