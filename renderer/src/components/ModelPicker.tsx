import type { ModelRef, ModelSummary } from '../../../app/contract/dto';
import { formatBytes } from '../lib/format';

export interface ModelPickerProps {
  readonly models: readonly ModelSummary[];
  readonly value: ModelRef | undefined;
  readonly disabled?: boolean;
  onChange(modelRef: ModelRef): void;
}

function fitLabel(model: ModelSummary): string {
  if (model.fit === undefined) return 'fit unknown';
  return model.fit.fits ? 'fits' : 'too big for this machine';
}

/** Chooses the conversation's local model; shows whether each one is loaded and whether it fits this machine. */
export function ModelPicker({ models, value, disabled, onChange }: ModelPickerProps) {
  const selected = value?.kind === 'local' ? models.find((model) => model.id === value.id) : undefined;
  return (
    <div className="model-picker">
      <select
        data-testid="model-picker"
        aria-label="Model"
        value={selected?.id ?? ''}
        disabled={disabled}
        onChange={(event) => onChange({ kind: 'local', id: event.target.value })}
      >
        {selected === undefined && (
          <option value="" disabled>
            {value === undefined ? 'Choose a model' : 'Model not installed'}
          </option>
        )}
        {models.map((model) => (
          <option key={model.id} value={model.id} disabled={model.status !== 'ready'}>
            {model.name} · {model.loaded ? 'loaded' : 'not loaded'} · {fitLabel(model)}
          </option>
        ))}
      </select>
      {selected !== undefined && (
        <span className="model-picker-status">
          <span className={`badge ${selected.loaded ? 'badge-ok' : ''}`} data-testid="model-loaded">
            {selected.loaded ? 'Loaded' : 'Not loaded'}
          </span>
          <FitBadge model={selected} />
        </span>
      )}
    </div>
  );
}

export function FitBadge({ model }: { model: ModelSummary }) {
  const fit = model.fit;
  if (fit === undefined) return <span className="badge">Fit unknown</span>;
  const detail = `RAM ${formatBytes(fit.ramBytes)}, VRAM ${formatBytes(fit.vramBytes)}, ${fit.gpuLayers} GPU layers at ${fit.contextSize} tokens of context`;
  return (
    <span className={`badge ${fit.fits ? 'badge-ok' : 'badge-bad'}`} data-testid="model-fit" title={detail}>
      {fit.fits ? 'Fits' : 'Too big for this machine'}
    </span>
  );
}
