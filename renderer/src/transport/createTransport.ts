import { IpcTransport, isVeilBridge } from './IpcTransport';
import type { UiTransport } from './UiTransport';
import { WebSocketTransport } from './WebSocketTransport';

/** The desktop app's preload bridge when present, otherwise the WebSocket of the `veil serve` that served this page. */
export function createTransport(): UiTransport {
  const bridge = (window as { veil?: unknown }).veil;
  if (isVeilBridge(bridge)) return new IpcTransport(bridge);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WebSocketTransport(`${scheme}://${location.host}/ws`);
}
