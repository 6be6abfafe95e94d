import { describe, expect, it } from 'vitest';
import { confirmAndOpenExternal, type ExternalLinkDependencies } from './confirmAndOpenExternal';

describe('confirmAndOpenExternal', () => {
  function fakes(response: number) {
    const shown: string[] = [];
    const opened: string[] = [];
    const dependencies: ExternalLinkDependencies = {
      showMessageBox: async (options) => {
        shown.push(options.detail ?? '');
        return { response };
      },
      openExternal: async (url) => {
        opened.push(url);
      },
    };
    return { shown, opened, dependencies };
  }

  it('opens an https link only after the user confirmed the full URL', async () => {
    const confirmed = fakes(1);
    expect(await confirmAndOpenExternal('https://example.com/a?b=c#d', confirmed.dependencies)).toBe(true);
    expect(confirmed.shown).toEqual(['https://example.com/a?b=c#d']);
    expect(confirmed.opened).toEqual(['https://example.com/a?b=c#d']);

    const cancelled = fakes(0);
    expect(await confirmAndOpenExternal('https://example.com/', cancelled.dependencies)).toBe(false);
    expect(cancelled.opened).toEqual([]);
  });

  it('refuses every other scheme and oversized links without asking', async () => {
    const { shown, opened, dependencies } = fakes(1);
    for (const url of [
      'file:///etc/passwd',
      'http://example.com/',
      'smb://server/share',
      'javascript:alert(1)',
      'vscode://open?x',
      `https://example.com/${'a'.repeat(3000)}`,
      'not a url',
    ]) {
      expect(await confirmAndOpenExternal(url, dependencies)).toBe(false);
    }
    expect(shown).toEqual([]);
    expect(opened).toEqual([]);
  });

  it('shows and opens the normalised URL, so what is reviewed is what opens', async () => {
    const { shown, opened, dependencies } = fakes(1);
    await confirmAndOpenExternal('HTTPS://EXAMPLE.com/%7Efoo', dependencies);
    expect(shown).toEqual(['https://example.com/%7Efoo']);
    expect(opened).toEqual(shown);
  });
});
