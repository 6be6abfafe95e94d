import fs from 'node:fs/promises';
import path from 'node:path';

/** What a request path maps to inside the static directory. */
export type StaticFileLookup =
  { kind: 'file'; filePath: string; sizeBytes: number } | { kind: 'notFound' } | { kind: 'badRequest' };

/**
 * Maps a URL path onto a regular file inside `rootRealPath` (already realpath-resolved). `/` serves `index.html`; no
 * other directory is served. The path is decoded, then resolved both lexically and through symlinks, and refused
 * unless it still lies inside the root, so `..`, encoded separators and symlinks cannot escape it.
 */
export async function resolveStaticFile(rootRealPath: string, urlPath: string): Promise<StaticFileLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'badRequest' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'badRequest' };
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const lexical = path.resolve(rootRealPath, relative);
  if (!isInside(rootRealPath, lexical)) return { kind: 'badRequest' };
  let real: string;
  try {
    real = await fs.realpath(lexical);
  } catch {
    return { kind: 'notFound' };
  }
  if (!isInside(rootRealPath, real)) return { kind: 'notFound' };
  const stats = await fs.stat(real);
  if (!stats.isFile()) return { kind: 'notFound' };
  return { kind: 'file', filePath: real, sizeBytes: stats.size };
}

function isInside(root: string, candidate: string): boolean {
  return candidate.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`);
}
