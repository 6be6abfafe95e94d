// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The layering rules of the README's Architecture section, enforced: code in `target` may not import from `from`.
 * The README's table mirrors this list; change both together.
 */
const layerZones = [
  // app/ is the headless core: it knows nothing of the layers that compose it.
  { target: './app', from: ['./provider', './coordinator', './main', './renderer', './cli'] },
  // provider/ serves others through app/; it never reaches into the UI, the CLI or the coordinator.
  { target: './provider', from: ['./coordinator', './main', './renderer', './cli'] },
  // coordinator/ is a blind relay: app/'s protocol and crypto only, never the engine, models or chats.
  {
    target: './coordinator',
    from: ['./provider', './main', './renderer', './cli', './app'],
    except: ['./protocol', './crypto', './errors', './config'],
  },
  // main/ is Electron glue: it composes app/ and provider/, and never imports the UI or the CLI.
  { target: './main', from: ['./renderer', './cli'] },
  // renderer/ reaches the core only through the typed contract; keys and crypto never reach the UI.
  {
    target: './renderer',
    from: ['./main', './provider', './coordinator', './cli', './app'],
    except: ['./contract'],
  },
  // cli/ is the headless composition root; it never loads Electron code or the UI.
  { target: './cli', from: ['./main', './renderer'] },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      'release/**',
      '.cache/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { 'import-x': importX },
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          noWarnOnMultipleProjects: true,
          project: ['tsconfig.node.json', 'tsconfig.web.json', 'tsconfig.main.json'],
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        // async/await only (DEVELOPERS.md): no promise chains.
        { selector: "CallExpression[callee.property.name='then']", message: 'Use async/await, not .then().' },
        // no focused tests.
        {
          selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name='only']",
          message: 'No focused tests.',
        },
      ],
    },
  },
  {
    // Plain JavaScript files are Node scripts (bin/, scripts/, build/); TypeScript files get their globals from types.
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    // Electron belongs to main/ alone, React to renderer/ alone; the core stays headless.
    files: ['app/**', 'provider/**', 'coordinator/**', 'cli/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'Only main/ may import electron.' },
            { name: 'react', message: 'Only renderer/ may import react.' },
            { name: 'react-dom', message: 'Only renderer/ may import react.' },
          ],
        },
      ],
    },
  },
  {
    files: ['main/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'react', message: 'Only renderer/ may import react.' },
            { name: 'react-dom', message: 'Only renderer/ may import react.' },
          ],
        },
      ],
    },
  },
  {
    // The UI never touches Node or the engine directly.
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'Only main/ may import electron.' },
            'node-llama-cpp',
            'libsodium-wrappers',
            'libsodium-wrappers-sumo',
          ],
          patterns: [{ group: ['node:*'], message: 'renderer/ runs in a browser: no Node built-ins.' }],
        },
      ],
    },
  },
);
