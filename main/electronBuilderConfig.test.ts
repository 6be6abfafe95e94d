import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Configuration } from 'app-builder-lib';
import { describe, expect, it } from 'vitest';

// Checks electron-builder.yml with electron-builder's own loader, schema validator and node_modules file matcher,
// without packaging (which would download Electron). app-builder-lib ships with electron-builder; the matcher is
// internal, hence the local type.
const require = createRequire(import.meta.url);
const projectDir = path.resolve(import.meta.dirname, '..');
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string, configFromOptions: null): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: unknown): Promise<void>;
};
const { getNodeModuleFileMatcher } = require('app-builder-lib/out/fileMatcher') as {
  getNodeModuleFileMatcher(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformSpecificBuildOptions: object,
    packager: { config: Configuration; debugLogger: unknown },
  ): { createFilter(): (file: string, stat: unknown) => boolean };
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

async function loadConfig(): Promise<Configuration> {
  return await getConfig(projectDir, 'electron-builder.yml', null);
}

/** Which node_modules files a build for `os`/`arch` would copy, decided the way electron-builder decides it. */
async function nodeModulesFilter(os: 'mac' | 'linux' | 'win', arch: 'arm64' | 'x64') {
  const config = await loadConfig();
  const expand = (pattern: string) => pattern.replaceAll('${os}', os).replaceAll('${arch}', arch);
  const filter = getNodeModuleFileMatcher(projectDir, '/app', expand, config[os] ?? {}, {
    config,
    debugLogger: new DebugLogger(false),
  }).createFilter();
  const fileStat = statSync(path.join(projectDir, 'package.json'));
  return (relativePath: string) => filter(path.join(projectDir, relativePath), fileStat);
}

const BINARY = {
  macMetal: 'node_modules/@node-llama-cpp/mac-arm64-metal/bins/mac-arm64-metal/llama-addon.node',
  linuxCpu: 'node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node',
  linuxVulkan: 'node_modules/@node-llama-cpp/linux-x64-vulkan/bins/linux-x64-vulkan/llama-addon.node',
  linuxCuda: 'node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/llama-addon.node',
  linuxCudaExt:
    'node_modules/@node-llama-cpp/linux-x64-cuda-ext/bins/linux-x64-cuda/fallback/libggml-cuda.so',
  linuxArm: 'node_modules/@node-llama-cpp/linux-arm64/bins/linux-arm64/llama-addon.node',
  winCpu: 'node_modules/@node-llama-cpp/win-x64/bins/win-x64/llama-addon.node',
  winVulkan: 'node_modules/@node-llama-cpp/win-x64-vulkan/bins/win-x64-vulkan/llama-addon.node',
  winCuda: 'node_modules/@node-llama-cpp/win-x64-cuda/bins/win-x64-cuda/llama-addon.node',
  winCudaExt: 'node_modules/@node-llama-cpp/win-x64-cuda-ext/bins/win-x64-cuda/fallback/ggml-cuda.dll',
} as const;

function kept(filter: (relativePath: string) => boolean): string[] {
  return Object.entries(BINARY)
    .filter(([, file]) => filter(file))
    .map(([name]) => name);
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema validation", async () => {
    const config = await loadConfig();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  }, 60_000);

  it('the validator would catch a misspelt option', async () => {
    const config = await loadConfig();
    const misspelt = {
      ...config,
      electronFuses: { ...config.electronFuses, runAsNod: false },
    } as Configuration;
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  }, 60_000);

  it('sets the identity, output folders and the fuses', async () => {
    const config = await loadConfig();
    expect(config).toMatchObject({
      appId: 'app.veil.desktop',
      productName: 'Veil',
      directories: { output: 'release', buildResources: 'build' },
      asar: true,
      electronFuses: {
        runAsNode: false,
        enableNodeOptionsEnvironmentVariable: false,
        enableNodeCliInspectArguments: false,
        enableEmbeddedAsarIntegrityValidation: true,
        onlyLoadAppFromAsar: true,
        enableCookieEncryption: true,
      },
      mac: {
        hardenedRuntime: true,
        entitlements: 'build/entitlements.mac.plist',
        entitlementsInherit: 'build/entitlements.mac.plist',
        target: [
          { target: 'dmg', arch: ['arm64'] },
          { target: 'zip', arch: ['arm64'] },
        ],
      },
      linux: {
        target: [
          { target: 'AppImage', arch: ['x64'] },
          { target: 'deb', arch: ['x64'] },
        ],
      },
      win: { target: [{ target: 'nsis', arch: ['x64'] }] },
      nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
    });
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['node_modules/@node-llama-cpp/**', 'node_modules/node-llama-cpp/bins/**']),
    );
  });

  it('ships only the Metal binary on macOS arm64', async () => {
    expect(kept(await nodeModulesFilter('mac', 'arm64'))).toEqual(['macMetal']);
  });

  it('ships the Linux x64 CPU, Vulkan and CUDA binaries, without the CUDA 12 fallback', async () => {
    expect(kept(await nodeModulesFilter('linux', 'x64'))).toEqual(['linuxCpu', 'linuxVulkan', 'linuxCuda']);
  });

  it('ships the Windows x64 CPU, Vulkan and CUDA binaries, without the CUDA fallback', async () => {
    expect(kept(await nodeModulesFilter('win', 'x64'))).toEqual(['winCpu', 'winVulkan', 'winCuda']);
  });

  it('keeps the JavaScript of node-llama-cpp and of every other dependency', async () => {
    const filter = await nodeModulesFilter('linux', 'x64');
    expect(filter('node_modules/node-llama-cpp/dist/index.js')).toBe(true);
    expect(filter('node_modules/@node-llama-cpp/linux-x64/package.json')).toBe(true);
    expect(filter('node_modules/zod/package.json')).toBe(true);
  });
});
