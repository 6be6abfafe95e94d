import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

// Every package in `dependencies` (node-llama-cpp above all) stays external to main and preload: electron-vite's
// externalizeDeps default. node-llama-cpp must never be bundled; it finds its native binaries by file layout.
export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: resolve(root, 'main/index.ts') } },
    },
  },
  preload: {
    build: {
      // Sandboxed preloads cannot be ES modules: emit one CommonJS file.
      rollupOptions: {
        input: { index: resolve(root, 'main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    build: {
      // Minified: the same bundle is served by `veil serve`, where every byte crosses a socket.
      minify: true,
      rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
    plugins: [react()],
  },
});
