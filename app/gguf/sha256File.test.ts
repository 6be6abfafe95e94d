import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from './sha256File';

describe('sha256File', () => {
  it('hashes empty and multi-chunk files like a one-shot hash', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'veil-sha-'));
    try {
      for (const content of [Buffer.alloc(0), randomBytes(9 * 1024 * 1024 + 17)]) {
        const filePath = path.join(dir, 'f');
        await writeFile(filePath, content);
        expect(await sha256File(filePath)).toBe(createHash('sha256').update(content).digest('hex'));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
