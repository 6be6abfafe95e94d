import { defineConfig } from 'vitest/config';

/**
 * Two projects: `fast` needs no model and runs in parallel; `model` loads generated GGUF models with node-llama-cpp
 * and runs one file at a time, because two llama.cpp instances on a 2-core machine only slow each other down.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'fast',
          include: ['{app,provider,coordinator,cli,main,scripts,test}/**/*.test.ts'],
          exclude: ['**/*.model.test.ts', '**/node_modules/**'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'model',
          include: ['{app,provider,coordinator,cli,main,scripts,test}/**/*.model.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
