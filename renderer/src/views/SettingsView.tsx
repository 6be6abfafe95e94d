import { useState } from 'react';
import type { Settings, SystemInfo } from '../../../app/contract/dto';
import { formatBytes } from '../lib/format';
import { useAction } from '../lib/hooks';
import { useUi } from '../UiContext';

type GpuMode = 'auto' | 'off' | 'layers';

/** App settings (applied with `settings.update`) and what Veil knows about this machine. */
export function SettingsView({
  settings,
  info,
  onSaved,
}: {
  settings: Settings;
  info: SystemInfo | undefined;
  onSaved(settings: Settings): void;
}) {
  const { client } = useUi();
  const [modelsDir, setModelsDir] = useState(settings.modelsDir);
  const [threads, setThreads] = useState(String(settings.threads));
  const [contextSize, setContextSize] = useState(String(settings.contextSize));
  const [gpuMode, setGpuMode] = useState<GpuMode>(
    typeof settings.gpuOffload === 'number' ? 'layers' : settings.gpuOffload,
  );
  const [gpuLayers, setGpuLayers] = useState(
    typeof settings.gpuOffload === 'number' ? String(settings.gpuOffload) : '0',
  );
  const [saved, setSaved] = useState(false);

  const [save, saving] = useAction(async (patch: Partial<Settings>) => {
    setSaved(false);
    onSaved(await client.call('settings.update', patch));
    setSaved(true);
  });

  // The theme applies at once; it is put back if saving fails.
  const changeTheme = async (theme: Settings['theme']) => {
    const previous = settings;
    onSaved({ ...settings, theme });
    if (!(await save({ theme }))) onSaved(previous);
  };

  return (
    <section className="page" data-testid="settings-view">
      <h1>Settings</h1>
      <form
        className="panel settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          void save({
            modelsDir: modelsDir.trim(),
            threads: Number(threads),
            contextSize: Number(contextSize),
            gpuOffload: gpuMode === 'layers' ? Number(gpuLayers) : gpuMode,
          });
        }}
      >
        <label className="field">
          <span>Models folder</span>
          <input
            data-testid="settings-models-dir"
            value={modelsDir}
            maxLength={4096}
            onChange={(event) => setModelsDir(event.target.value)}
          />
        </label>
        <div className="grid-2">
          <label className="field">
            <span>
              CPU threads <small>0 = all physical cores</small>
            </span>
            <input
              type="number"
              min={0}
              max={256}
              data-testid="settings-threads"
              value={threads}
              onChange={(event) => setThreads(event.target.value)}
            />
          </label>
          <label className="field">
            <span>Context size (tokens)</span>
            <input
              type="number"
              min={256}
              data-testid="settings-context-size"
              value={contextSize}
              onChange={(event) => setContextSize(event.target.value)}
            />
          </label>
          <label className="field">
            <span>GPU offload</span>
            <select
              data-testid="settings-gpu-offload"
              value={gpuMode}
              onChange={(event) => setGpuMode(event.target.value as GpuMode)}
            >
              <option value="auto">Automatic (fit to memory)</option>
              <option value="off">Off (CPU only)</option>
              <option value="layers">A fixed number of layers</option>
            </select>
          </label>
          {gpuMode === 'layers' && (
            <label className="field">
              <span>GPU layers</span>
              <input
                type="number"
                min={0}
                max={1000}
                data-testid="settings-gpu-layers"
                value={gpuLayers}
                onChange={(event) => setGpuLayers(event.target.value)}
              />
            </label>
          )}
        </div>
        <div className="row">
          <button type="submit" className="primary" data-testid="settings-save" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          {saved && (
            <span className="form-ok" data-testid="settings-saved">
              Saved
            </span>
          )}
        </div>
      </form>
      <section className="panel">
        <h2>Theme</h2>
        <div className="row" role="radiogroup" aria-label="Theme">
          {(['light', 'dark', 'system'] as const).map((theme) => (
            <label key={theme} className="inline">
              <input
                type="radio"
                name="theme"
                data-testid={`theme-${theme}`}
                checked={settings.theme === theme}
                onChange={() => void changeTheme(theme)}
              />
              {theme === 'system' ? 'System' : theme === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </div>
      </section>
      {info !== undefined && (
        <section className="panel" data-testid="system-info">
          <h2>This machine</h2>
          <dl className="facts">
            <dt>Veil</dt>
            <dd>
              {info.appVersion} ({info.mode})
            </dd>
            <dt>Backend</dt>
            <dd>{info.backend}</dd>
            <dt>GPU</dt>
            <dd>{info.gpuNames.length === 0 ? 'none' : info.gpuNames.join(', ')}</dd>
            <dt>Memory</dt>
            <dd>
              RAM {formatBytes(info.ramFreeBytes)} free of {formatBytes(info.ramTotalBytes)}
              {info.vramTotalBytes > 0 &&
                ` · VRAM ${formatBytes(info.vramFreeBytes)} free of ${formatBytes(info.vramTotalBytes)}`}
            </dd>
            <dt>Threads</dt>
            <dd>{info.threads}</dd>
            <dt>Data folder</dt>
            <dd className="mono">{info.dataDir}</dd>
            <dt>Chat key</dt>
            <dd>
              {info.chatKey.kind}
              {info.chatKey.protected ? ' (protected)' : ' (not protected by the operating system)'}
            </dd>
          </dl>
        </section>
      )}
    </section>
  );
}
