import type { DownloadState, SystemInfo } from '../../../app/contract/dto';
import { Catalog } from '../components/Catalog';
import { Downloads } from '../components/Downloads';
import { ImportModelForm } from '../components/ImportModelForm';

/** Shown while no model is installed: the two ways to get one. */
export function FirstRunView({
  downloads,
  info,
}: {
  downloads: readonly DownloadState[];
  info: SystemInfo | undefined;
}) {
  return (
    <section className="page first-run" data-testid="first-run">
      <h1>Welcome to Veil</h1>
      <p className="lead">
        Veil runs AI models on this device. Your conversations are encrypted on disk and never leave it. To
        start, get a model: download one from the catalog, or import a <code>.gguf</code> file you already
        have.
      </p>
      <section className="panel">
        <h2>Import a model you already have</h2>
        <ImportModelForm />
      </section>
      <Downloads downloads={downloads} />
      <Catalog downloads={downloads} ramTotalBytes={info?.ramTotalBytes} />
    </section>
  );
}
