import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuOptions {
  /** Platform whose menu conventions apply (the app menu exists on macOS only). */
  readonly platform: NodeJS.Platform;
  /** Packaged builds have no developer tools or reload entries. */
  readonly isPackaged: boolean;
  /** Opens the help page (after the user confirms the link). */
  openHelp(): void;
}

/**
 * The standard menus, built from Electron roles so each platform gets its native items and shortcuts: the app menu
 * (macOS), File, Edit, View, Window and Help. Reload and developer tools exist only in development: a packaged
 * build also sets `devTools: false`, so no shortcut can open them.
 */
export function buildAppMenuTemplate(options: AppMenuOptions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const developmentItems: MenuItemConstructorOptions[] = options.isPackaged
    ? []
    : [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }];
  return [
    ...(isMac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...developmentItems,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'Veil Help', click: () => options.openHelp() }],
    },
  ];
}
