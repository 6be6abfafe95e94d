import { describe, expect, it } from 'vitest';
import { buildAppMenuTemplate } from './buildAppMenuTemplate';

function roles(items: ReturnType<typeof buildAppMenuTemplate>): string[] {
  return items.flatMap((item) => [
    item.role ?? item.label ?? item.type ?? '?',
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

describe('buildAppMenuTemplate', () => {
  it('has no reload or developer tools in a packaged build', () => {
    const packaged = roles(buildAppMenuTemplate({ platform: 'linux', isPackaged: true, openHelp: () => {} }));
    expect(packaged).not.toContain('toggleDevTools');
    expect(packaged).not.toContain('reload');
    expect(packaged).toContain('editMenu');

    const development = roles(
      buildAppMenuTemplate({ platform: 'linux', isPackaged: false, openHelp: () => {} }),
    );
    expect(development).toContain('toggleDevTools');
  });

  it('adds the app menu on macOS only', () => {
    expect(roles(buildAppMenuTemplate({ platform: 'darwin', isPackaged: true, openHelp: () => {} }))[0]).toBe(
      'appMenu',
    );
    expect(
      roles(buildAppMenuTemplate({ platform: 'win32', isPackaged: true, openHelp: () => {} })),
    ).not.toContain('appMenu');
  });

  it('routes the help item to openHelp', () => {
    let opened = 0;
    const help = buildAppMenuTemplate({ platform: 'linux', isPackaged: true, openHelp: () => opened++ }).find(
      (item) => item.role === 'help',
    );
    const item = Array.isArray(help?.submenu) ? help.submenu[0] : undefined;
    (item?.click as (() => void) | undefined)?.();
    expect(opened).toBe(1);
  });
});
