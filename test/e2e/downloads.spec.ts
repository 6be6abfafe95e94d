import { expect, test, type Page } from '@playwright/test';
import { ensureTestModel } from '../fixtures/testModels';
import { startSlowFileServer, type SlowFileServer } from './support/slowFileServer';
import { snap } from './support/ui';
import { createVeilHome, removeVeilHome, startVeil, type VeilProcess } from './support/veilProcess';

// Downloads from the first-run screen, with a progress bar, pause, resume and cancel. The "remote" file is the tiny
// model served slowly from 127.0.0.1 (no internet here), with HTTP Range so a paused download resumes.

test.describe.configure({ mode: 'serial' });

let home: string;
let veil: VeilProcess;
let files: SlowFileServer;
let page: Page;

test.beforeAll(async ({ browser }) => {
  home = await createVeilHome();
  veil = await startVeil(home);
  files = await startSlowFileServer(await ensureTestModel('tiny'), 'veil-tiny.gguf');
  page = await browser.newPage();
});

test.afterAll(async () => {
  await page?.close();
  await veil?.stop();
  await files?.close();
  if (home !== undefined) await removeVeilHome(home);
});

test('a download can be cancelled', async () => {
  await page.goto(veil.url);
  await page.getByTestId('download-source-input').fill(`${files.url}?first`);
  await page.getByTestId('download-source-button').click();
  const row = page.getByTestId('download-row');
  await expect(row).toHaveAttribute('data-state', 'downloading');
  await row.getByTestId('download-cancel').click();
  await expect(row).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByTestId('first-run')).toBeVisible();
});

test('a download shows progress, pauses, resumes and installs the model', async () => {
  await page.getByTestId('download-source-input').fill(files.url);
  await page.getByTestId('download-source-button').click();
  const row = page.getByTestId('download-row').filter({ hasText: 'veil-tiny' }).last();
  await expect(row).toHaveAttribute('data-state', 'downloading');
  await expect
    .poll(async () => Number(await row.getByTestId('download-progress').getAttribute('value')))
    .toBeGreaterThan(0);
  await snap(page, '01-downloading');

  await row.getByTestId('download-pause').click();
  await expect(row).toHaveAttribute('data-state', 'paused');
  const pausedAt = Number(await row.getByTestId('download-progress').getAttribute('value'));
  expect(pausedAt).toBeLessThan(100);
  await snap(page, '02-paused');

  await row.getByTestId('download-resume').click();
  // Once installed the first-run screen gives way to the app.
  await expect(page.getByTestId('no-chat')).toBeVisible({ timeout: 60_000 });
  expect(files.ranges.some((range) => range !== 'bytes=0-')).toBe(true);
  await page.getByTestId('nav-models').click();
  await expect(page.getByTestId('installed-model')).toHaveCount(1);
  await expect(page.getByTestId('download-row').filter({ hasText: 'veil-tiny' }).last()).toHaveAttribute(
    'data-state',
    'done',
  );
  await snap(page, '03-installed');
});
