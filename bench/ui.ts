/**
 * `npm run bench:ui`: how fast the browser UI paints a streamed reply and handles a long conversation, against a real
 * `veil serve` driven through Debian's Chromium (the same fixture as the e2e tests).
 *
 * - send → first token painted: from the Enter keydown to the first DOM commit of reply text (React commits inside
 *   the frame that is then painted), both timed in the page.
 * - painted tokens/s against the engine's own tokens/s: one greedy generation of the bench model (~30 tokens/s on one
 *   thread) runs directly on the engine in this process, then the same generation runs through the UI. Both rates
 *   count the tokens after the first one, over the time from the first to the last token (engine callback or DOM
 *   commit). Target ratio ≥ 0.95.
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
import { importModelByPath, lastMessage } from '../test/e2e/support/ui';
import { createVeilHome, removeVeilHome, startVeil, type VeilProcess } from '../test/e2e/support/veilProcess';
import { ensureTestModel } from '../test/fixtures/testModels';

const PROMPT = 'Tell me a long story about the sea';
/** Tokens per measured generation: long enough for a stable rate, short enough for a quick run (~7 s each). */
const MAX_TOKENS = 200;
const CONVERSATION_MESSAGES = 2000;
const SCROLL_FRAMES = 240;
const SCROLL_STEP_PX = 240;
const TARGET_PAINT_RATIO = 0.95;
const TARGET_TTI_MS = 1000;
const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

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

async function measureEngine(modelPath: string): Promise<{ tokensPerSecond: number; completionTokens: number }> {
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

async function measureStreaming(page: Page): Promise<{ firstTokenMs: number; tokensPerSecond: number; completionTokens: number }> {
  await page.getByTestId('nav-models').click();
  await page.getByTestId('toggle-load-model').click();
  await page.getByTestId('toggle-load-model').filter({ hasText: 'Unload' }).waitFor({ timeout: 60_000 });
  await page.getByTestId('nav-chat').click();
  await page.getByTestId('new-chat').click();
  await page.getByTestId('toggle-chat-settings').click();
  await page.getByTestId('sampling-temperature').fill('0');
  await page.getByTestId('sampling-maxTokens').fill(String(MAX_TOKENS));
  await page.getByTestId('save-chat-settings').click();
  await page.getByTestId('chat-settings-saved').waitFor();
  await page.getByTestId('toggle-chat-settings').click();

  await page.evaluate(INSTALL_STREAM_RECORDER);
  await page.getByTestId('composer-input').fill(PROMPT);
  await page.getByTestId('composer-input').press('Enter');
  await page.getByTestId('stop-button').waitFor();
  await page.getByTestId('send-button').waitFor({ timeout: 120_000 });
  const reply = lastMessage(page, 'assistant');
  await reply.and(page.locator('[data-completion-tokens]')).waitFor();
  const completionTokens = Number(await reply.getAttribute('data-completion-tokens'));
  const recorded = (await page.evaluate('window.__veilBench')) as { sendAt: number; points: StreamPoint[] };
  const first = recorded.points[0];
  if (first === undefined) throw new Error('bench:ui: no streamed text was observed');
  return {
    firstTokenMs: first.t - recorded.sendAt,
    tokensPerSecond: tokensPerSecond(recorded.points, completionTokens),
    completionTokens,
  };
}

/** A linear conversation of `count` messages with varied markdown: paragraphs, lists, code, tables. */
function longConversationExport(count: number): string {
  const now = Date.now() - count * 1000;
  const words = 'the sea was calm and the boat drifted slowly toward a distant island where light fell on old stones'.split(' ');
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const sentence = (length: number): string =>
    Array.from({ length }, () => words[Math.floor(random() * words.length)] ?? 'sea').join(' ');
  const assistantContent = (index: number): string => {
    switch (index % 4) {
      case 0:
        return `${sentence(40)}.\n\n${sentence(30)}.`;
      case 1:
        return `Steps:\n\n1. ${sentence(8)}\n2. ${sentence(10)}\n3. ${sentence(6)}\n\n**Note:** ${sentence(12)}.`;
      case 2:
        return `Example:\n\n\`\`\`ts\nfunction step${index}(input: number): number {\n  return input * ${index} + 1;\n}\n\`\`\`\n\n${sentence(15)}.`;
      default:
        return `| name | value |\n| --- | --- |\n| a | ${index} |\n| b | ${index * 2} |\n\n${sentence(20)}.`;
    }
  };
  const messages = Array.from({ length: count }, (_, index) => ({
    id: `m${index}`,
    parentId: index === 0 ? null : `m${index - 1}`,
    role: index % 2 === 0 ? 'user' : 'assistant',
    content: index % 2 === 0 ? `${sentence(5 + (index % 12))}?` : assistantContent(index),
    createdAt: now + index * 1000,
  }));
  return JSON.stringify({
    format: 'veil-chat-export',
    version: 1,
    exportedAt: Date.now(),
    conversation: {
      title: `Long conversation (${count} messages)`,
      createdAt: now,
      updatedAt: now + count * 1000,
      systemPrompt: '',
      activeLeafId: `m${count - 1}`,
      messages,
    },
  });
}

/** Resolves, in the page, once the big conversation is rendered, at its end, painted, and the main thread is free. */
const WAIT_FOR_INTERACTIVE = (count: number) => `new Promise((resolve) => {
  const check = () => {
    const list = document.querySelector('[data-testid=message-list]');
    const ready = list !== null && list.dataset.count === '${count}' &&
      document.querySelector('[data-message-id=m${count - 1}]') !== null &&
      list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    if (!ready) { requestAnimationFrame(check); return; }
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
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

async function measureLongConversation(page: Page, workDir: string): Promise<{ ttiMs: number; frameDeltas: number[]; renderedRows: number }> {
  const file = path.join(workDir, 'long-conversation.json');
  await writeFile(file, longConversationExport(CONVERSATION_MESSAGES));
  await page.getByTestId('import-chat-file').setInputFiles(file);
  await page.getByTestId('chat-title').filter({ hasText: 'Long conversation' }).waitFor({ timeout: 60_000 });
  await page.evaluate(WAIT_FOR_INTERACTIVE(CONVERSATION_MESSAGES));

  // Measured: switch away, then open it from the sidebar.
  await page.getByTestId('new-chat').click();
  await page.getByTestId('chat-empty').waitFor();
  await page.evaluate(INSTALL_CLICK_RECORDER);
  await page.getByTestId('conversation-item').filter({ hasText: 'Long conversation' }).getByRole('button').first().click();
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
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    veil = await startVeil(home);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(veil.url);
    await importModelByPath(page, benchModel);

    log('measuring a streamed reply in the UI');
    const stream = await measureStreaming(page);
    log(`ui: first token ${round(stream.firstTokenMs)} ms, ${round(stream.tokensPerSecond)} tokens/s`);

    log(`opening a ${CONVERSATION_MESSAGES}-message conversation`);
    const long = await measureLongConversation(page, home);
    log(`tti ${round(long.ttiMs)} ms; ${long.frameDeltas.length} scroll frames`);

    const ratio = stream.tokensPerSecond / engine.tokensPerSecond;
    const result = {
      bench: 'ui',
      model: path.basename(benchModel),
      maxTokens: MAX_TOKENS,
      sendToFirstTokenPaintedMs: round(stream.firstTokenMs),
      paintedTokensPerSecond: round(stream.tokensPerSecond),
      engineTokensPerSecond: round(engine.tokensPerSecond),
      paintRatio: round(ratio, 3),
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
