/**
 * `npm run bench:ui`: how fast the browser UI paints a streamed reply and handles a long conversation, against a real
 * `veil serve` driven through Debian's Chromium (the same fixture as the e2e tests).
 *
 * - send → first token painted: from the Enter keydown to the first DOM commit of reply text (React commits inside
 *   the frame that is then painted), both timed in the page.
 * - painted tokens/s against the engine's own tokens/s in the same run: a greedy generation of the bench model (one
 *   thread) runs through the UI; the engine's rate is how fast its tokens arrive in the page (the WebSocket's token
 *   events, timed as they arrive, before the UI handles them), the painted rate how fast reply text is committed to
 *   the DOM. Both count the tokens after the first one over the time from the first to the last one. Target ratio
 *   ≥ 0.95. For context, the same generation also runs directly on the engine in this process beforehand, with the
 *   browser idle (on a small machine Chromium's own work slows the server's engine; that is not the UI falling
 *   behind, so it is reported apart).
 * - a 2,000-message conversation (imported through the sidebar): click → interactive (rows rendered, scrolled to the
 *   latest message, a frame painted and the main thread free again), target ≤ 1 s; then frame times while the list
 *   is scrolled programmatically every frame (requestAnimationFrame deltas, p50/p95/max).
 *
 * Progress goes to stderr; the JSON object is the last line of stdout.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { Engine } from '../app/engine/Engine';
import { ensureRendererBuild } from '../test/e2e/support/ensureRendererBuild';
import { longConversationExport } from '../test/e2e/support/longConversation';
import { importModelByPath } from '../test/e2e/support/ui';
import { createVeilHome, removeVeilHome, startVeil, type VeilProcess } from '../test/e2e/support/veilProcess';
import { ensureTestModel } from '../test/fixtures/testModels';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../test/e2e/support/chromiumLaunch';

const PROMPT = 'Tell me a long story about the sea';
/** Tokens per measured generation: long enough for a stable rate, short enough for a quick run (~7 s each). */
const MAX_TOKENS = 200;
const CONVERSATION_MESSAGES = 2000;
const SCROLL_FRAMES = 240;
const SCROLL_STEP_PX = 240;
const TARGET_PAINT_RATIO = 0.95;
const TARGET_TTI_MS = 1000;

/** One observed moment of a stream: when, and how many characters were out by then. */
interface StreamPoint {
  readonly t: number;
  readonly chars: number;
}

function log(message: string): void {
  process.stderr.write(`bench:ui: ${message}\n`);
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Tokens per second after the first token: the tokens still to come after the first point (pro rata by characters,
 * since both sides see text, not token boundaries) over the time from the first to the last point.
 */
function tokensPerSecond(points: readonly StreamPoint[], completionTokens: number): number {
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined || last.t <= first.t || last.chars === 0) return Number.NaN;
  const tokens = (completionTokens * (last.chars - first.chars)) / last.chars;
  return tokens / ((last.t - first.t) / 1000);
}

async function measureEngine(
  modelPath: string,
): Promise<{ tokensPerSecond: number; completionTokens: number }> {
  const engine = await Engine.create({ threads: 1, backend: 'cpu' });
  try {
    const model = await engine.loadModel({ modelPath, contextSize: 2048 });
    try {
      const points: StreamPoint[] = [];
      let chars = 0;
      const result = await model.generate(
        { messages: [{ role: 'user', content: PROMPT }], maxTokens: MAX_TOKENS, temperature: 0 },
        {
          onToken: (token) => {
            chars += token.text.length;
            points.push({ t: performance.now(), chars });
          },
        },
      );
      return {
        tokensPerSecond: tokensPerSecond(points, result.completionTokens),
        completionTokens: result.completionTokens,
      };
    } finally {
      await model.dispose();
    }
  } finally {
    await engine.dispose();
  }
}

