import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCore, type TestCore } from '../service/openTestCore';
import { startVeilServer, type VeilServer } from './VeilServer';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../../test/e2e/support/chromiumLaunch';

// Page-side expressions are strings below: the node project compiles without the DOM library.

/** The page script: calls one method over the same-origin WebSocket and writes the outcome into the title. */
const PAGE_SCRIPT = `
const ws = new WebSocket('ws://' + location.host + '/ws');
ws.onopen = () => ws.send(JSON.stringify({ type: 'call', id: 1, method: 'provider.getStatus' }));
ws.onmessage = (message) => { document.title = 'result:' + JSON.parse(message.data).value.state; };
ws.onerror = () => { document.title = 'ws-error'; };
`;

// Debian's Chromium is a test prerequisite (`npm test` installs it): a missing browser fails here, never skips.
describe('VeilServer in Chromium', () => {
  let test: TestCore;
  let staticDir: string;
  let server: VeilServer;
  let browser: Browser;
  let foreign: http.Server;

  beforeAll(async () => {
    test = await openTestCore();
    staticDir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-browser-'));
    await fs.writeFile(
      path.join(staticDir, 'index.html'),
      '<!doctype html><title>loading</title><script>window.inlineRan = true</script><script src="/app.js"></script>',
    );
    await fs.writeFile(path.join(staticDir, 'app.js'), PAGE_SCRIPT);
    server = await startVeilServer({ service: test.core.service, staticDir });
    browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS] });
    // Another local web page (same site as Veil: cookies ignore ports) that tries to reach Veil's socket.
    foreign = http.createServer((_request, response) => {
      response.setHeader('Content-Type', 'text/html');
      response.end(
        `<!doctype html><title>loading</title><script>
const ws = new WebSocket('ws://127.0.0.1:${server.port}/ws');
ws.onopen = () => { document.title = 'foreign-open'; };
ws.onerror = () => { document.title = 'foreign-refused'; };
</script>`,
      );
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => foreign?.close(resolve));
    await server?.close();
    await test?.remove();
    await fs.rm(staticDir, { recursive: true, force: true });
  });

  it('logs in with the URL token, drops it from the address bar, and talks over the WebSocket under the CSP', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    expect(page.url()).toBe(`http://127.0.0.1:${server.port}/`);
    await page.waitForFunction("document.title.startsWith('result:') || document.title === 'ws-error'");
    // The external script ran and reached the core; the inline script was blocked by the CSP.
    expect(await page.title()).toBe('result:off');
    expect(await page.evaluate('window.inlineRan')).toBeUndefined();
    const cookies = await context.cookies();
    expect(cookies).toMatchObject([{ name: 'veil_token', httpOnly: true, sameSite: 'Strict' }]);
    await context.close();
  });

  it('is refused without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`http://127.0.0.1:${server.port}/`);
    expect(response?.status()).toBe(401);
    await context.close();
  });

  it("refuses another local page's WebSocket even though the browser sends Veil's cookie along", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction("document.title.startsWith('result:')");
    await page.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`);
    await page.waitForFunction("document.title.startsWith('foreign-')");
    expect(await page.title()).toBe('foreign-refused');
    await context.close();
  });
});
