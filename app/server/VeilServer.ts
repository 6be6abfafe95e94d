import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { VeilEvent } from '../contract/veilContract';
import { CallFrame, MAX_FRAME_BYTES, type ServerFrame } from '../contract/wire';
import { dispatchCall } from '../service/dispatchCall';
import type { VeilCore } from '../service/VeilEventSource';
import {
  accessTokenMatches,
  assertValidAccessToken,
  digestAccessToken,
  generateAccessToken,
  isLoopbackHost,
} from './accessToken';
import { contentTypeFor } from './contentTypeFor';
import { resolveStaticFile } from './resolveStaticFile';
import { setSecurityHeaders } from './securityHeaders';
import { StaticDirError, UnsafeExposureError } from './serverErrors';

/** The cookie that carries the access token after the first visit, so the token leaves the address bar. */
export const ACCESS_COOKIE_NAME = 'veil_token';
/** The WebSocket endpoint. */
export const WEBSOCKET_PATH = '/ws';
/**
 * A client whose unsent data exceeds this is dropped rather than buffered without bound (a stalled tab must not
 * grow the server's memory while tokens stream). Two maximal frames, so one large legitimate result still fits.
 */
export const MAX_CLIENT_BUFFERED_BYTES = 2 * MAX_FRAME_BYTES;
/** Calls one client may have running at once; more are answered with `TooManyCallsError`. */
export const MAX_CALLS_IN_FLIGHT = 64;
/** How long `close()` lets clients answer the close handshake before cutting them off, in ms. */
const CLOSE_GRACE_MS = 500;
/** WebSocket close codes (RFC 6455 §7.4.1). */
const CLOSE_GOING_AWAY = 1001;
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_POLICY_VIOLATION = 1008;

const UNAUTHORIZED_TEXT =
  'Veil needs its access token. Open the full URL that `veil serve` printed (it ends with ?token=...).\n';

export interface VeilServerOptions {
  /** The core the WebSocket calls reach; its events go to every connected page. The caller keeps ownership. */
  readonly service: VeilCore;
  /**
   * Interface to listen on. Anything but a loopback address exposes Veil to the network and requires `token`.
   * Defaults to `127.0.0.1`.
   */
  readonly host?: string;
  /** TCP port; 0 picks a free one. Defaults to 0. */
  readonly port?: number;
  /**
   * The access token (16–256 URL-safe characters). Defaults to 32 random bytes, base64url, which is only allowed on
   * loopback: a token meant for other machines must be chosen (and passed on) on purpose.
   */
  readonly token?: string;
  /** The built renderer (electron-vite's `out/renderer`), which must contain `index.html`. No default. */
  readonly staticDir: string;
}

export interface VeilServer {
  /** The URL to open, token included (`http://127.0.0.1:41234/?token=…`). Print it; never log it elsewhere. */
  readonly url: string;
  /** The port actually bound. */
  readonly port: number;
  /** Closes every WebSocket and the HTTP server. Idempotent; does not dispose the service. */
  close(): Promise<void>;
}

/**
 * Serves the renderer and the WebSocket transport of the UI contract (`veil serve`). Every request needs the access
 * token (query on the first visit, then an HttpOnly SameSite=Strict cookie); WebSocket upgrades also need an Origin
 * equal to the page's own; on loopback, Host headers other than this server's names are refused (DNS rebinding).
 */
