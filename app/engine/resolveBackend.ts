import type { LlamaGpuType } from 'node-llama-cpp';
import { missingCaseError } from '../errors/missingCaseError';
import type { EngineBackend, EngineBackendOption } from './engineTypes';

export interface BackendRequest {
  /** What to pass as getLlama's `gpu`. */
  gpu: 'auto' | LlamaGpuType;
  /** Keep every layer on the CPU although the binary has a GPU backend. */
  cpuOnly: boolean;
}

/**
 * Maps the engine's backend option onto getLlama's `gpu`. Apple Silicon ships only the Metal binary (there is no
 * CPU-only prebuilt for mac-arm64), so `cpu` there loads the Metal binary and keeps all layers on the CPU.
 */
export function resolveBackend(backend: EngineBackendOption, platform: string, arch: string): BackendRequest {
  switch (backend) {
    case 'auto':
      return { gpu: 'auto', cpuOnly: false };
    case 'cpu':
      if (platform === 'darwin' && arch === 'arm64') return { gpu: 'metal', cpuOnly: true };
      return { gpu: false, cpuOnly: false };
    case 'metal':
    case 'cuda':
    case 'vulkan':
      return { gpu: backend, cpuOnly: false };
    default:
      throw missingCaseError(backend);
  }
}

/** The backend a loaded llama.cpp binary actually runs on. */
export function toEngineBackend(gpu: LlamaGpuType, cpuOnly: boolean): EngineBackend {
  if (cpuOnly || gpu === false) return 'cpu';
  return gpu;
}
