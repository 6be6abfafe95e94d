/** Debian's Chromium: Playwright never downloads a browser here. */
export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

/**
 * Flags for headless runs on a machine with no GPU and no network: without the background-networking ones, Chromium
 * keeps trying to reach Google's hosts and the closed network refuses it, many times over.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
