import { InsufficientMemoryError as LlamaInsufficientMemoryError } from 'node-llama-cpp';
import type { Llama } from 'node-llama-cpp';
import type { FitEstimate } from './engineTypes';
import type { ModelFileHeader } from './inspectModelFile';

export interface ResolvedFitOptions {
  contextSize: number;
  sequences: number;
  gpuLayers: 'auto' | number;
  /** Keep every layer on the CPU whatever `gpuLayers` says. */
  cpuOnly: boolean;
}

/**
 * Estimates the memory a model and its context need and compares it with what is free now, minus the padding
 * node-llama-cpp keeps for itself (so a load this estimate accepts is not refused later by node-llama-cpp's own
 * checks). GPU layers come from node-llama-cpp's fit resolver, told about the whole KV cache (context × sequences).
 * On unified-memory machines (Apple Silicon) VRAM is carved out of RAM, so the VRAM part also counts against RAM.
 */
export async function estimateModelFit(
  llama: Llama,
  header: ModelFileHeader,
  options: ResolvedFitOptions,
): Promise<FitEstimate> {
  const { contextSize, sequences } = options;
  const resolver = header.insights.configurationResolver;
  const [vramState, ramState] = await Promise.all([llama.getVramState(), llama.getRamState()]);
  const availableVramBytes = Math.max(0, vramState.free - llama.vramPaddingSize);
  const availableRamBytes = Math.max(0, ramState.free - llama.ramPaddingSize);

  let gpuLayers = 0;
  let layersFit = true;
  if (!options.cpuOnly && llama.supportsGpuOffloading) {
    const requested =
      options.gpuLayers === 'auto'
        ? { fitContext: { contextSize: contextSize * sequences } }
        : options.gpuLayers;
    try {
      gpuLayers = (await resolver.resolveModelGpuLayersV2(requested)).gpuLayers;
    } catch (error) {
      if (!(error instanceof LlamaInsufficientMemoryError)) throw error;
      // An explicit layer count that does not fit VRAM: report it as not fitting rather than failing the estimate.
      gpuLayers = typeof options.gpuLayers === 'number' ? options.gpuLayers : 0;
      layersFit = false;
    }
  }

  const [modelNeeds, contextNeeds] = await Promise.all([
    header.insights.estimateModelResourceRequirementsV2({ gpuLayers }),
    header.insights.estimateContextResourceRequirementsV2({
      contextSize,
      sequences,
      modelGpuLayers: gpuLayers,
    }),
  ]);
  const ramBytes = modelNeeds.cpuRam + contextNeeds.cpuRam;
  const vramBytes = modelNeeds.gpuVram + contextNeeds.gpuVram;
  const unifiedVramBytes = vramState.unifiedSize > 0 ? Math.min(vramBytes, vramState.unifiedSize) : 0;
  const fits =
    layersFit && vramBytes <= availableVramBytes && ramBytes + unifiedVramBytes <= availableRamBytes;

  return {
    fits,
    contextSize,
    sequences,
    gpuLayers,
    ramBytes,
    vramBytes,
    availableRamBytes,
    availableVramBytes,
    trainContextSize: header.trainContextSize,
  };
}
