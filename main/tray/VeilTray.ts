import { Menu, nativeImage, Tray, type NativeImage } from 'electron';
import { TRAY_COLOUR_1X, TRAY_COLOUR_2X, TRAY_TEMPLATE_1X, TRAY_TEMPLATE_2X } from './trayIconData';
import { buildTrayMenuTemplate, trayStatusLabel, type TrayMenuActions, type TrayStatus } from './trayMenu';

/** The menu-bar (macOS) or notification-area (Windows, Linux) icon with Veil's status, Show and Quit. */
export class VeilTray {
  private readonly tray: Tray;
  private readonly actions: TrayMenuActions;
  private disposed = false;

  public constructor(actions: TrayMenuActions, platform: NodeJS.Platform = process.platform) {
    this.actions = actions;
    this.tray = new Tray(trayImage(platform));
    // Windows and Linux users expect a click on the icon to bring the window back; macOS opens the menu.
    if (platform !== 'darwin') this.tray.on('click', () => actions.show());
    this.setStatus({ kind: 'idle' });
  }

  public setStatus(status: TrayStatus): void {
    if (this.disposed) return;
    this.tray.setToolTip(trayStatusLabel(status));
    this.tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenuTemplate(status, this.actions)));
  }

  /** Removes the icon. Idempotent. */
  public dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tray.destroy();
  }
}

function trayImage(platform: NodeJS.Platform): NativeImage {
  // macOS tints a template image for light and dark menu bars; elsewhere a coloured icon reads on any panel.
  const [oneX, twoX] =
    platform === 'darwin' ? [TRAY_TEMPLATE_1X, TRAY_TEMPLATE_2X] : [TRAY_COLOUR_1X, TRAY_COLOUR_2X];
  const image = nativeImage.createFromBuffer(Buffer.from(oneX, 'base64'), { scaleFactor: 1 });
  image.addRepresentation({ scaleFactor: 2, buffer: Buffer.from(twoX, 'base64') });
  if (platform === 'darwin') image.setTemplateImage(true);
  return image;
}
