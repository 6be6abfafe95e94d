import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsFileError } from './serviceErrors';
import { SETTINGS_FILE_NAME, SettingsStore } from './SettingsStore';

describe('SettingsStore', () => {
  let dir: string;
  let configDir: string;
  const modelsDir = '/data/models';

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-settings-'));
    configDir = path.join(dir, 'config');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('starts from the defaults without creating a file', async () => {
    const store = await SettingsStore.open({ configDir, defaultModelsDir: modelsDir });
    expect(store.get()).toEqual({
      modelsDir,
      threads: 0,
      gpuOffload: 'auto',
      contextSize: 4096,
      theme: 'system',
    });
    await expect(fs.stat(configDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('persists updates and reads them back', async () => {
    const store = await SettingsStore.open({ configDir, defaultModelsDir: modelsDir });
    const updated = await store.update({ threads: 2, theme: 'dark', gpuOffload: 12 });
    expect(updated).toMatchObject({ threads: 2, theme: 'dark', gpuOffload: 12, contextSize: 4096 });
    const reopened = await SettingsStore.open({ configDir, defaultModelsDir: modelsDir });
    expect(reopened.get()).toEqual(updated);
    const files = await fs.readdir(configDir);
    expect(files).toEqual([SETTINGS_FILE_NAME]);
  });

  it('fills settings missing from the file with defaults and ignores unknown keys', async () => {
    await fs.mkdir(configDir, { recursive: true });
    await fs.writeFile(
      path.join(configDir, SETTINGS_FILE_NAME),
      JSON.stringify({ contextSize: 8192, future: 1 }),
    );
    const store = await SettingsStore.open({ configDir, defaultModelsDir: modelsDir });
    expect(store.get()).toEqual({
      modelsDir,
      threads: 0,
      gpuOffload: 'auto',
      contextSize: 8192,
      theme: 'system',
    });
  });

  it('refuses a corrupt file, names it, and leaves it untouched', async () => {
    await fs.mkdir(configDir, { recursive: true });
    const file = path.join(configDir, SETTINGS_FILE_NAME);
    await fs.writeFile(file, '{"threads": 2,');
    const error = await SettingsStore.open({ configDir, defaultModelsDir: modelsDir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SettingsFileError);
    expect((error as Error).message).toContain(file);
    expect(await fs.readFile(file, 'utf8')).toBe('{"threads": 2,');
  });

  it('refuses out-of-range values and names the field', async () => {
    await fs.mkdir(configDir, { recursive: true });
    const file = path.join(configDir, SETTINGS_FILE_NAME);
    await fs.writeFile(file, JSON.stringify({ contextSize: 12, theme: 'neon' }));
    await expect(SettingsStore.open({ configDir, defaultModelsDir: modelsDir })).rejects.toThrow(
      /contextSize, theme/,
    );
  });

  it('rejects an invalid update without writing it', async () => {
    const store = await SettingsStore.open({ configDir, defaultModelsDir: modelsDir });
    await expect(store.update({ threads: -1 })).rejects.toThrow();
    expect(store.get().threads).toBe(0);
  });

  it('refuses use after dispose', async () => {
    const store = await SettingsStore.open({ configDir, defaultModelsDir: modelsDir });
    await store.dispose();
    await store.dispose();
    expect(() => store.get()).toThrow(/disposed/);
  });
});
