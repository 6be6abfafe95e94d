import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestModel } from '../test/fixtures/testModels';

// The `veil` command as users run it: a spawned process, a real generated model, a throwaway VEIL_HOME.

const veilBin = path.resolve(import.meta.dirname, '../bin/veil.js');

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;
let tinyPath: string;

function veil(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [veilBin, ...args],
      { env: { ...process.env, VEIL_HOME: home, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function expectOneErrorLine(result: RunResult, code: number, pattern: RegExp): void {
  expect(result.code).toBe(code);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^veil: /);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'veil-cli-'));
  tinyPath = await ensureTestModel('tiny');
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('veil doctor', () => {
  it('reports the backend, threads and the VEIL_HOME data directory as JSON', async () => {
    const result = await veil(['doctor', '--json', '--threads', '1']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report.backend).toBe('cpu');
    expect(report.threads).toBe(1);
    expect(report.dataDir).toBe(home);
    expect(report.ramTotalBytes).toBeGreaterThan(0);
  });
});

describe('veil models and chat', () => {
  it('imports, lists, inspects and chats with a model; the same prompt gives the same answer twice', async () => {
    const imported = await veil(['models', 'import', tinyPath, '--name', 'tiny', '--json']);
    expect(imported.code).toBe(0);
    const model = JSON.parse(imported.stdout) as { name: string; architecture: string; sha256: string };
    expect(model.name).toBe('tiny');
    expect(model.architecture).toBe('llama');
    expect(model.sha256).toBe(
      createHash('sha256')
        .update(await readFile(tinyPath))
        .digest('hex'),
    );

    const listed = JSON.parse((await veil(['models', 'list', '--json'])).stdout) as {
      models: Array<{ name: string }>;
    };
    expect(listed.models.map((entry) => entry.name)).toEqual(['tiny']);

    const info = await veil(['models', 'info', 'tiny', '--json', '--context-size', '512']);
    expect(info.code).toBe(0);
    const fit = (JSON.parse(info.stdout) as { fit: { fits: boolean; contextSize: number } }).fit;
    expect(fit).toMatchObject({ fits: true, contextSize: 512 });

    const args = [
      'chat',
      '-m',
      'tiny',
      'hello',
      '--json',
      '--max-tokens',
      '12',
      '--threads',
      '1',
      '--context-size',
      '512',
    ];
    const first = await veil(args);
    const second = await veil(args);
    expect(first.code).toBe(0);
    const answer = JSON.parse(first.stdout) as {
      text: string;
      finishReason: string;
      promptTokens: number;
      completionTokens: number;
    };
    expect(answer.finishReason).toBe('length');
    expect(answer.completionTokens).toBe(12);
    expect(answer.promptTokens).toBeGreaterThan(0);
    expect(answer.text.length).toBeGreaterThan(0);
    expect(second.stdout).toBe(first.stdout);

    // Streaming text mode prints the same answer as the JSON mode.
    const streamed = await veil([
      'chat',
      '-m',
      'tiny',
      'hello',
      '--max-tokens',
      '12',
      '--threads',
      '1',
      '--context-size',
      '512',
    ]);
    expect(streamed.code).toBe(0);
    expect(streamed.stdout).toBe(`${answer.text}\n`);

    // A model given by path needs no library entry.
    const byPath = await veil([
      'chat',
      '-m',
      tinyPath,
      'hello',
      '--json',
      '--max-tokens',
      '12',
      '--threads',
      '1',
      '--context-size',
      '512',
    ]);
    expect(JSON.parse(byPath.stdout)).toEqual(answer);

    const removed = await veil(['models', 'rm', 'tiny', '--json']);
    expect(removed.code).toBe(0);
    expect(
      (JSON.parse((await veil(['models', 'list', '--json'])).stdout) as { models: unknown[] }).models,
    ).toEqual([]);
  });

  it('answers in an interactive session when no prompt is given', async () => {
    const session = await new Promise<RunResult>((resolve) => {
      const child = execFile(
        process.execPath,
        [veilBin, 'chat', '-m', tinyPath, '--max-tokens', '6', '--threads', '1', '--context-size', '512'],
        { env: { ...process.env, VEIL_HOME: home } },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : 1, stdout, stderr }),
      );
      child.stdin?.end('hello\n/exit\n');
    });
    expect(session.code).toBe(0);
    const single = JSON.parse(
      (
        await veil([
          'chat',
          '-m',
          tinyPath,
          'hello',
          '--json',
          '--max-tokens',
          '6',
          '--threads',
          '1',
          '--context-size',
          '512',
        ])
      ).stdout,
    ) as { text: string };
    expect(session.stdout).toContain(single.text);
  });

  it('downloads a model over HTTP with a verified sha256 and prints no progress bar on a pipe', async () => {
    const bytes = await readFile(tinyPath);
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'Content-Length': bytes.length, 'Content-Type': 'application/octet-stream' });
      response.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const pulled = await veil([
        'models',
        'pull',
        `http://127.0.0.1:${port}/tiny.gguf`,
        '--sha256',
        sha256,
        '--name',
        'pulled',
      ]);
      expect(pulled.code).toBe(0);
      expect(pulled.stderr).toBe('');
      expect(pulled.stdout).toMatch(/^Installed pulled /);
      const wrong = await veil([
        'models',
        'pull',
        `http://127.0.0.1:${port}/tiny.gguf`,
        '--sha256',
        'f'.repeat(64),
        '--name',
        'bad',
      ]);
      expectOneErrorLine(wrong, 1, /sha256/i);
      const names = (
        JSON.parse((await veil(['models', 'list', '--json'])).stdout) as { models: Array<{ name: string }> }
      ).models;
      expect(names.map((entry) => entry.name)).toEqual(['pulled']);
    } finally {
      server.close();
    }
  });
});

describe('veil with bad input', () => {
  it('exits non-zero with one clear line', async () => {
    expectOneErrorLine(await veil(['bogus']), 2, /unknown command 'bogus'/);
    expectOneErrorLine(
      await veil(['chat', '-m', 'x', 'hi', '--max-tokens', 'abc']),
      2,
      /--max-tokens.*whole number/,
    );
    expectOneErrorLine(await veil(['chat', 'hi']), 2, /--model/);
    expectOneErrorLine(
      await veil(['chat', '-m', 'x', 'hi', '--temperature', '9']),
      2,
      /--temperature.*0 to 5/,
    );
    expectOneErrorLine(await veil(['models', 'info', 'nope']), 1, /nope/);
    expectOneErrorLine(await veil(['models', 'pull', 'ftp://example/x.gguf']), 1, /http/);
    expectOneErrorLine(await veil(['chat', '-m', '/nonexistent/model.gguf', 'hi']), 1, /no model file/);
    const notGguf = path.join(home, 'not-a-model.gguf');
    await writeFile(notGguf, 'definitely not a GGUF file');
    expectOneErrorLine(await veil(['models', 'import', notGguf]), 1, /not a valid GGUF/);
  });

  it('prints help for every command and exits 0', async () => {
    for (const args of [
      ['--help'],
      ['models', '--help'],
      ['models', 'pull', '--help'],
      ['chat', '--help'],
      ['doctor', '--help'],
      ['serve', '--help'],
    ]) {
      const result = await veil(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: veil/);
    }
  });
});
