import type { DownloadState } from '../../../app/contract/dto';
import { formatBytes } from '../lib/format';
import { useAction } from '../lib/hooks';
import { useUi } from '../UiContext';

const FINISHED_STATES: ReadonlySet<DownloadState['state']> = new Set(['done', 'failed', 'cancelled']);

function DownloadRow({ download }: { download: DownloadState }) {
  const { client } = useUi();
  const [act, busy] = useAction(async (action: 'pause' | 'resume' | 'cancel') => {
    switch (action) {
      case 'pause':
        await client.call('downloads.pause', { id: download.id });
        break;
      case 'resume':
        await client.call('downloads.resume', { id: download.id });
        break;
      case 'cancel':
        await client.call('downloads.cancel', { id: download.id });
        break;
    }
  });
  const total = download.totalBytes;
  const percent =
    total !== undefined && total > 0 ? Math.min(100, (download.downloadedBytes / total) * 100) : undefined;
  const finished = FINISHED_STATES.has(download.state);
  return (
    <li className="download-row" data-testid="download-row" data-state={download.state}>
      <div className="download-head">
        <strong>{download.name}</strong>
        <span className={`badge badge-${download.state}`}>{download.state}</span>
      </div>
      <progress
        data-testid="download-progress"
        max={100}
        value={percent ?? (download.state === 'done' ? 100 : undefined)}
        aria-label={`${download.name} progress`}
      />
      <div className="download-meta">
        <span>
          {formatBytes(download.downloadedBytes)}
          {total !== undefined && ` of ${formatBytes(total)}`}
          {percent !== undefined && ` (${percent.toFixed(1)}%)`}
        </span>
        {download.state === 'downloading' && download.bytesPerSecond !== undefined && (
          <span>{formatBytes(download.bytesPerSecond)}/s</span>
        )}
        {download.error !== undefined && (
          <span className="error-text" role="alert">
            {download.error.name}: {download.error.message}
          </span>
        )}
      </div>
      {!finished && (
        <div className="row">
          {download.state === 'downloading' && (
            <button
              type="button"
              data-testid="download-pause"
              disabled={busy}
              onClick={() => void act('pause')}
            >
              Pause
            </button>
          )}
          {download.state === 'paused' && (
            <button
              type="button"
              data-testid="download-resume"
              disabled={busy}
              onClick={() => void act('resume')}
            >
              Resume
            </button>
          )}
          <button
            type="button"
            data-testid="download-cancel"
            disabled={busy}
            onClick={() => void act('cancel')}
          >
            Cancel
          </button>
        </div>
      )}
    </li>
  );
}

/** Downloads with progress bars and pause / resume / cancel. */
export function Downloads({ downloads }: { downloads: readonly DownloadState[] }) {
  if (downloads.length === 0) return null;
  return (
    <section className="panel">
      <h2>Downloads</h2>
      <ul className="download-list" data-testid="download-list">
        {downloads.map((download) => (
          <DownloadRow key={download.id} download={download} />
        ))}
      </ul>
    </section>
  );
}
