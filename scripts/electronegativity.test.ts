import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateFindings, runElectronegativity, type Finding } from './electronegativity';

function finding(id: string, file: string, severity: Finding['severity']['name']): Finding {
  return {
    id,
    file,
    location: { line: 1, column: 0 },
    description: 'test finding',
    severity: { name: severity },
    confidence: { name: 'FIRM' },
  };
}

describe('evaluateFindings', () => {
  it('blocks on an unallowed HIGH finding only', () => {
    const outcome = evaluateFindings(
      [
        finding('NODE_INTEGRATION_JS_CHECK', 'main/a.ts', 'HIGH'),
        finding('PRELOAD_JS_CHECK', 'main/a.ts', 'MEDIUM'),
      ],
      [],
    );
    expect(outcome.blocking.map((f) => f.id)).toEqual(['NODE_INTEGRATION_JS_CHECK']);
  });

  it('accepts an allowlisted HIGH finding for that file only, and reports entries that match nothing', () => {
    const allowlist = [
      {
        id: 'LIMIT_NAVIGATION_GLOBAL_CHECK',
        file: 'main/a.ts',
        reason: 'navigation is limited in guardWebContents.ts',
      },
      {
        id: 'CONTEXT_ISOLATION_JS_CHECK',
        file: 'main/gone.ts',
        reason: 'this file was deleted long ago, entry is stale',
      },
    ];
    const outcome = evaluateFindings(
      [
        finding('LIMIT_NAVIGATION_GLOBAL_CHECK', 'main/a.ts', 'HIGH'),
        finding('LIMIT_NAVIGATION_GLOBAL_CHECK', 'main/b.ts', 'HIGH'),
      ],
      allowlist,
    );
    expect(outcome.blocking.map((f) => f.file)).toEqual(['main/b.ts']);
    expect(outcome.staleEntries.map((entry) => entry.file)).toEqual(['main/gone.ts']);
  });
});

describe('runElectronegativity', () => {
  let fixtureDir: string;

  beforeAll(() => {
    fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'veil-eng-fixture-'));
    fs.writeFileSync(
      path.join(fixtureDir, 'unsafe.ts'),
      [
        "import { BrowserWindow } from 'electron';",
        'export function open(): BrowserWindow {',
        '  return new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });',
        '}',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => fs.rmSync(fixtureDir, { recursive: true, force: true }));

  it('fails the gate on a window without context isolation and with no navigation limits', async () => {
    const outcome = await runElectronegativity([fixtureDir]);
    expect(outcome.blocking.map((f) => f.id).sort()).toEqual([
      'CONTEXT_ISOLATION_JS_CHECK',
      'LIMIT_NAVIGATION_GLOBAL_CHECK',
    ]);
  }, 120_000);
});
