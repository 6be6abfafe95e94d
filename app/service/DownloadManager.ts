import { randomUUID } from 'node:crypto';
import type { DownloadState } from '../contract/dto';
import type { ModelDownloadProgress } from '../models/downloadToPartFile';
import type { InstalledModel } from '../models/InstalledModel';
import type { ModelLibrary } from '../models/ModelLibrary';
import { toErrorInfo } from './dispatchCall';
import { DownloadNotFoundError, DownloadStateError, ServiceDisposedError } from './serviceErrors';

/** Shortest gap between two progress events of one download, in ms; state changes are sent at once. */
export const DOWNLOAD_EVENT_INTERVAL_MS = 250;
/** Longest name the contract's DownloadState carries. */
const MAX_DOWNLOAD_NAME_LENGTH = 300;

export interface DownloadManagerOptions {
  /** Does the downloading (resume, hash check, install). The manager does not own it. No default. */
  readonly library: Pick<ModelLibrary, 'download' | 'discardPartialDownload'>;
  /** Receives a copy of a download's state whenever it changes (progress throttled). No default. */
  readonly onChange: (state: DownloadState) => void;
  /** Called once a download is installed. No default. */
  readonly onInstalled: (model: InstalledModel) => void;
  /** Clock in ms, for throttling progress events. Defaults to `Date.now`. */
  readonly now?: () => number;
}

interface DownloadEntry {
  state: DownloadState;
  readonly sha256: string | undefined;
  readonly requestedName: string | undefined;
  controller: AbortController | undefined;
  run: Promise<void> | undefined;
  /** Why the current run was aborted, so its rejection is read as a pause or a cancel rather than a failure. */
  abortIntent: 'pause' | 'cancel' | undefined;
  lastEventAt: number;
}

/**
 * Downloads for the UI on top of `ModelLibrary.download`: start, pause (abort, keeping the part file), resume
 * (download again, which resumes from the part file), cancel (abort and delete the part file) and list, with
 * throttled progress events. Lives in memory: after a restart, starting the same source again resumes it.
 */
export class DownloadManager {
  private readonly entries = new Map<string, DownloadEntry>();
  private readonly now: () => number;
  private disposed = false;

