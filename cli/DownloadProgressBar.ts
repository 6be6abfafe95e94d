import cliProgress from 'cli-progress';
import type { CliIo } from './CliIo';
import type { ModelDownloadProgress } from '../app/models/downloadToPartFile';
import { formatBytes } from '../app/util/formatBytes';

/**
 * A download progress bar on stderr when it is a terminal; on a pipe or a log file it prints nothing, since
 * carriage-return redraws only make noise there.
 */
export class DownloadProgressBar {
  private readonly bar: cliProgress.SingleBar | undefined;
  private started = false;

  public constructor(io: CliIo, label: string) {
    if (io.stderr.isTTY !== true) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: io.stderr,
        format: `${label} |{bar}| {percentage}% {done} / {total} {speed}/s`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  public update(progress: ModelDownloadProgress): void {
    if (this.bar === undefined) return;
    const total = progress.totalBytes ?? 0;
    const payload = {
      done: formatBytes(progress.downloadedBytes),
      total: total > 0 ? formatBytes(total) : '?',
      speed: formatBytes(progress.bytesPerSecond),
    };
    if (!this.started) {
      this.bar.start(Math.max(total, progress.downloadedBytes, 1), progress.downloadedBytes, payload);
      this.started = true;
    } else {
      if (total > 0) this.bar.setTotal(total);
      this.bar.update(progress.downloadedBytes, payload);
    }
  }

  public stop(): void {
    if (this.started) this.bar?.stop();
    this.started = false;
  }
}
