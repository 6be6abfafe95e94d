import { contextBridge } from 'electron';

// The preload exposes named methods only, never a generic invoke. The typed contract arrives with the desktop issue.
contextBridge.exposeInMainWorld('veil', {
  platform: process.platform,
});
