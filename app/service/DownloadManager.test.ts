import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestModel, TEST_MODEL_SHA256 } from '../../test/fixtures/testModels';
import type { DownloadState } from '../contract/dto';
import type { VeilEvent } from '../contract/veilContract';
import { openTestCore, type TestCore } from './openTestCore';

/** Bytes sent per tick and the gap between ticks: slow enough (~0.5 s for the tiny model) to pause mid-way. */
const CHUNK_BYTES = 32 * 1024;
const TICK_MS = 15;

/** A local file server with Range support that trickles the body, and remembers the Range headers it saw. */
async function startModelServer(
  file: Buffer,
): Promise<{ server: http.Server; base: string; ranges: string[] }> {
  const ranges: string[] = [];
  const server = http.createServer((request, response) => {
    if (!request.url?.endsWith('.gguf') || request.url.includes('missing')) {
      response.writeHead(404).end();
      return;
    }
    let start = 0;
    const range = request.headers.range;
    if (range !== undefined) {
      ranges.push(range);
      start = Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0);
      response.writeHead(206, {
        'Content-Range': `bytes ${start}-${file.length - 1}/${file.length}`,
        'Content-Length': file.length - start,
        ETag: '"tiny-v1"',
      });
    } else {
      response.writeHead(200, { 'Content-Length': file.length, ETag: '"tiny-v1"' });
    }
    let offset = start;
    const timer = setInterval(() => {
      if (response.destroyed) {
        clearInterval(timer);
        return;
      }
      const end = Math.min(file.length, offset + CHUNK_BYTES);
      response.write(file.subarray(offset, end));
      offset = end;
      if (offset >= file.length) {
        clearInterval(timer);
        response.end();
      }
    }, TICK_MS);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ranges };
}

describe('downloads through VeilService (real library, local HTTP server)', () => {
  let test: TestCore;
  let modelServer: Awaited<ReturnType<typeof startModelServer>>;
  const events: VeilEvent[] = [];

  const progressOf = (id: string): DownloadState[] =>
    events.flatMap((event) =>
      event.type === 'download.progress' && event.download.id === id ? [event.download] : [],
    );

  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async function partFiles(): Promise<string[]> {
    const dir = path.join(test.home, 'cache', 'downloads');
    const names = await fs.readdir(dir).catch(() => []);
    return names.filter((name) => name.endsWith('.part'));
  }

  beforeAll(async () => {
    const file = await fs.readFile(await ensureTestModel('tiny'));
    modelServer = await startModelServer(file);
    test = await openTestCore();
    test.core.service.onEvent((event) => events.push(event));
  });

  afterAll(async () => {
    await test.remove();
    await new Promise((resolve) => modelServer.server.close(resolve));
  });

  it('pauses (keeping the part file), resumes with a Range request, verifies and installs', async () => {
    const service = test.core.service;
    const started = await service['downloads.start']({
      source: `${modelServer.base}/models/tiny.gguf`,
      sha256: TEST_MODEL_SHA256.tiny,
      name: 'tiny-download',
    });
    expect(started).toMatchObject({ state: 'downloading', name: 'tiny-download', downloadedBytes: 0 });
    await until(() => progressOf(started.id).some((state) => state.downloadedBytes > 0), 'first progress');

    const paused = await service['downloads.pause']({ id: started.id });
    expect(paused.state).toBe('paused');
    expect(paused.downloadedBytes).toBeGreaterThan(0);
    expect(await partFiles()).toHaveLength(1);
    expect(await service['downloads.list']()).toMatchObject([{ id: started.id, state: 'paused' }]);

    const resumed = await service['downloads.resume']({ id: started.id });
    expect(resumed.state).toBe('downloading');
    await until(() => progressOf(started.id).some((state) => state.state === 'done'), 'done');

    const done = (await service['downloads.list']()).find((state) => state.id === started.id);
    expect(done).toMatchObject({ state: 'done', totalBytes: 868_736, downloadedBytes: 868_736 });
    expect(modelServer.ranges.some((range) => /^bytes=[1-9]\d*-$/.test(range))).toBe(true);
    expect(events.some((event) => event.type === 'models.changed')).toBe(true);
    const models = await service['models.list']();
    expect(models).toMatchObject([
      { id: done?.modelId, name: 'tiny-download', sha256: TEST_MODEL_SHA256.tiny },
    ]);
    expect(await partFiles()).toHaveLength(0);
    // Progress events are throttled: far fewer than the ~27 chunks sent.
    expect(progressOf(started.id).length).toBeLessThan(27);
  });

  it('cancels a download and deletes its part file', async () => {
    const service = test.core.service;
    const started = await service['downloads.start']({ source: `${modelServer.base}/other/tiny-2.gguf` });
    expect(started.name).toBe('tiny-2');
    await until(() => progressOf(started.id).some((state) => state.downloadedBytes > 0), 'first progress');
    const cancelled = await service['downloads.cancel']({ id: started.id });
    expect(cancelled.state).toBe('cancelled');
    expect(await partFiles()).toHaveLength(0);
    expect((await service['models.list']()).map((model) => model.name)).not.toContain('tiny-2');
    await expect(service['downloads.resume']({ id: started.id })).rejects.toMatchObject({
      name: 'DownloadStateError',
    });
  });

  it('reports a failed download with its error, and refuses unknown ids', async () => {
    const service = test.core.service;
    const started = await service['downloads.start']({ source: `${modelServer.base}/missing.gguf` });
    await until(() => progressOf(started.id).some((state) => state.state === 'failed'), 'failure');
    const failed = (await service['downloads.list']()).find((state) => state.id === started.id);
    expect(failed?.error?.name).toBe('DownloadHttpError');
    await expect(service['downloads.pause']({ id: 'nope' })).rejects.toMatchObject({
      name: 'DownloadNotFoundError',
    });
  });
});
