import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { z } from 'zod';
import { isErrnoException } from '../util/isErrnoException';
import { DownloadAbortedError, DownloadHttpError, DownloadInterruptedError } from './modelLibraryErrors';
import { writeFileAtomic } from '../util/writeFileAtomic';

/** Minimum time between two progress events, so a fast local download does not flood the UI (at most 10 per second). */
export const DOWNLOAD_PROGRESS_INTERVAL_MS = 100;

/** One progress report of a download. */
export interface ModelDownloadProgress {
  /** Bytes of the file on disk so far, including bytes kept from an earlier, interrupted attempt. */
  readonly downloadedBytes: number;
  /** The file's full size, when the server announced it. */
  readonly totalBytes?: number;
  /** Average speed of this attempt (resumed bytes excluded). */
  readonly bytesPerSecond: number;
}

/** What a download that reached the end of the file produced. */
export interface PartFileResult {
  /** sha256 of the complete part file, lowercase hex. */
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** The sidecar next to a part file: what the bytes are, so a later attempt can resume them safely. */
const partSidecarSchema = z.object({
  url: z.string(),
  expectedSha256: z.string().optional(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  totalBytes: z.number().int().nonnegative().optional(),
});
type PartSidecar = z.infer<typeof partSidecarSchema>;

/** Options of `downloadToPartFile`. */
export interface DownloadToPartFileOptions {
  /** The http(s) URL to fetch. */
  readonly url: string;
  /** Where the bytes accumulate; kept after an interruption so a later call resumes it. */
  readonly partPath: string;
  /** The JSON sidecar describing the part file (URL, validators, expected hash). */
  readonly sidecarPath: string;
  /** The hash the file should have. A part started for a different expected hash is discarded. Defaults to unknown. */
  readonly expectedSha256?: string;
  /** Extra request headers (e.g. `Authorization`). Defaults to none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Cancels the download, keeping the part file. Defaults to none. */
  readonly signal?: AbortSignal;
  /** Receives throttled progress events, and always one final event. Defaults to none. */
  readonly onProgress?: (progress: ModelDownloadProgress) => void;
  /** The `fetch` to use. */
  readonly fetch: typeof fetch;
  /** Clock in milliseconds, for throttling and speed. */
  readonly now: () => number;
}

/**
 * Downloads `url` into `partPath`, resuming from the bytes already there with an HTTP Range request (guarded by
 * `If-Range` when the server gave an ETag or Last-Modified). A server answering 200 instead of 206 restarts the file
 * from zero; a 416 for a part that already holds the whole file counts as complete. The hash is computed while
 * writing (after re-reading the kept bytes on resume), so the file is read only once.
 *
 * Throws `DownloadAbortedError` or `DownloadInterruptedError` with the part file kept, `DownloadHttpError` for error
 * statuses. Never moves or validates the file: the caller checks the hash and the format and installs it.
 */
export async function downloadToPartFile(options: DownloadToPartFileOptions): Promise<PartFileResult> {
  const sidecar = await readPartSidecar(options.sidecarPath);
  const partSize = await fileSize(options.partPath);
  const resumable =
    sidecar !== undefined &&
    sidecar.url === options.url &&
    partSize > 0 &&
    (options.expectedSha256 === undefined ||
      sidecar.expectedSha256 === undefined ||
      sidecar.expectedSha256 === options.expectedSha256);
  const first = await attempt(
    options,
    resumable ? { offset: partSize, sidecar } : { offset: 0, sidecar: undefined },
  );
  if (first.kind === 'done') return first.result;
  // The server could not continue the part (416 for a part that is not the whole file, or a mismatched range):
  // start once from zero.
  const second = await attempt(options, { offset: 0, sidecar: undefined });
  if (second.kind === 'done') return second.result;
  throw new DownloadInterruptedError(
    `downloadModel: ${describeUrl(options.url)} answered a fresh download with a partial range; try again later.`,
  );
}

type AttemptOutcome =
  { readonly kind: 'done'; readonly result: PartFileResult } | { readonly kind: 'restart' };

/** One HTTP request: resumes from `offset` when it is above zero. */
async function attempt(
  options: DownloadToPartFileOptions,
  start: { readonly offset: number; readonly sidecar: PartSidecar | undefined },
): Promise<AttemptOutcome> {
  const { url, signal } = options;
  const requestHeaders: Record<string, string> = {
    ...options.headers,
    // A compressed answer would make byte offsets meaningless for resuming.
    'Accept-Encoding': 'identity',
  };
  if (start.offset > 0) {
    requestHeaders.Range = `bytes=${start.offset}-`;
    const validator = start.sidecar?.etag ?? start.sidecar?.lastModified;
    if (validator !== undefined) requestHeaders['If-Range'] = validator;
  }

  let response: Response;
  try {
    response = await options.fetch(url, {
      headers: requestHeaders,
      redirect: 'follow',
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    throw transportError(error, signal, `could not reach ${describeUrl(url)}`);
  }

  let offset = start.offset;
  let totalBytes: number | undefined;
  switch (response.status) {
    case 206: {
      const range = parseContentRange(response.headers.get('content-range'));
      if (range === undefined || range.start !== offset) {
        await cancelBody(response);
        return { kind: 'restart' };
      }
      totalBytes = range.total;
      break;
    }
    case 200: {
      // Either no resume was asked, or the server ignores Range / the file changed (If-Range): start over.
      offset = 0;
      totalBytes = parseContentLength(response.headers.get('content-length'));
      break;
    }
    case 416: {
      await cancelBody(response);
      const range = parseUnsatisfiedRange(response.headers.get('content-range'));
      if (start.offset > 0 && range !== undefined && range.total === start.offset) {
        const result = {
          sha256: await hashFilePrefix(options.partPath, start.offset),
          sizeBytes: start.offset,
        };
        options.onProgress?.({ downloadedBytes: start.offset, totalBytes: start.offset, bytesPerSecond: 0 });
        return { kind: 'done', result };
      }
      if (start.offset > 0) return { kind: 'restart' };
      throw httpError(response.status, url);
    }
    default: {
      await cancelBody(response);
      throw httpError(response.status, url);
    }
  }
  if (response.body === null) {
    throw new DownloadInterruptedError(`downloadModel: ${describeUrl(url)} answered without a body.`);
  }

  const hash = createHash('sha256');
  if (offset > 0) await hashInto(hash, options.partPath, offset);
  const sidecar: PartSidecar = {
    url,
    ...(options.expectedSha256 === undefined ? {} : { expectedSha256: options.expectedSha256 }),
    ...optionalHeader('etag', response.headers.get('etag')),
    ...optionalHeader('lastModified', response.headers.get('last-modified')),
    ...(totalBytes === undefined ? {} : { totalBytes }),
  };
  // The sidecar lands before the first byte, so a crash at any later point leaves a part that can be resumed.
  await writeFileAtomic(options.sidecarPath, JSON.stringify(sidecar));

  const handle = await fs.open(options.partPath, offset > 0 ? 'r+' : 'w');
  let downloaded = offset;
  const startedAt = options.now();
  let lastEventAt = Number.NEGATIVE_INFINITY;
  const progress = (): ModelDownloadProgress => {
    const elapsedSeconds = (options.now() - startedAt) / 1000;
    return {
      downloadedBytes: downloaded,
      ...(totalBytes === undefined ? {} : { totalBytes }),
      bytesPerSecond: elapsedSeconds > 0 ? (downloaded - offset) / elapsedSeconds : 0,
    };
  };
  try {
    // A kept part may be longer than what the server agreed to continue from; cut it at the agreed offset.
    await handle.truncate(offset);
    for await (const chunk of response.body) {
      await handle.write(chunk, 0, chunk.byteLength, downloaded);
      hash.update(chunk);
      downloaded += chunk.byteLength;
      if (totalBytes !== undefined && downloaded > totalBytes) {
        throw new DownloadInterruptedError(
          `downloadModel: ${describeUrl(url)} sent more than the ${totalBytes} bytes it announced.`,
        );
      }
      const now = options.now();
      if (options.onProgress !== undefined && now - lastEventAt >= DOWNLOAD_PROGRESS_INTERVAL_MS) {
        lastEventAt = now;
        options.onProgress(progress());
      }
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    if (error instanceof DownloadInterruptedError) {
      await discardPartFile(options.partPath, options.sidecarPath);
      throw error;
    }
    throw transportError(
      error,
      signal,
      `the connection to ${describeUrl(url)} failed after ${downloaded} bytes; the partial file was kept and the next download of this source resumes it`,
    );
  }
  await handle.close();
  if (totalBytes !== undefined && downloaded < totalBytes) {
    throw new DownloadInterruptedError(
      `downloadModel: ${describeUrl(url)} closed the connection after ${downloaded} of ${totalBytes} bytes; the partial file was kept and the next download of this source resumes it.`,
    );
  }
  options.onProgress?.(progress());
  return { kind: 'done', result: { sha256: hash.digest('hex'), sizeBytes: downloaded } };
}

/** Deletes a part file and its sidecar; absent files are fine. */
export async function discardPartFile(partPath: string, sidecarPath: string): Promise<void> {
  await fs.rm(partPath, { force: true });
  await fs.rm(sidecarPath, { force: true });
}

/** A download that stopped before the end and resumes on the next `download` of the same source. */
export interface PartialDownload {
  /** The URL being downloaded; passing it to `download` resumes it. */
  readonly url: string;
  readonly downloadedBytes: number;
  readonly totalBytes?: number;
  readonly expectedSha256?: string;
}

/** Describes a kept part file from its sidecar; undefined when either file is missing or the sidecar is unreadable. */
export async function readPartialDownload(
  partPath: string,
  sidecarPath: string,
): Promise<PartialDownload | undefined> {
  const sidecar = await readPartSidecar(sidecarPath);
  const downloadedBytes = await fileSize(partPath);
  if (sidecar === undefined || downloadedBytes === 0) return undefined;
  return {
    url: sidecar.url,
    downloadedBytes,
    ...(sidecar.totalBytes === undefined ? {} : { totalBytes: sidecar.totalBytes }),
    ...(sidecar.expectedSha256 === undefined ? {} : { expectedSha256: sidecar.expectedSha256 }),
  };
}

async function readPartSidecar(sidecarPath: string): Promise<PartSidecar | undefined> {
  try {
    const parsed = partSidecarSchema.safeParse(JSON.parse(await fs.readFile(sidecarPath, 'utf8')));
    // An unreadable sidecar only costs a restart from zero: the part's origin is unknown, so it is not trusted.
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function fileSize(filePath: string): Promise<number> {
  try {
    return (await fs.stat(filePath)).size;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return 0;
    throw error;
  }
}

async function hashInto(hash: Hash, filePath: string, length: number): Promise<void> {
  for await (const chunk of createReadStream(filePath, { start: 0, end: length - 1 })) {
    hash.update(chunk as Buffer);
  }
}

async function hashFilePrefix(filePath: string, length: number): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(hash, filePath, length);
  return hash.digest('hex');
}

/** `bytes 100-199/1000` → start and total (total undefined for `*`). */
function parseContentRange(header: string | null): { start: number; total: number | undefined } | undefined {
  const match = header === null ? null : /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(header.trim());
  if (match === null) return undefined;
  const [, start, , total] = match;
  return { start: Number(start), total: total === undefined || total === '*' ? undefined : Number(total) };
}

/** `bytes *\/1000` (the Content-Range of a 416) → total. */
function parseUnsatisfiedRange(header: string | null): { total: number } | undefined {
  const match = header === null ? null : /^bytes\s+\*\/(\d+)$/i.exec(header.trim());
  return match?.[1] === undefined ? undefined : { total: Number(match[1]) };
}

function parseContentLength(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

function optionalHeader<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

async function cancelBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The body is being thrown away; a failure to cancel it changes nothing.
  }
}

function transportError(error: unknown, signal: AbortSignal | undefined, what: string): Error {
  if (signal?.aborted === true) {
    return new DownloadAbortedError(
      'downloadModel: the download was cancelled; the partial file was kept and the next download of this source resumes it.',
      { cause: error },
    );
  }
  return new DownloadInterruptedError(`downloadModel: ${what}.`, { cause: error });
}

function httpError(status: number, url: string): DownloadHttpError {
  const where = describeUrl(url);
  switch (status) {
    case 401:
    case 403:
      return new DownloadHttpError(
        `downloadModel: ${where} refused access (${status}). Gated or private Hugging Face models need an access token: set HF_TOKEN and accept the model's license on its page.`,
        status,
      );
    case 404:
      return new DownloadHttpError(
        `downloadModel: ${where} has no such file (404); check the URL or reference.`,
        status,
      );
    default:
      return new DownloadHttpError(`downloadModel: ${where} answered with status ${status}.`, status);
  }
}

/** The URL without query string and credentials, for error messages (signed CDN URLs carry tokens in the query). */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
