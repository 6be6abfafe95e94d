import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import type { Command } from 'commander';
import type { ChatMessage, GenerateRequest, GenerateResult } from '../../app/engine/generationTypes';
import type { LoadedModel } from '../../app/engine/LoadedModel';
import type { CliIo } from '../CliIo';
import { printJson } from '../CliIo';
import { CliContext } from '../CliContext';
import { integerOption, numberOption } from '../parseOptions';
import { backendOption, threadsOption } from './sharedOptions';

interface ChatOptions {
  model: string;
  system?: string;
  maxTokens?: number;
  temperature: number;
  topP?: number;
  topK?: number;
  seed?: number;
  contextSize: number;
  threads?: number;
  backend?: 'auto';
  json?: boolean;
}

const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant.';

export function addChatCommand(program: Command, io: CliIo): void {
  program
    .command('chat')
    .description(
      'Chat with a local model: answer one prompt, or start an interactive session when no prompt is given.',
    )
    .argument('[prompt]', 'the message to answer (omit it for an interactive session)')
    .requiredOption('-m, --model <name-or-path>', 'an installed model name or id, or a path to a .gguf file')
    .option('--system <text>', 'system prompt', DEFAULT_SYSTEM_PROMPT)
    .option('--max-tokens <n>', 'stop after this many tokens', integerOption(1, 1 << 20))
    .option('--temperature <t>', 'sampling temperature; 0 is greedy and reproducible', numberOption(0, 5), 0)
    .option('--top-p <p>', 'nucleus sampling threshold (with temperature > 0)', numberOption(0.000001, 1))
    .option(
      '--top-k <k>',
      'sample among the k likeliest tokens (with temperature > 0)',
      integerOption(0, 1000),
    )
    .option('--seed <n>', 'sampling seed (with temperature > 0)', integerOption(0, 2 ** 32 - 1))
    .option('--context-size <tokens>', 'context window', integerOption(256, 1 << 20), 4096)
    .addOption(threadsOption())
    .addOption(backendOption())
    .option('--json', 'print one JSON object: {text, finishReason, promptTokens, completionTokens}')
    .action(async (prompt: string | undefined, options: ChatOptions) => {
      const context = new CliContext(io, options);
      try {
        const modelPath = await resolveModelPath(context, options.model);
        const engine = await context.getEngine();
        const model = await engine.loadModel({ modelPath, contextSize: options.contextSize, sequences: 1 });
        const system: ChatMessage[] =
          options.system === '' || options.system === undefined
            ? []
            : [{ role: 'system', content: options.system }];
        if (prompt !== undefined) {
          const result = await answerOnce(io, model, [...system, { role: 'user', content: prompt }], options);
          if (result.finishReason === 'error')
            throw new Error(`chat: generation failed: ${result.error?.message ?? 'unknown error'}`);
          if (result.finishReason === 'aborted') process.exitCode = 130;
        } else {
          if (options.json === true)
            throw new Error('chat: --json needs a prompt argument (the interactive session prints text)');
          await repl(io, model, system, options);
        }
      } finally {
        await context.dispose();
      }
    });
}

async function resolveModelPath(context: CliContext, model: string): Promise<string> {
  const looksLikePath = model.endsWith('.gguf') || model.includes('/') || model.includes(path.sep);
  if (looksLikePath) {
    const resolved = path.resolve(model);
    if (!existsSync(resolved)) throw new Error(`chat: no model file at ${resolved}`);
    return resolved;
  }
  const installed = await (await context.getLibrary()).get(model);
  if (installed.status === 'missing')
    throw new Error(`chat: the file of model "${installed.name}" is missing (${installed.path})`);
  return installed.path;
}

function toRequest(messages: ChatMessage[], options: ChatOptions): GenerateRequest {
  return {
    messages,
    temperature: options.temperature,
    ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
    ...(options.topP !== undefined ? { topP: options.topP } : {}),
    ...(options.topK !== undefined ? { topK: options.topK } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
}

/** Ctrl+C stops the answer (keeping what was generated) rather than killing the process mid-write. */
async function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function answerOnce(
  io: CliIo,
  model: LoadedModel,
  messages: ChatMessage[],
  options: ChatOptions,
): Promise<GenerateResult> {
  const json = options.json === true;
  const result = await withInterrupt((signal) =>
    model.generate(toRequest(messages, options), {
      signal,
      onToken: json ? undefined : (event) => io.stdout.write(event.text),
    }),
  );
  if (json) {
    printJson(io, {
      text: result.text,
      finishReason: result.finishReason,
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
    });
  } else {
    io.stdout.write('\n');
  }
  return result;
}

async function repl(
  io: CliIo,
  model: LoadedModel,
  system: ChatMessage[],
  options: ChatOptions,
): Promise<void> {
  const history: ChatMessage[] = [...system];
  const rl = readline.createInterface({
    input: io.stdin,
    output: io.stdout,
    terminal: io.stdin.isTTY === true,
  });
  io.stdout.write(
    'Local chat: nothing leaves this device. /reset clears the conversation, /exit or Ctrl+D quits.\n',
  );
  try {
    for (;;) {
      let line: string;
      try {
        line = await rl.question('> ');
      } catch {
        break; // Ctrl+D or closed input
      }
      const text = line.trim();
      if (text === '') continue;
      if (text === '/exit' || text === '/quit') break;
      if (text === '/reset') {
        history.splice(system.length);
        io.stdout.write('(conversation cleared)\n');
        continue;
      }
      history.push({ role: 'user', content: text });
      const result = await answerOnce(io, model, history, { ...options, json: false });
      if (result.finishReason === 'error') {
        io.stderr.write(`veil: generation failed: ${result.error?.message ?? 'unknown error'}\n`);
        history.pop();
        continue;
      }
      history.push({ role: 'assistant', content: result.text });
    }
  } finally {
    rl.close();
  }
}
