import { useState } from 'react';
import { useAction } from '../lib/hooks';
import { useUi } from '../UiContext';

/**
 * Imports a GGUF file by its path on the machine running Veil (in a browser served by `veil serve`, that machine is
 * the server, not necessarily the one showing this page).
 */
export function ImportModelForm({ onImported }: { onImported?(): void }) {
  const { client } = useUi();
  const [path, setPath] = useState('');
  const [mode, setMode] = useState<'copy' | 'reference'>('copy');
  const [imported, setImported] = useState<string>();
  const [submit, busy] = useAction(async () => {
    const model = await client.call('models.import', { path: path.trim(), mode });
    setImported(model.name);
    setPath('');
    onImported?.();
  });

  return (
    <form
      className="import-form"
      data-testid="import-model-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (path.trim() !== '') void submit();
      }}
    >
      <label className="field">
        <span>Path to a .gguf file on the machine running Veil</span>
        <input
          data-testid="import-path-input"
          placeholder="/home/me/models/model.Q4_K_M.gguf"
          value={path}
          maxLength={4096}
          onChange={(event) => setPath(event.target.value)}
        />
      </label>
      <div className="row">
        <label className="inline">
          <input type="radio" name="import-mode" checked={mode === 'copy'} onChange={() => setMode('copy')} />
          Copy into the models folder
        </label>
        <label className="inline">
          <input
            type="radio"
            name="import-mode"
            data-testid="import-mode-reference"
            checked={mode === 'reference'}
            onChange={() => setMode('reference')}
          />
          Use in place (no copy)
        </label>
        <button
          type="submit"
          className="primary"
          data-testid="import-button"
          disabled={busy || path.trim() === ''}
        >
          {busy ? 'Importing… (hashing the file)' : 'Import'}
        </button>
      </div>
      {imported !== undefined && (
        <p className="form-ok" data-testid="import-done">
          Imported “{imported}”.
        </p>
      )}
    </form>
  );
}
