import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readGgufMetadata } from '../gguf/readGgufMetadata';
import { ensureTestModel } from '../../test/fixtures/testModels';
import type { ModelDownloadProgress } from './downloadToPartFile';
import type { InstalledModel } from './InstalledModel';
import { MODEL_MANIFEST_FILE_NAME, ModelLibrary } from './ModelLibrary';
import {
  ChecksumMismatchError,
  DownloadAbortedError,
  DownloadHttpError,
  DownloadInProgressError,
  DownloadInterruptedError,
  InvalidModelFileError,
  UnsupportedModelSourceError,
} from './modelLibraryErrors';

/** Generating the model and loading llama.cpp's addon for the first header read take seconds on a busy machine. */
const SETUP_TIMEOUT_MS = 120_000;

/** Bytes per write when the server sends slowly. */
const SLOW_CHUNK_BYTES = 16 * 1024;

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly range: string | undefined;
  readonly ifRange: string | undefined;
  readonly authorization: string | undefined;
}

/** How the server misbehaves on purpose. */
interface ServerBehaviour {
  /** Closes the connection after this many body bytes, on the next file request only. */
  cutNextResponseAfter?: number;
  /** Answers every file request with 200 and the whole file, as servers without Range support do. */
  ignoreRange?: boolean;
  /** Sends the body in small chunks with this pause between them. */
  chunkDelayMs?: number;
  /** Answers every file request with this status and no body. */
  status?: number;
}

/** A real HTTP server on 127.0.0.1 serving files with Range, ETag and If-Range, and the hub's tag API. */
class TestFileServer {
  public readonly files = new Map<string, Buffer>();
  /** File path → the sha256 a HEAD request reports in `X-Linked-Etag`, as the hub does for LFS files. */
  public readonly linkedEtags = new Map<string, string>();
  /** `/v2/<owner>/<repo>/manifests/<tag>` → the file name the hub answers. */
  public readonly tags = new Map<string, string>();
  public readonly requests: RecordedRequest[] = [];
  public behaviour: ServerBehaviour = {};
  private readonly server = http.createServer((request, response) => {
    void this.handle(request, response);
  });

