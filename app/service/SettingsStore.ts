import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { Settings } from '../contract/dto';
import { AsyncMutex } from '../util/AsyncMutex';
import { isErrnoException } from '../util/isErrnoException';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { ServiceDisposedError, SettingsFileError } from './serviceErrors';

/** Name of the settings file inside the config directory. */
export const SETTINGS_FILE_NAME = 'settings.json';

/**
 * What the file may hold: any subset of the settings (a missing key takes its default, so settings added by a later
 * release need no migration). Unknown keys, e.g. from a newer release, are ignored rather than rejected.
 */
const SettingsFile = z.object(Settings.shape).partial();

export interface SettingsStoreOptions {
  /** Directory holding `settings.json` (`getVeilPaths().config`). Created on the first write. No default. */
  readonly configDir: string;
  /** Where models live when the user never chose (`getVeilPaths().models`). No default. */
  readonly defaultModelsDir: string;
}

/** The defaults every missing setting takes. */
export function defaultSettings(defaultModelsDir: string): Settings {
  return { modelsDir: defaultModelsDir, threads: 0, gpuOffload: 'auto', contextSize: 4096, theme: 'system' };
}

/**
 * The user's settings, validated with the contract's schema and kept in `<config>/settings.json`. Writes are atomic
 * and serialized; a corrupt or out-of-range file is reported (naming the file) and never overwritten silently.
 */
export class SettingsStore {
  private readonly mutex = new AsyncMutex();
  private disposed = false;

  private constructor(
    /** Absolute path of the settings file. */
    public readonly filePath: string,
    private current: Settings,
  ) {}

  /** Reads the file (defaults when there is none). Throws `SettingsFileError` when it exists but cannot be used. */
  public static async open(options: SettingsStoreOptions): Promise<SettingsStore> {
    const filePath = path.join(options.configDir, SETTINGS_FILE_NAME);
    const defaults = defaultSettings(options.defaultModelsDir);
    let text: string;
    try {
      text = await fs.readFile(filePath, 'utf8');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return new SettingsStore(filePath, defaults);
      throw new SettingsFileError(`openSettings: cannot read ${filePath}`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new SettingsFileError(
        `openSettings: ${filePath} is not valid JSON; fix or delete it (it was left as it is)`,
        { cause: error },
      );
    }
    const parsed = SettingsFile.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(file)').join(', ');
      throw new SettingsFileError(
        `openSettings: ${filePath} has invalid values (${fields}); fix or delete it (it was left as it is)`,
        { cause: parsed.error },
      );
    }
    return new SettingsStore(filePath, { ...defaults, ...stripUndefined(parsed.data) });
  }

  /** A copy of the current settings. */
  public get(): Settings {
    this.assertOpen('getSettings');
    return { ...this.current };
  }

  /** Applies `patch`, writes the whole file atomically, and returns the new settings. */
  public async update(patch: Partial<Settings>): Promise<Settings> {
    this.assertOpen('updateSettings');
    return await this.mutex.runExclusive(async () => {
      const next = Settings.parse({ ...this.current, ...stripUndefined(patch) });
      await fs.mkdir(path.dirname(this.filePath), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.filePath, `${JSON.stringify(next, null, 2)}\n`);
      this.current = next;
      return { ...next };
    });
  }

  /** Waits for a pending write, then refuses further use. Idempotent. */
  public async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.mutex.runExclusive(async () => {});
  }

  private assertOpen(operation: string): void {
    if (this.disposed) throw new ServiceDisposedError(`${operation}: the settings store was disposed`);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
