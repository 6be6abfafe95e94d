import { contextBridge, ipcRenderer } from 'electron';
import { buildPreloadApi } from './buildPreloadApi';
import { EXPOSED_METHODS } from './exposedMethods';

// The preload exposes named methods only, never ipcRenderer or a generic invoke; main/ checks every call again.
contextBridge.exposeInMainWorld('veil', buildPreloadApi(ipcRenderer, EXPOSED_METHODS));
