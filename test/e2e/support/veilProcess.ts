import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** How long `veil serve` may take to print its address (it opens the stores; the engine starts lazily). */
const START_TIMEOUT_MS = 60_000;
/** How long a stopped server may take to exit before it is killed. */
const STOP_TIMEOUT_MS = 10_000;
const URL_LINE = /Veil is running at (http:\/\/\S+)/;

/** The real CLI: `veil serve` on a free port. It keeps its chat key in a key file under VEIL_HOME/keys. */
const SERVE_ARGS = [path.join(REPO_ROOT, 'bin/veil.js'), 'serve', '--port', '0'];

/** A running `veil serve`. */
export interface VeilProcess {
  /** The printed address, token included. */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A fresh VEIL_HOME for one test run, with settings suited to a shared 2-core machine: one inference thread (llama.cpp
 * threads that outnumber free cores slow to a crawl) and no GPU.
 */
export async function createVeilHome(): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'veil-e2e-'));
  await mkdir(path.join(home, 'config'), { recursive: true });
  await writeFile(
    path.join(home, 'config/settings.json'),
    `${JSON.stringify({ modelsDir: path.join(home, 'models'), threads: 1, gpuOffload: 'off', contextSize: 2048, theme: 'system' })}\n`,
  );
  return home;
}

export async function removeVeilHome(home: string): Promise<void> {
  await rm(home, { recursive: true, force: true });
}

function spawnServer(args: string[], home: string): ChildProcess {
  return spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, VEIL_HOME: home, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Starts `veil serve` on a free port with `VEIL_HOME=home` and waits for its address line. */
export async function startVeil(home: string): Promise<VeilProcess> {
  const child = spawnServer(SERVE_ARGS, home);
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`startVeil: no address within ${START_TIMEOUT_MS} ms\n${stderr}`)),
      START_TIMEOUT_MS,
    );
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = URL_LINE.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`startVeil: the server exited with code ${code} before printing its address\n${stderr}`),
      );
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    url,
    origin: new URL(url).origin,
    stderr: () => stderr,
    stop: async () => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        if ((await waitForExit(child, STOP_TIMEOUT_MS)) === null && child.exitCode === null) {
          child.kill('SIGKILL');
          await waitForExit(child, STOP_TIMEOUT_MS);
        }
      })();
      await stopping;
    },
  };
}

/**
 * Starts `veil serve` expecting it to refuse to start (a wrong key). Resolves with its exit code and stderr, or with
 * the running process when it started after all (the caller then looks for the error in the UI).
 */
export async function startVeilExpectingRefusal(
  home: string,
): Promise<
  { kind: 'refused'; code: number | null; stderr: string } | { kind: 'started'; veil: VeilProcess }
> {
  try {
    return { kind: 'started', veil: await startVeil(home) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = /exited with code (\S+)/.exec(message)?.[1];
    return {
      kind: 'refused',
      code: code === undefined || code === 'null' ? null : Number(code),
      stderr: message,
    };
  }
}

/** sha256 of every file under `dir`, by relative path: to prove a failed open changed nothing. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        hashes[path.relative(dir, full)] = createHash('sha256')
          .update(await readFile(full))
          .digest('hex');
      }
    }
  };
  await walk(dir);
  return hashes;
}