/** Page-side recorder of the streaming reply, installed before the message is sent. Plain JS: it runs in Chromium. */
const INSTALL_STREAM_RECORDER = `(() => {
  const state = { sendAt: undefined, points: [] };
  window.__veilBench = state;
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target instanceof HTMLTextAreaElement && state.sendAt === undefined) {
      state.sendAt = performance.now();
    }
  }, true);
  let lastChars = 0;
  new MutationObserver(() => {
    const live = document.querySelector('[data-testid=message-content][data-streaming=true]');
    if (live === null) return;
    const chars = live.textContent.replace('Thinking…', '').length;
    if (chars > lastChars) {
      lastChars = chars;
      state.points.push({ t: performance.now(), chars });
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

/**
 * Installed before the page loads: times every token event as the WebSocket delivers it, ahead of the app's own
 * handler (the listener is added in the constructor, before the app can add one), and notes when the reply ends.
 */
const INSTALL_ARRIVAL_RECORDER = `(() => {
  const state = { arrivals: [], chars: 0, completionTokens: undefined };
  window.__veilArrivals = state;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const t = performance.now();
        try {
          const frame = JSON.parse(event.data);
          if (frame.type !== 'event') return;
          if (frame.event.type === 'generation.token') {
            state.chars += frame.event.text.length;
            state.arrivals.push({ t, chars: state.chars });
          } else if (frame.event.type === 'generation.finished') {
            state.completionTokens = frame.event.completionTokens;
          }
        } catch {}
      });
    }
  };
})()`;

const RESET_ARRIVALS = `(() => {
  const state = window.__veilArrivals;
  state.arrivals = [];
  state.chars = 0;
  state.completionTokens = undefined;
})()`;

interface Arrivals {
  readonly arrivals: StreamPoint[];
  readonly completionTokens: number | undefined;
}

/** A new conversation set up for the measured generation: greedy, `MAX_TOKENS` long. */
async function newMeasuredChat(page: Page): Promise<void> {
  await page.getByTestId('nav-chat').click();
  await page.getByTestId('new-chat').click();
  await page.getByTestId('toggle-chat-settings').click();
  await page.getByTestId('sampling-temperature').fill('0');
  await page.getByTestId('sampling-maxTokens').fill(String(MAX_TOKENS));
  await page.getByTestId('save-chat-settings').click();
  await page.getByTestId('chat-settings-saved').waitFor();
  await page.getByTestId('toggle-chat-settings').click();
}

async function waitForFinishedArrivals(page: Page): Promise<Arrivals> {
  // A function, not a string: the page's CSP forbids evaluating strings.
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { __veilArrivals: Arrivals }).__veilArrivals.completionTokens !== undefined,
    undefined,
    { timeout: 120_000 },
  );
  return (await page.evaluate('window.__veilArrivals')) as Arrivals;
}

async function measureStreaming(page: Page): Promise<{
  firstTokenMs: number;
  tokensPerSecond: number;
  arrivalTokensPerSecond: number;
  hiddenArrivalTokensPerSecond: number;
  completionTokens: number;
}> {
  await page.getByTestId('nav-models').click();
  await page.getByTestId('toggle-load-model').click();
  await page.getByTestId('toggle-load-model').filter({ hasText: 'Unload' }).waitFor({ timeout: 60_000 });

  // Control: the same generation while the page shows the model list, so no reply text is rendered at all.
  await newMeasuredChat(page);
  await page.evaluate(RESET_ARRIVALS);
  await page.getByTestId('composer-input').fill(PROMPT);
  await page.getByTestId('composer-input').press('Enter');
  await page.getByTestId('stop-button').waitFor();
  await page.getByTestId('nav-models').click();
  const hidden = await waitForFinishedArrivals(page);

  // Measured: the reply streams on screen.
  await newMeasuredChat(page);
  await page.evaluate(RESET_ARRIVALS);
  await page.evaluate(INSTALL_STREAM_RECORDER);
  await page.getByTestId('composer-input').fill(PROMPT);
  await page.getByTestId('composer-input').press('Enter');
  await page.getByTestId('stop-button').waitFor();
  await page.getByTestId('send-button').waitFor({ timeout: 120_000 });
  const shown = await waitForFinishedArrivals(page);
  const completionTokens = shown.completionTokens ?? Number.NaN;
  const recorded = (await page.evaluate('window.__veilBench')) as { sendAt: number; points: StreamPoint[] };
  const first = recorded.points[0];
  if (first === undefined) throw new Error('bench:ui: no streamed text was observed');
  return {
    firstTokenMs: first.t - recorded.sendAt,
    tokensPerSecond: tokensPerSecond(recorded.points, completionTokens),
    arrivalTokensPerSecond: tokensPerSecond(shown.arrivals, completionTokens),
    hiddenArrivalTokensPerSecond: tokensPerSecond(hidden.arrivals, hidden.completionTokens ?? Number.NaN),
    completionTokens,
  };
}

/**
 * Resolves, in the page, once the big conversation is rendered, scrolled to its last message, painted, and the main
 * thread is free again. (Imported messages get fresh ids, so the last row is found by its index.)
 */
const WAIT_FOR_INTERACTIVE = (count: number) => `new Promise((resolve, reject) => {
  const started = performance.now();
  const check = () => {
    const list = document.querySelector('[data-testid=message-list]');
    const ready = list !== null && list.dataset.count === '${count}' &&
      list.querySelector('[data-index="${count - 1}"]') !== null &&
      list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    if (ready) requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
    else if (performance.now() - started > 30000) reject(new Error('the conversation did not become interactive in 30 s'));
    else requestAnimationFrame(check);
  };
  check();
})`;

const INSTALL_CLICK_RECORDER = `(() => {
  window.__veilClickAt = undefined;
  document.addEventListener('click', (event) => { window.__veilClickAt ??= event.timeStamp; }, { capture: true, once: true });
})()`;

const SCROLL_FRAMES_SCRIPT = `new Promise((resolve) => {
  const list = document.querySelector('[data-testid=message-list]');
  const deltas = [];
  let last;
  const step = (now) => {
    if (last !== undefined) deltas.push(now - last);
    last = now;
    list.scrollTop -= ${SCROLL_STEP_PX};
    if (deltas.length < ${SCROLL_FRAMES} && list.scrollTop > 0) requestAnimationFrame(step);
    else resolve({ deltas, rendered: document.querySelectorAll('[data-testid=message]').length });
  };
  requestAnimationFrame(step);
})`;

async function measureLongConversation(
  page: Page,
  workDir: string,
): Promise<{ ttiMs: number; frameDeltas: number[]; renderedRows: number }> {
  const file = path.join(workDir, 'long-conversation.json');
  await writeFile(file, longConversationExport(CONVERSATION_MESSAGES));
  await page.getByTestId('import-chat-file').setInputFiles(file);
  await page.getByTestId('chat-title').filter({ hasText: 'Long conversation' }).waitFor({ timeout: 60_000 });
  await page.evaluate(WAIT_FOR_INTERACTIVE(CONVERSATION_MESSAGES));

  // Measured: switch away, then open it from the sidebar.
  await page.getByTestId('new-chat').click();
  await page.getByTestId('chat-empty').waitFor();
  await page.evaluate(INSTALL_CLICK_RECORDER);
  await page
    .getByTestId('conversation-item')
    .filter({ hasText: 'Long conversation' })
    .getByRole('button')
    .first()
    .click();
  const interactiveAt = (await page.evaluate(WAIT_FOR_INTERACTIVE(CONVERSATION_MESSAGES))) as number;
  const clickAt = (await page.evaluate('window.__veilClickAt')) as number;

  const scrolled = (await page.evaluate(SCROLL_FRAMES_SCRIPT)) as { deltas: number[]; rendered: number };
  return { ttiMs: interactiveAt - clickAt, frameDeltas: scrolled.deltas, renderedRows: scrolled.rendered };
}

async function main(): Promise<void> {
  const benchModel = await ensureTestModel('bench');
  log('measuring the engine alone');
  const engine = await measureEngine(benchModel);
  log(`engine: ${round(engine.tokensPerSecond)} tokens/s over ${engine.completionTokens} tokens`);

  await ensureRendererBuild();
  const home = await createVeilHome();
  let veil: VeilProcess | undefined;
  const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS] });
  try {
    veil = await startVeil(home);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(INSTALL_ARRIVAL_RECORDER);
    await page.goto(veil.url);
    await importModelByPath(page, benchModel);

    log('measuring a streamed reply in the UI');
    const stream = await measureStreaming(page);
    log(
      `ui: first token ${round(stream.firstTokenMs)} ms; painted ${round(stream.tokensPerSecond)} tokens/s, ` +
        `arrived ${round(stream.arrivalTokensPerSecond)} tokens/s (${round(stream.hiddenArrivalTokensPerSecond)} with nothing rendered)`,
    );

    log(`opening a ${CONVERSATION_MESSAGES}-message conversation`);
    const long = await measureLongConversation(page, home);
    log(`tti ${round(long.ttiMs)} ms; ${long.frameDeltas.length} scroll frames`);

    const ratio = stream.tokensPerSecond / stream.arrivalTokensPerSecond;
    const result = {
      bench: 'ui',
      model: path.basename(benchModel),
      maxTokens: MAX_TOKENS,
      sendToFirstTokenPaintedMs: round(stream.firstTokenMs),
      paintedTokensPerSecond: round(stream.tokensPerSecond),
      engineTokensPerSecond: round(stream.arrivalTokensPerSecond),
      paintRatio: round(ratio, 3),
      engineTokensPerSecondWhileNotRendering: round(stream.hiddenArrivalTokensPerSecond),
      standaloneEngineTokensPerSecond: round(engine.tokensPerSecond),
      paintRatioVsStandaloneEngine: round(stream.tokensPerSecond / engine.tokensPerSecond, 3),
      uiCompletionTokens: stream.completionTokens,
      engineCompletionTokens: engine.completionTokens,
      longConversation: {
        messages: CONVERSATION_MESSAGES,
        timeToInteractiveMs: round(long.ttiMs),
        renderedRows: long.renderedRows,
        scrollFrames: long.frameDeltas.length,
        scrollFrameMsP50: round(percentile(long.frameDeltas, 50)),
        scrollFrameMsP95: round(percentile(long.frameDeltas, 95)),
        scrollFrameMsMax: round(Math.max(...long.frameDeltas)),
      },
      targets: { paintRatio: TARGET_PAINT_RATIO, timeToInteractiveMs: TARGET_TTI_MS },
      pass: {
        paintRatio: ratio >= TARGET_PAINT_RATIO,
        timeToInteractive: long.ttiMs <= TARGET_TTI_MS,
      },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
    await veil?.stop();
    await removeVeilHome(home);
  }
}

await main();
