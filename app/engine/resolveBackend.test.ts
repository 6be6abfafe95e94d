import { describe, expect, it } from 'vitest';
import { resolveBackend, toEngineBackend } from './resolveBackend';

describe('resolveBackend', () => {
  it('passes auto and explicit GPU backends through to getLlama', () => {
    expect(resolveBackend('auto', 'linux', 'x64')).toEqual({ gpu: 'auto', cpuOnly: false });
    expect(resolveBackend('cuda', 'win32', 'x64')).toEqual({ gpu: 'cuda', cpuOnly: false });
    expect(resolveBackend('vulkan', 'linux', 'x64')).toEqual({ gpu: 'vulkan', cpuOnly: false });
    expect(resolveBackend('metal', 'darwin', 'arm64')).toEqual({ gpu: 'metal', cpuOnly: false });
  });

  it('maps cpu to a CPU-only binary, except on Apple Silicon where Metal runs with no layers offloaded', () => {
    expect(resolveBackend('cpu', 'linux', 'x64')).toEqual({ gpu: false, cpuOnly: false });
    expect(resolveBackend('cpu', 'darwin', 'x64')).toEqual({ gpu: false, cpuOnly: false });
    expect(resolveBackend('cpu', 'darwin', 'arm64')).toEqual({ gpu: 'metal', cpuOnly: true });
  });

  it('names the backend the binary runs on', () => {
    expect(toEngineBackend(false, false)).toBe('cpu');
    expect(toEngineBackend('metal', true)).toBe('cpu');
    expect(toEngineBackend('cuda', false)).toBe('cuda');
  });
});
