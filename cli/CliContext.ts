import { getVeilPaths, type VeilPaths } from '../app/config/veilPaths';
import type { Engine } from '../app/engine/Engine';
import type { EngineBackendOption } from '../app/engine/engineTypes';
import type { ModelLibrary } from '../app/models/ModelLibrary';
import type { CliIo } from './CliIo';

export interface CliContextOptions {
  /** Compute backend for the engine. Defaults to `auto`. */
  backend?: EngineBackendOption;
  /** Inference threads. Defaults to the engine's choice (the physical cores). */
  threads?: number;
}

/**
 * What a command needs, created on first use: the CLI is a composition root, and `veil models list` should not pay
 * for loading llama.cpp.
 */
export class CliContext {
  public readonly paths: VeilPaths;
  private enginePromise: Promise<Engine> | undefined;
  private library: ModelLibrary | undefined;

  public constructor(
    public readonly io: CliIo,
    private readonly options: CliContextOptions = {},
  ) {
    this.paths = getVeilPaths(io.env);
  }

  public async getEngine(): Promise<Engine> {
    this.enginePromise ??= this.createEngine();
    return await this.enginePromise;
  }

  private async createEngine(): Promise<Engine> {
    // Loaded on demand: importing node-llama-cpp costs more than most commands take.
    const { Engine } = await import('../app/engine/Engine');
    return await Engine.create({
      backend: this.options.backend ?? 'auto',
      ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
      logLevel: 'error',
      // llama.cpp's own log lines stay off stdout, which belongs to the answer or the JSON.
      logger: (_level, message) => this.io.stderr.write(`llama.cpp: ${message.trimEnd()}\n`),
    });
  }

  public async getLibrary(): Promise<ModelLibrary> {
    const { ModelLibrary } = await import('../app/models/ModelLibrary');
    this.library ??= new ModelLibrary({
      modelsDir: this.paths.models,
      cacheDir: this.paths.cache,
      estimateFit: async (modelPath, { contextSize }) => {
        const engine = await this.getEngine();
        return await engine.estimateFit(modelPath, { contextSize, sequences: 1 });
      },
    });
    return this.library;
  }

  public async dispose(): Promise<void> {
    const enginePromise = this.enginePromise;
    this.enginePromise = undefined;
    if (enginePromise !== undefined) await (await enginePromise).dispose();
  }
}
