import { describe, expect, it } from 'vitest';
import { buildTrayMenuTemplate, trayStatusLabel } from './trayMenu';

describe('trayMenu', () => {
  it('labels each status', () => {
    expect(trayStatusLabel({ kind: 'idle' })).toBe('Veil — idle');
    expect(trayStatusLabel({ kind: 'modelLoaded', modelName: 'Qwen3 4B' })).toBe(
      'Veil — model loaded: Qwen3 4B',
    );
    expect(trayStatusLabel({ kind: 'providing' })).toBe('Veil — providing to the network');
  });

  it('cuts a long model name', () => {
    const label = trayStatusLabel({ kind: 'modelLoaded', modelName: 'x'.repeat(200) });
    expect(label.endsWith('…')).toBe(true);
    expect(label.length).toBeLessThan(80);
  });

  it('shows the status as a disabled first item, then Show and Quit wired to the actions', () => {
    const calls: string[] = [];
    const template = buildTrayMenuTemplate(
      { kind: 'idle' },
      { show: () => calls.push('show'), quit: () => calls.push('quit') },
    );
    expect(template[0]).toMatchObject({ label: 'Veil — idle', enabled: false });
    for (const item of template) (item.click as (() => void) | undefined)?.();
    expect(calls).toEqual(['show', 'quit']);
  });
});