  public get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The GET requests for `filePath`, in order. */
  public requestsFor(filePath: string, method = 'GET'): RecordedRequest[] {
    return this.requests.filter((request) => request.path === filePath && request.method === method);
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    this.requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      range: request.headers.range,
      ifRange: headerValue(request.headers['if-range']),
      authorization: request.headers.authorization,
    });
    if (request.method === 'HEAD') {
      const linked = this.linkedEtags.get(url.pathname);
      response.writeHead(this.files.has(url.pathname) ? 302 : 404, {
        Location: url.pathname,
        ...(linked === undefined ? {} : { 'X-Linked-Etag': `"${linked}"` }),
      });
      response.end();
      return;
    }
    const tagFile = this.tags.get(url.pathname);
    if (tagFile !== undefined) {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ ggufFile: { rfilename: tagFile } }));
      return;
    }
    const file = this.files.get(url.pathname);
    if (this.behaviour.status !== undefined || file === undefined) {
      response.writeHead(this.behaviour.status ?? 404);
      response.end();
      return;
    }
    const etag = `"${createHash('sha256').update(file).digest('hex').slice(0, 16)}"`;
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      ETag: etag,
    };
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const ifRange = headerValue(request.headers['if-range']);
    if (!this.behaviour.ignoreRange && range !== null && (ifRange === undefined || ifRange === etag)) {
      start = Number(range[1]);
      if (start >= file.byteLength) {
        response.writeHead(416, { 'Content-Range': `bytes */${file.byteLength}` });
        response.end();
        return;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${file.byteLength - 1}/${file.byteLength}`;
    }
    const body = file.subarray(start);
    headers['Content-Length'] = body.byteLength;
    response.writeHead(status, headers);

    const cut = this.behaviour.cutNextResponseAfter;
    if (cut !== undefined) {
      this.behaviour.cutNextResponseAfter = undefined;
      response.write(body.subarray(0, cut), () => response.socket?.destroy());
      return;
    }
    const chunkDelayMs = this.behaviour.chunkDelayMs;
    if (chunkDelayMs === undefined) {
      response.end(body);
      return;
    }
    for (let offset = 0; offset < body.byteLength; offset += SLOW_CHUNK_BYTES) {
      if (response.destroyed) return;
      response.write(body.subarray(offset, offset + SLOW_CHUNK_BYTES));
      await delay(chunkDelayMs);
    }
    response.end();
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

let tinyModelBytes: Buffer;
let tinyModelSha256: string;

beforeAll(async () => {
  const tinyModelPath = await ensureTestModel('tiny');
  tinyModelBytes = await fs.readFile(tinyModelPath);
  tinyModelSha256 = createHash('sha256').update(tinyModelBytes).digest('hex');
  await readGgufMetadata(tinyModelPath);
}, SETUP_TIMEOUT_MS);

let workDir: string;
let modelsDir: string;
let cacheDir: string;
let server: TestFileServer;
let libraries: ModelLibrary[];

beforeEach(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-downloads-'));
  modelsDir = path.join(workDir, 'models');
  cacheDir = path.join(workDir, 'cache');
  server = new TestFileServer();
  server.files.set('/files/tiny.gguf', tinyModelBytes);
  await server.start();
  libraries = [];
});

afterEach(async () => {
  await Promise.all(libraries.map(async (library) => library.dispose()));
  await server.close();
  await fs.rm(workDir, { recursive: true, force: true });
});

function createLibrary(options: Partial<ConstructorParameters<typeof ModelLibrary>[0]> = {}): ModelLibrary {
  const library = new ModelLibrary({ modelsDir, cacheDir, env: {}, ...options });
  libraries.push(library);
  return library;
}

/** Files in the partial-download directory. */
async function downloadDirEntries(): Promise<string[]> {
  try {
    return (await fs.readdir(path.join(cacheDir, 'downloads'))).sort();
  } catch {
    return [];
  }
}

async function partFileSize(): Promise<number> {
  const part = (await downloadDirEntries()).find((entry) => entry.endsWith('.part'));
  if (part === undefined) throw new Error('no part file');
  return (await fs.stat(path.join(cacheDir, 'downloads', part))).size;
}

/** Model folders in the models directory (anything but the manifest). */
async function modelDirEntries(): Promise<string[]> {
  try {
    return (await fs.readdir(modelsDir)).filter((entry) => entry !== MODEL_MANIFEST_FILE_NAME);
  } catch {
    return [];
  }
}

async function expectInstalledTinyModel(model: InstalledModel): Promise<void> {
  expect(model).toMatchObject({
    fileName: 'tiny.gguf',
    sizeBytes: tinyModelBytes.byteLength,
    sha256: tinyModelSha256,
    architecture: 'llama',
    status: 'ready',
  });
  expect(
    createHash('sha256')
      .update(await fs.readFile(model.path))
      .digest('hex'),
  ).toBe(tinyModelSha256);
}

describe('ModelLibrary downloads', () => {
  it('downloads a URL, reports progress and installs the verified file', async () => {
    const library = createLibrary();
    const events: ModelDownloadProgress[] = [];

    const installed = await library.download(`${server.baseUrl}/files/tiny.gguf`, {
      sha256: tinyModelSha256.toUpperCase(),
      onProgress: (progress) => events.push(progress),
    });

    await expectInstalledTinyModel(installed);
    expect(installed).toMatchObject({
      name: 'tiny',
      verified: true,
      source: { kind: 'download', url: `${server.baseUrl}/files/tiny.gguf` },
    });
    expect(installed.path.startsWith(modelsDir + path.sep)).toBe(true);
    expect(await library.list()).toEqual([installed]);
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({
      downloadedBytes: tinyModelBytes.byteLength,
      totalBytes: tinyModelBytes.byteLength,
    });
    for (let index = 1; index < events.length; index++) {
      expect(events[index]?.downloadedBytes).toBeGreaterThanOrEqual(events[index - 1]?.downloadedBytes ?? 0);
    }
    // The part file and its sidecar are gone once the model is installed.
    expect(await downloadDirEntries()).toEqual([]);
    expect(server.requestsFor('/files/tiny.gguf')).toHaveLength(1);
  });

  it('records the computed hash as unverified when none was given', async () => {
    const installed = await createLibrary().download(`${server.baseUrl}/files/tiny.gguf`, { name: 'plain' });
    expect(installed).toMatchObject({ name: 'plain', sha256: tinyModelSha256, verified: false });
  });

  it('resumes an interrupted download with a Range request', async () => {
    const library = createLibrary();
    const source = `${server.baseUrl}/files/tiny.gguf`;
    server.behaviour.cutNextResponseAfter = 300_000;

    await expect(library.download(source, { sha256: tinyModelSha256 })).rejects.toThrow(
      DownloadInterruptedError,
    );
    const kept = await partFileSize();
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(300_000);
    // A partial download is never listed.
    expect(await library.list()).toEqual([]);
    expect(await modelDirEntries()).toEqual([]);

    const installed = await library.download(source, { sha256: tinyModelSha256 });

    await expectInstalledTinyModel(installed);
    expect(installed.verified).toBe(true);
    const [first, second] = server.requestsFor('/files/tiny.gguf');
    expect(first?.range).toBeUndefined();
    expect(second?.range).toBe(`bytes=${kept}-`);
    expect(second?.ifRange).toMatch(/^"[0-9a-f]{16}"$/);
    expect(await downloadDirEntries()).toEqual([]);
  });

  it('keeps the partial file when cancelled, hides it from the list, and resumes later', async () => {
    const library = createLibrary();
    const source = `${server.baseUrl}/files/tiny.gguf`;
    server.behaviour.chunkDelayMs = 20;
    const controller = new AbortController();
    let listedDuringDownload: Promise<InstalledModel[]> | undefined;

    await expect(
      library.download(source, {
        signal: controller.signal,
        onProgress: () => {
          listedDuringDownload ??= library.list();
          controller.abort();
        },
      }),
    ).rejects.toThrow(DownloadAbortedError);

    expect(await listedDuringDownload).toEqual([]);
    expect(await library.list()).toEqual([]);
    const kept = await partFileSize();
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(tinyModelBytes.byteLength);

    server.behaviour.chunkDelayMs = undefined;
    const installed = await library.download(source);

    await expectInstalledTinyModel(installed);
    expect(server.requestsFor('/files/tiny.gguf').at(-1)?.range).toBe(`bytes=${kept}-`);
  });

  it('starts over cleanly when the server ignores the Range request', async () => {
    const library = createLibrary();
    const source = `${server.baseUrl}/files/tiny.gguf`;
    server.behaviour.cutNextResponseAfter = 200_000;
    await expect(library.download(source)).rejects.toThrow(DownloadInterruptedError);
    const kept = await partFileSize();

    server.behaviour.ignoreRange = true;
    const installed = await library.download(source, { sha256: tinyModelSha256 });

    await expectInstalledTinyModel(installed);
    expect(server.requestsFor('/files/tiny.gguf').at(-1)?.range).toBe(`bytes=${kept}-`);
  });

  it('installs a part that was already complete when the server answers 416', async () => {
    const library = createLibrary();
    const source = `${server.baseUrl}/files/tiny.gguf`;
    const partsDir = path.join(cacheDir, 'downloads');
    // A previous run downloaded every byte but stopped before installing: fake it from a finished download's files.
    server.behaviour.cutNextResponseAfter = 100_000;
    await expect(library.download(source)).rejects.toThrow(DownloadInterruptedError);
    const part = (await downloadDirEntries()).find((entry) => entry.endsWith('.part')) ?? '';
    await fs.writeFile(path.join(partsDir, part), tinyModelBytes);

    const installed = await library.download(source, { sha256: tinyModelSha256 });

    await expectInstalledTinyModel(installed);
    expect(server.requestsFor('/files/tiny.gguf').at(-1)?.range).toBe(`bytes=${tinyModelBytes.byteLength}-`);
  });

  it('deletes a download whose sha256 does not match and installs nothing', async () => {
    const library = createLibrary();
    const wrong = 'ab'.repeat(32);

    const failure = library.download(`${server.baseUrl}/files/tiny.gguf`, { sha256: wrong });

    await expect(failure).rejects.toThrow(ChecksumMismatchError);
    await expect(failure).rejects.toThrow(
      new RegExp(`has sha256 ${tinyModelSha256}, but ${wrong} was expected; the downloaded file was deleted`),
    );
    expect(await downloadDirEntries()).toEqual([]);
    expect(await modelDirEntries()).toEqual([]);
    expect(await library.list()).toEqual([]);
  });

  it('rejects a body that is not a GGUF and deletes it', async () => {
    const library = createLibrary();
    server.files.set('/files/junk.gguf', randomBytes(64 * 1024));

    await expect(library.download(`${server.baseUrl}/files/junk.gguf`)).rejects.toThrow(
      InvalidModelFileError,
    );
    await expect(library.download(`${server.baseUrl}/files/junk.gguf`)).rejects.toThrow(
      /the downloaded file was deleted/,
    );
    expect(await downloadDirEntries()).toEqual([]);
    expect(await modelDirEntries()).toEqual([]);
    expect(await library.list()).toEqual([]);
  });

  it('explains 404, 401 and non-HTTP sources', async () => {
    const library = createLibrary();
    const missing = library.download(`${server.baseUrl}/files/absent.gguf`);
    await expect(missing).rejects.toThrow(DownloadHttpError);
    await expect(missing).rejects.toThrow(/has no such file \(404\)/);

    server.behaviour.status = 401;
    await expect(library.download(`${server.baseUrl}/files/tiny.gguf`)).rejects.toThrow(/set HF_TOKEN/);

    await expect(library.download('ftp://example.com/model.gguf')).rejects.toThrow(
      UnsupportedModelSourceError,
    );
    await expect(library.download('/home/me/model.gguf')).rejects.toThrow(/import it instead/);
    expect(await downloadDirEntries()).toEqual([]);
    expect(await library.list()).toEqual([]);
  });

  it('refuses to download the same source twice at once', async () => {
    const library = createLibrary();
    const source = `${server.baseUrl}/files/tiny.gguf`;
    server.behaviour.chunkDelayMs = 10;

    const first = library.download(source, { name: 'first' });
    await expect(library.download(source, { name: 'second' })).rejects.toThrow(DownloadInProgressError);
    await expectInstalledTinyModel(await first);
    expect((await library.list()).map((model) => model.name)).toEqual(['first']);
  });
});

describe('ModelLibrary partial downloads', () => {
  it('lists a kept partial download and discards it on request', async () => {
    const library = createLibrary();
    const source = `${server.baseUrl}/files/tiny.gguf`;
    server.behaviour.cutNextResponseAfter = 150_000;
    await expect(library.download(source, { sha256: tinyModelSha256 })).rejects.toThrow(
      DownloadInterruptedError,
    );
    const kept = await partFileSize();

    expect(await library.listPartialDownloads()).toEqual([
      {
        url: source,
        downloadedBytes: kept,
        totalBytes: tinyModelBytes.byteLength,
        expectedSha256: tinyModelSha256,
      },
    ]);

    await library.discardPartialDownload(source);
    expect(await library.listPartialDownloads()).toEqual([]);
    expect(await downloadDirEntries()).toEqual([]);
    await library.download(source);
    expect(server.requestsFor('/files/tiny.gguf').at(-1)?.range).toBeUndefined();
  });

  it('starts over when the expected hash changed since the partial download began', async () => {
    const library = createLibrary();
    const source = `${server.baseUrl}/files/tiny.gguf`;
    server.behaviour.cutNextResponseAfter = 150_000;
    await expect(library.download(source, { sha256: 'cd'.repeat(32) })).rejects.toThrow(
      DownloadInterruptedError,
    );

    await library.download(source, { sha256: tinyModelSha256 });

    expect(server.requestsFor('/files/tiny.gguf').at(-1)?.range).toBeUndefined();
  });

  it('neither lists nor resumes a part whose sidecar is corrupt or malformed', async () => {
    const library = createLibrary();
    const source = `${server.baseUrl}/files/tiny.gguf`;
    server.behaviour.cutNextResponseAfter = 150_000;
    await expect(library.download(source, { sha256: tinyModelSha256 })).rejects.toThrow(
      DownloadInterruptedError,
    );
    const sidecar = (await downloadDirEntries()).find((entry) => entry.endsWith('.json'));
    expect(sidecar).toBeDefined();
    const sidecarPath = path.join(cacheDir, 'downloads', sidecar ?? '');

    for (const content of ['{not json', JSON.stringify({ url: source, totalBytes: -1 })]) {
      await fs.writeFile(sidecarPath, content);
      expect(await library.listPartialDownloads()).toEqual([]);
    }

    const installed = await library.download(source, { sha256: tinyModelSha256 });
    await expectInstalledTinyModel(installed);
    expect(server.requestsFor('/files/tiny.gguf').at(-1)?.range).toBeUndefined();
  });
});

describe('ModelLibrary download lifecycle', () => {
  it('sends at most about ten progress events a second', async () => {
    const library = createLibrary();
    server.behaviour.chunkDelayMs = 5;
    const events: ModelDownloadProgress[] = [];
    const startedAt = Date.now();

    await library.download(`${server.baseUrl}/files/tiny.gguf`, {
      onProgress: (progress) => events.push(progress),
    });

    const elapsedMs = Date.now() - startedAt;
    const chunks = Math.ceil(tinyModelBytes.byteLength / SLOW_CHUNK_BYTES);
    expect(events.length).toBeLessThan(chunks);
    expect(events.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 100) + 2);
    expect(events.at(-1)?.downloadedBytes).toBe(tinyModelBytes.byteLength);
    expect(events.at(-1)?.bytesPerSecond).toBeGreaterThan(0);
  });

  it('cancels a running download on dispose and keeps its partial file', async () => {
    const library = createLibrary();
    server.behaviour.chunkDelayMs = 20;
    let sawProgress!: () => void;
    const progressed = new Promise<void>((resolve) => {
      sawProgress = resolve;
    });

    const download = library.download(`${server.baseUrl}/files/tiny.gguf`, {
      onProgress: () => sawProgress(),
    });
    await progressed;
    await library.dispose();

    await expect(download).rejects.toThrow(DownloadAbortedError);
    expect(await partFileSize()).toBeGreaterThan(0);
    expect(await modelDirEntries()).toEqual([]);
  });
});

describe('ModelLibrary catalog downloads', () => {
  it('downloads a catalog entry from its pinned revision and checks the catalog hash', async () => {
    const library = createLibrary({ huggingFaceEndpoint: server.baseUrl });
    const pinned = library.catalog().find((model) => model.sha256 !== undefined);
    if (pinned === undefined) throw new Error('the catalog has no pinned entry');
    const resolved = await library.resolveSource(pinned.hfRef);
    // The local server stands in for the hub, serving the tiny model under the catalog's path.
    server.files.set(new URL(resolved.url).pathname, tinyModelBytes);

    const failure = library.downloadCatalogModel(pinned.id);

    await expect(failure).rejects.toThrow(ChecksumMismatchError);
    await expect(failure).rejects.toThrow(pinned.sha256 ?? '');
    expect(new URL(resolved.url).pathname).toMatch(/\/resolve\/[0-9a-f]{40}\//);
    expect(await library.list()).toEqual([]);
  });

  it('installs an unpinned catalog entry under its id, unverified', async () => {
    const library = createLibrary({ huggingFaceEndpoint: server.baseUrl });
    const unpinned = library.catalog().find((model) => model.sha256 === undefined);
    if (unpinned === undefined) throw new Error('the catalog has no unpinned entry');
    server.files.set(new URL((await library.resolveSource(unpinned.hfRef)).url).pathname, tinyModelBytes);

    const installed = await library.downloadCatalogModel(unpinned.id);

    expect(installed).toMatchObject({ name: unpinned.id, verified: false, sha256: tinyModelSha256 });
    await expect(library.downloadCatalogModel('no-such-model')).rejects.toThrow(/the catalog has no model/);
  });
});

describe('ModelLibrary Hugging Face downloads', () => {
  it('downloads hf: references through HF_ENDPOINT, with the token sent only to the hub', async () => {
    server.files.set('/someone/tiny-GGUF/resolve/main/tiny.gguf', tinyModelBytes);
    server.files.set('/someone/tiny-GGUF/resolve/v2/sub/dir/tiny.gguf', tinyModelBytes);
    const other = new TestFileServer();
    other.files.set('/tiny.gguf', tinyModelBytes);
    await other.start();
    try {
      const library = createLibrary({
        env: { HF_ENDPOINT: `${server.baseUrl}/`, HF_TOKEN: 'hf_test_token' },
      });

      const main = await library.download('hf:someone/tiny-GGUF/tiny.gguf', { name: 'main' });
      const branch = await library.download('hf:someone/tiny-GGUF/sub/dir/tiny.gguf#v2', { name: 'branch' });
      const elsewhere = await library.download(`${other.baseUrl}/tiny.gguf`, { name: 'elsewhere' });

      await expectInstalledTinyModel(main);
      await expectInstalledTinyModel(branch);
      await expectInstalledTinyModel(elsewhere);
      expect(main.source).toEqual({
        kind: 'download',
        url: `${server.baseUrl}/someone/tiny-GGUF/resolve/main/tiny.gguf`,
        reference: 'hf:someone/tiny-GGUF/tiny.gguf',
      });
      expect(server.requestsFor('/someone/tiny-GGUF/resolve/main/tiny.gguf')[0]?.authorization).toBe(
        'Bearer hf_test_token',
      );
      expect(server.requestsFor('/someone/tiny-GGUF/resolve/v2/sub/dir/tiny.gguf')).toHaveLength(1);
      expect(other.requestsFor('/tiny.gguf')[0]?.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('verifies a hub file against the sha256 the hub publishes', async () => {
    server.files.set('/someone/tiny-GGUF/resolve/main/tiny.gguf', tinyModelBytes);
    server.files.set('/someone/tiny-GGUF/resolve/main/other.gguf', tinyModelBytes);
    server.linkedEtags.set('/someone/tiny-GGUF/resolve/main/tiny.gguf', tinyModelSha256);
    server.linkedEtags.set('/someone/tiny-GGUF/resolve/main/other.gguf', 'ef'.repeat(32));
    const library = createLibrary({ huggingFaceEndpoint: server.baseUrl });

    const installed = await library.download('hf:someone/tiny-GGUF/tiny.gguf');
    expect(installed).toMatchObject({ sha256: tinyModelSha256, verified: true });
    expect(server.requestsFor('/someone/tiny-GGUF/resolve/main/tiny.gguf', 'HEAD')).toHaveLength(1);

    const mismatch = library.download('hf:someone/tiny-GGUF/other.gguf');
    await expect(mismatch).rejects.toThrow(ChecksumMismatchError);
    await expect(mismatch).rejects.toThrow(/the hub publishes; the downloaded file was deleted/);
    expect((await library.list()).map((model) => model.name)).toEqual(['tiny']);
  });

  it('rewrites hub blob links and resolves quantization tags through the hub API', async () => {
    server.files.set('/someone/tiny-GGUF/resolve/main/tiny-Q4_K_M.gguf', tinyModelBytes);
    server.tags.set('/v2/someone/tiny-GGUF/manifests/Q4_K_M', 'tiny-Q4_K_M.gguf');
    const library = createLibrary({ huggingFaceEndpoint: server.baseUrl });

    const fromBlob = await library.download(
      `${server.baseUrl}/someone/tiny-GGUF/blob/main/tiny-Q4_K_M.gguf`,
      {
        name: 'blob',
      },
    );
    const fromTag = await library.download('hf:someone/tiny-GGUF:Q4_K_M', { name: 'tag' });

    expect(fromBlob.source.url).toBe(`${server.baseUrl}/someone/tiny-GGUF/resolve/main/tiny-Q4_K_M.gguf`);
    expect(fromTag.source.url).toBe(`${server.baseUrl}/someone/tiny-GGUF/resolve/main/tiny-Q4_K_M.gguf`);
    expect(fromTag.fileName).toBe('tiny-Q4_K_M.gguf');
    await expect(library.download('hf:someone/tiny-GGUF:Q2_K')).rejects.toThrow(/name the file instead/);
  });
});
