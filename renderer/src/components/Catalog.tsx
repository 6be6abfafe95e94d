import { useEffect, useState } from 'react';
import type { CatalogEntry, DownloadState } from '../../../app/contract/dto';
import { formatBytes } from '../lib/format';
import { useAction } from '../lib/hooks';
import { useUi } from '../UiContext';

/** The curated catalog, each entry with its size, memory need and a Download button; plus a free-form source. */
export function Catalog({
  downloads,
  ramTotalBytes,
}: {
  downloads: readonly DownloadState[];
  ramTotalBytes: number | undefined;
}) {
  const { client, reportError } = useUi();
  const [entries, setEntries] = useState<readonly CatalogEntry[]>();
  const [source, setSource] = useState('');

  useEffect(() => {
    let current = true;
    const load = async () => {
      try {
        const catalog = await client.call('models.catalog');
        if (current) setEntries(catalog);
      } catch (error) {
        if (current) reportError(error);
      }
    };
    void load();
    return () => {
      current = false;
    };
  }, [client, reportError]);

  const [download] = useAction(async (request: { source: string; sha256?: string; name?: string }) => {
    await client.call('downloads.start', request);
  });

  const active = new Set(
    downloads
      .filter((item) => item.state !== 'cancelled' && item.state !== 'failed')
      .map((item) => item.source),
  );
  return (
    <section className="panel">
      <h2>Catalog</h2>
      {entries === undefined && <p className="muted">Loading the catalog…</p>}
      <ul className="catalog" data-testid="catalog">
        {entries?.map((entry) => {
          const tooBig = ramTotalBytes !== undefined && entry.minMemoryBytes > ramTotalBytes;
          return (
            <li key={entry.id} className="catalog-entry" data-testid="catalog-entry">
              <div>
                <strong>{entry.name}</strong>
                <p className="muted">{entry.description}</p>
                <small>
                  {formatBytes(entry.sizeBytes)} · needs about {formatBytes(entry.minMemoryBytes)} of memory ·{' '}
                  {entry.contextLength.toLocaleString()} tokens of context · {entry.license}
                </small>
                {tooBig && <span className="badge badge-bad">Too big for this machine</span>}
              </div>
              <button
                type="button"
                className="primary"
                data-testid="download-button"
                disabled={active.has(entry.hfRef)}
                onClick={() =>
                  void download({
                    source: entry.hfRef,
                    name: entry.name,
                    ...(entry.sha256 === undefined ? {} : { sha256: entry.sha256 }),
                  })
                }
              >
                {active.has(entry.hfRef) ? 'Downloading' : 'Download'}
              </button>
            </li>
          );
        })}
      </ul>
      <form
        className="row"
        onSubmit={async (event) => {
          event.preventDefault();
          if (source.trim() !== '' && (await download({ source: source.trim() }))) setSource('');
        }}
      >
        <input
          className="grow"
          data-testid="download-source-input"
          aria-label="Download source"
          placeholder="Hugging Face reference (hf:owner/repo/file.gguf) or https URL"
          value={source}
          maxLength={2000}
          onChange={(event) => setSource(event.target.value)}
        />
        <button type="submit" data-testid="download-source-button" disabled={source.trim() === ''}>
          Download
        </button>
      </form>
    </section>
  );
}
