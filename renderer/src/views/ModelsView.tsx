import type { DownloadState, ModelSummary, SystemInfo } from '../../../app/contract/dto';
import { Catalog } from '../components/Catalog';
import { Downloads } from '../components/Downloads';
import { ImportModelForm } from '../components/ImportModelForm';
import { FitBadge } from '../components/ModelPicker';
import { formatBytes, formatParameterCount } from '../lib/format';
import { useAction } from '../lib/hooks';
import { useUi } from '../UiContext';

function InstalledModel({ model }: { model: ModelSummary }) {
  const { client, confirm } = useUi();
  const [toggleLoad, loading] = useAction(async () => {
    if (model.loaded) await client.call('models.unload', { id: model.id });
    else await client.call('models.load', { id: model.id });
  });
  const [remove, removing] = useAction(async () => {
    const ok = await confirm({
      title: 'Delete this model?',
      body: `“${model.name}” (${formatBytes(model.sizeBytes)}) will be removed from the library. A file imported in place stays where it is.`,
      confirmLabel: 'Delete model',
      danger: true,
    });
    if (ok) await client.call('models.remove', { id: model.id });
  });
  return (
    <li className="installed-model" data-testid="installed-model" data-model-id={model.id}>
      <div>
        <strong>{model.name}</strong>
        <small className="muted">
          {model.architecture} · {formatParameterCount(model.parameterCount)} parameters ·{' '}
          {model.quantization} · {formatBytes(model.sizeBytes)} · {model.contextLength.toLocaleString()}{' '}
          tokens of context
        </small>
        <small className="muted mono" title="sha256">
          {model.sha256.slice(0, 16)}…
        </small>
      </div>
      <div className="row">
        {model.status !== 'ready' && (
          <span className="badge badge-bad">
            {model.status === 'missing' ? 'File missing' : 'File changed'}
          </span>
        )}
        <FitBadge model={model} />
        <span className={`badge ${model.loaded ? 'badge-ok' : ''}`}>
          {model.loaded ? 'Loaded' : 'Not loaded'}
        </span>
        <button
          type="button"
          data-testid="toggle-load-model"
          disabled={loading || model.status !== 'ready'}
          onClick={() => void toggleLoad()}
        >
          {loading ? (model.loaded ? 'Unloading…' : 'Loading…') : model.loaded ? 'Unload' : 'Load'}
        </button>
        <button
          type="button"
          className="danger"
          data-testid="delete-model"
          disabled={removing}
          onClick={() => void remove()}
        >
          Delete
        </button>
      </div>
    </li>
  );
}

/** The model manager: installed models, import by path, the catalog and downloads. */
export function ModelsView({
  models,
  downloads,
  info,
}: {
  models: readonly ModelSummary[];
  downloads: readonly DownloadState[];
  info: SystemInfo | undefined;
}) {
  return (
    <section className="page" data-testid="models-view">
      <h1>Models</h1>
      <section className="panel">
        <h2>Installed</h2>
        {models.length === 0 ? (
          <p className="muted">No models yet. Download one from the catalog or import a .gguf file.</p>
        ) : (
          <ul className="installed-models">
            {models.map((model) => (
              <InstalledModel key={model.id} model={model} />
            ))}
          </ul>
        )}
      </section>
      <section className="panel">
        <h2>Import a file</h2>
        <ImportModelForm />
      </section>
      <Downloads downloads={downloads} />
      <Catalog downloads={downloads} ramTotalBytes={info?.ramTotalBytes} />
    </section>
  );
}