export async function startVeilServer(options: VeilServerOptions): Promise<VeilServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  if (!loopback && options.token === undefined) {
    throw new UnsafeExposureError(
      `serve: --host ${host} exposes Veil beyond this machine; pass an explicit --token`,
    );
  }
  if (options.token !== undefined) assertValidAccessToken(options.token);
  const token = options.token ?? generateAccessToken();
  const tokenDigest = digestAccessToken(token);
  const staticRoot = await resolveStaticRoot(options.staticDir);
  const service = options.service;

  const clients = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  let boundPort = 0;

  const hostAllowed = (hostHeader: string | undefined): boolean => {
    if (hostHeader === undefined) return false;
    const lower = hostHeader.toLowerCase();
    if (loopback) return loopbackHostHeaders(host, boundPort).has(lower);
    return HOST_HEADER_PATTERN.test(lower);
  };

  const originAllowed = (request: IncomingMessage): boolean => {
    const origin = request.headers.origin?.toLowerCase();
    const hostHeader = request.headers.host?.toLowerCase();
    if (origin === undefined || hostHeader === undefined) return false;
    if (origin === `http://${hostHeader}`) return true;
    // Beyond loopback a TLS-terminating proxy may sit in front; the page's origin is then https.
    return !loopback && origin === `https://${hostHeader}`;
  };

  const requestAuthorized = (request: IncomingMessage, url: URL): boolean => {
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) return accessTokenMatches(queryToken, tokenDigest);
    return cookieValues(request.headers.cookie, ACCESS_COOKIE_NAME).some((value) =>
      accessTokenMatches(value, tokenDigest),
    );
  };

  const handleRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    setSecurityHeaders(response);
    if (!hostAllowed(request.headers.host)) {
      sendText(response, 403, 'Veil refuses requests addressed to another host name.\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendText(response, 405, 'Method not allowed.\n');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://veil.invalid');
    if (!requestAuthorized(request, url)) {
      sendText(response, 401, UNAUTHORIZED_TEXT);
      return;
    }
    if (url.searchParams.has('token')) {
      // Trade the query token for a cookie and drop it from the address bar and history. Always to `/`, so a
      // crafted path can never turn this into an open redirect.
      response.setHeader('Set-Cookie', `${ACCESS_COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      response.setHeader('Location', '/');
      response.setHeader('Cache-Control', 'no-store');
      response.writeHead(302).end();
      return;
    }
    if (url.pathname === WEBSOCKET_PATH) {
      sendText(response, 426, 'This endpoint only speaks WebSocket.\n');
      return;
    }
    await serveStatic(staticRoot, url.pathname, request, response);
  };

  const server = http.createServer((request, response) => {
    void (async () => {
      try {
        await handleRequest(request, response);
      } catch {
        // Never a stack or a path to the page: the static file vanished or the client went away mid-response.
        if (!response.headersSent) sendText(response, 500, 'Internal error.\n');
        else response.destroy();
      }
    })();
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://veil.invalid');
    if (url.pathname !== WEBSOCKET_PATH) {
      refuseUpgrade(socket, 404);
      return;
    }
    if (!hostAllowed(request.headers.host) || !originAllowed(request) || !requestAuthorized(request, url)) {
      refuseUpgrade(socket, 403);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      clients.add(ws);
      attachClient(ws, service, () => clients.delete(ws));
    });
  });

  await listen(server, options.port ?? 0, host);
  boundPort = (server.address() as AddressInfo).port;

  const unsubscribe = service.onEvent((event: VeilEvent) => {
    const text = JSON.stringify({ type: 'event', event } satisfies ServerFrame);
    for (const ws of clients) sendFrameText(ws, text);
  });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    closing ??= (async () => {
      unsubscribe();
      await closeClients(clients);
      wss.close();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await serverClosed;
    })();
    await closing;
  };

  return { url: `http://${urlHost(host)}:${boundPort}/?token=${token}`, port: boundPort, close };
}

/** A syntactically plain Host header (name or IP literal, optional port); anything else is refused outright. */
const HOST_HEADER_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/;

/** The Host headers a loopback server answers to: its own name for itself, on its own port. */
function loopbackHostHeaders(host: string, port: number): Set<string> {
  return new Set(
    ['127.0.0.1', 'localhost', '[::1]', urlHost(host)].map((name) => `${name.toLowerCase()}:${port}`),
  );
}

/** How `host` appears in a URL: IPv6 literals in brackets, the wildcard addresses as this machine's loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return net.isIPv6(host) ? `[${host}]` : host;
}

async function resolveStaticRoot(staticDir: string): Promise<string> {
  try {
    const root = await fs.realpath(staticDir);
    const index = await fs.stat(path.join(root, 'index.html'));
    if (!index.isFile()) throw new Error('index.html is not a file');
    return root;
  } catch (error) {
    throw new StaticDirError(
      `serve: no renderer build at ${staticDir} (index.html not found); run \`npm run build\` first`,
      { cause: error },
    );
  }
}

async function serveStatic(
  root: string,
  urlPath: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const lookup = await resolveStaticFile(root, urlPath);
  switch (lookup.kind) {
    case 'badRequest':
      sendText(response, 400, 'Bad request.\n');
      return;
    case 'notFound':
      sendText(response, 404, 'Not found.\n');
      return;
    case 'file':
      break;
  }
  const contentType = contentTypeFor(lookup.filePath);
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', lookup.sizeBytes);
  response.setHeader('Cache-Control', contentType.startsWith('text/html') ? 'no-store' : 'no-cache');
  response.writeHead(200);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await pipeline(createReadStream(lookup.filePath), response);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.writeHead(status).end(text);
}

function refuseUpgrade(socket: Duplex, status: number): void {
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
  socket.destroy();
}

function cookieValues(header: string | undefined, name: string): string[] {
  if (header === undefined) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() === name) values.push(part.slice(separator + 1).trim());
  }
  return values;
}

/** Wires one authenticated WebSocket: each `call` frame goes through `dispatchCall`; results go back by id. */
function attachClient(ws: WebSocket, service: VeilCore, onClose: () => void): void {
  let callsInFlight = 0;
  ws.on('close', onClose);
  ws.on('error', () => ws.terminate());
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      ws.close(CLOSE_UNSUPPORTED_DATA, 'binary frames are not supported');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(rawDataToBuffer(data).toString('utf8'));
    } catch {
      ws.close(CLOSE_POLICY_VIOLATION, 'malformed frame');
      return;
    }
    const frame = CallFrame.safeParse(json);
    if (!frame.success) {
      const id = frameId(json);
      if (id === undefined) ws.close(CLOSE_POLICY_VIOLATION, 'malformed frame');
      else sendError(ws, id, 'InvalidFrameError', 'ws: the frame is not a valid call');
      return;
    }
    const { id, method, input } = frame.data;
    if (callsInFlight >= MAX_CALLS_IN_FLIGHT) {
      sendError(ws, id, 'TooManyCallsError', `ws: more than ${MAX_CALLS_IN_FLIGHT} calls in flight`);
      return;
    }
    callsInFlight += 1;
    void (async () => {
      try {
        const outcome = await dispatchCall(service, method, input);
        sendFrame(ws, { type: 'result', id, ...outcome });
      } finally {
        callsInFlight -= 1;
      }
    })();
  });
}

function sendError(ws: WebSocket, id: number, name: string, message: string): void {
  sendFrame(ws, { type: 'result', id, ok: false, error: { name, message } });
}

function sendFrame(ws: WebSocket, frame: ServerFrame): void {
  sendFrameText(ws, JSON.stringify(frame));
}

function sendFrameText(ws: WebSocket, text: string): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (ws.bufferedAmount > MAX_CLIENT_BUFFERED_BYTES) {
    ws.terminate();
    return;
  }
  ws.send(text);
}

function frameId(json: unknown): number | undefined {
  if (typeof json !== 'object' || json === null || !('id' in json)) return undefined;
  const id = json.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

function rawDataToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

async function listen(server: http.Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function closeClients(clients: Set<WebSocket>): Promise<void> {
  if (clients.size === 0) return;
  const closed = [...clients].map(
    async (ws) =>
      await new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) {
          resolve();
          return;
        }
        ws.once('close', () => resolve());
        ws.close(CLOSE_GOING_AWAY, 'Veil is shutting down');
      }),
  );
  const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
  await Promise.race([Promise.all(closed), grace]);
  for (const ws of clients) ws.terminate();
}