  public constructor(private readonly options: DownloadManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  public list(): DownloadState[] {
    return [...this.entries.values()].map((entry) => copyState(entry.state));
  }

  /** Starts downloading `source`; if it is already downloading here, returns that download instead. */
  public start(input: { source: string; sha256?: string; name?: string }): DownloadState {
    this.assertOpen('startDownload');
    const running = [...this.entries.values()].find(
      (entry) => entry.state.source === input.source && entry.state.state === 'downloading',
    );
    if (running !== undefined) return copyState(running.state);
    const id = randomUUID();
    const entry: DownloadEntry = {
      state: {
        id,
        source: input.source,
        name: (input.name ?? defaultName(input.source)).slice(0, MAX_DOWNLOAD_NAME_LENGTH),
        state: 'downloading',
        downloadedBytes: 0,
      },
      sha256: input.sha256,
      requestedName: input.name,
      controller: undefined,
      run: undefined,
      abortIntent: undefined,
      lastEventAt: 0,
    };
    this.entries.set(id, entry);
    this.launch(entry);
    return copyState(entry.state);
  }

  /** Stops the transfer and keeps the part file, so `resume` continues where it stopped. */
  public async pause(id: string): Promise<DownloadState> {
    this.assertOpen('pauseDownload');
    const entry = this.require('pauseDownload', id);
    if (entry.state.state !== 'downloading') {
      throw new DownloadStateError(`pauseDownload: download ${id} is ${entry.state.state}, not downloading`);
    }
    entry.abortIntent = 'pause';
    this.setState(entry, { state: 'paused' });
    entry.controller?.abort();
    await entry.run;
    return copyState(entry.state);
  }

  /** Downloads again; the library resumes from the part file left by a pause or an interruption. */
  public resume(id: string): DownloadState {
    this.assertOpen('resumeDownload');
    const entry = this.require('resumeDownload', id);
    if (entry.state.state !== 'paused' && entry.state.state !== 'failed') {
      throw new DownloadStateError(
        `resumeDownload: download ${id} is ${entry.state.state}; only a paused or failed one resumes`,
      );
    }
    const { error: _error, ...rest } = entry.state;
    entry.state = { ...rest, state: 'downloading' };
    this.launch(entry);
    return copyState(entry.state);
  }

  /** Stops the transfer and deletes its part file. */
  public async cancel(id: string): Promise<DownloadState> {
    this.assertOpen('cancelDownload');
    const entry = this.require('cancelDownload', id);
    if (entry.state.state === 'done' || entry.state.state === 'cancelled') {
      throw new DownloadStateError(`cancelDownload: download ${id} is already ${entry.state.state}`);
    }
    entry.abortIntent = 'cancel';
    entry.controller?.abort();
    await entry.run;
    // The transfer may have completed just before the abort landed: then the model is installed, not cancelled.
    const settled: DownloadState = entry.state;
    if (settled.state === 'done') return copyState(settled);
    await this.discardPart(entry.state.source);
    this.setState(entry, { state: 'cancelled' });
    return copyState(entry.state);
  }

  /** Stops every transfer (part files are kept for next time) and waits for them. Idempotent. */
  public async dispose(): Promise<void> {
    this.disposed = true;
    for (const entry of this.entries.values()) {
      if (entry.controller !== undefined) {
        entry.abortIntent = 'pause';
        entry.controller.abort();
      }
    }
    await Promise.allSettled([...this.entries.values()].map(async (entry) => await entry.run));
  }

  private launch(entry: DownloadEntry): void {
    const controller = new AbortController();
    entry.controller = controller;
    entry.abortIntent = undefined;
    this.emit(entry);
    entry.run = (async () => {
      try {
        const installed = await this.options.library.download(entry.state.source, {
          ...(entry.sha256 === undefined ? {} : { sha256: entry.sha256 }),
          ...(entry.requestedName === undefined ? {} : { name: entry.requestedName }),
          signal: controller.signal,
          onProgress: (progress) => this.onProgress(entry, progress),
        });
        this.setState(entry, { state: 'done', modelId: installed.id });
        this.options.onInstalled(installed);
      } catch (error) {
        if (entry.abortIntent === undefined)
          this.setState(entry, { state: 'failed', error: toErrorInfo(error) });
        // A pause or cancel already set (or will set) the state it wants.
      } finally {
        entry.controller = undefined;
      }
    })();
  }

  private onProgress(entry: DownloadEntry, progress: ModelDownloadProgress): void {
    if (entry.state.state !== 'downloading' && entry.state.state !== 'verifying') return;
    const complete = progress.totalBytes !== undefined && progress.downloadedBytes >= progress.totalBytes;
    const stateChanged = complete && entry.state.state !== 'verifying';
    entry.state = {
      ...entry.state,
      state: complete ? 'verifying' : 'downloading',
      downloadedBytes: Math.max(0, Math.round(progress.downloadedBytes)),
      ...(progress.totalBytes === undefined
        ? {}
        : { totalBytes: Math.max(0, Math.round(progress.totalBytes)) }),
      bytesPerSecond: Math.max(0, progress.bytesPerSecond),
    };
    const at = this.now();
    if (stateChanged || at - entry.lastEventAt >= DOWNLOAD_EVENT_INTERVAL_MS) this.emit(entry);
  }

  private setState(entry: DownloadEntry, change: Partial<DownloadState>): void {
    entry.state = { ...entry.state, ...change };
    this.emit(entry);
  }

  private emit(entry: DownloadEntry): void {
    entry.lastEventAt = this.now();
    this.options.onChange(copyState(entry.state));
  }

  /** Deletes the part file and its sidecar, through the library that owns their layout. */
  private async discardPart(source: string): Promise<void> {
    try {
      await this.options.library.discardPartialDownload(source);
    } catch {
      // Unresolvable now (offline hf: reference): the part file stays, and a later download of it resumes.
    }
  }

  private require(operation: string, id: string): DownloadEntry {
    const entry = this.entries.get(id);
    if (entry === undefined) throw new DownloadNotFoundError(`${operation}: no download with id ${id}`);
    return entry;
  }

  private assertOpen(operation: string): void {
    if (this.disposed) throw new ServiceDisposedError(`${operation}: the download manager was disposed`);
  }
}

function copyState(state: DownloadState): DownloadState {
  return { ...state, ...(state.error === undefined ? {} : { error: { ...state.error } }) };
}

/** What the UI shows before the library resolved the real file name: the last path segment, without `.gguf`. */
function defaultName(source: string): string {
  const withoutRevision = source.split('#')[0] ?? source;
  const last =
    withoutRevision
      .split(/[/:]/)
      .filter((part) => part !== '')
      .pop() ?? source;
  return last.replace(/\.gguf$/i, '') || source;
}
