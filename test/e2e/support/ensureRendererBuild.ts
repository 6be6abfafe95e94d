import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './veilProcess';

const execFileAsync = promisify(execFile);

/** Sources the renderer bundle is built from: when any is newer than the build, it is rebuilt. */
const RENDERER_SOURCES = ['renderer', 'app/contract', 'electron.vite.config.ts'];

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target))
    newest = Math.max(newest, await newestMtime(path.join(target, entry)));
  return newest;
}

/** Builds `out/renderer` with electron-vite unless it exists and is newer than every renderer source. */
export async function ensureRendererBuild(): Promise<void> {
  const index = path.join(REPO_ROOT, 'out/renderer/index.html');
  let builtAt = 0;
  try {
    builtAt = (await stat(index)).mtimeMs;
  } catch {
    // Not built yet.
  }
  const sources = await Promise.all(
    RENDERER_SOURCES.map(async (source) => await newestMtime(path.join(REPO_ROOT, source))),
  );
  if (builtAt > Math.max(...sources)) return;
  await execFileAsync(path.join(REPO_ROOT, 'node_modules/.bin/electron-vite'), ['build'], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
}
