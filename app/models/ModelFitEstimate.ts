/** Whether a model can run on this machine at a given context size, and how the memory would split. */
export interface ModelFitEstimate {
  /** True when the model and its context fit in the available RAM and VRAM. */
  readonly fits: boolean;
  /** How many layers would be offloaded to the GPU (0 on a CPU-only machine). */
  readonly gpuLayers: number;
  /** Estimated system memory use in bytes (model weights kept in RAM plus context). */
  readonly ramBytes: number;
  /** Estimated GPU memory use in bytes. */
  readonly vramBytes: number;
}

/** Options of a fit estimate. */
export interface EstimateModelFitOptions {
  /** The context size (in tokens) the model would be loaded with. */
  readonly contextSize: number;
}

/**
 * Estimates whether the GGUF at `modelPath` fits on this machine. The engine provides it; the library only delegates,
 * so it never loads llama.cpp itself.
 */
export type EstimateModelFit = (
  modelPath: string,
  options: EstimateModelFitOptions,
) => Promise<ModelFitEstimate>;
