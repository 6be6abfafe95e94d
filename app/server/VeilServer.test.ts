import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ServerFrame } from '../contract/wire';
import { openTestCore, type TestCore } from '../service/openTestCore';
import { CONTENT_SECURITY_POLICY } from './securityHeaders';
import { InvalidAccessTokenError, StaticDirError, UnsafeExposureError } from './serverErrors';
import { ACCESS_COOKIE_NAME, startVeilServer, type VeilServer } from './VeilServer';

interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function request(
  port: number,
  requestPath: string,
  options: { headers?: Record<string, string>; method?: string } = {},
): Promise<HttpAnswer> {
  return await new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: requestPath,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with the socket once open, or with the HTTP status the upgrade was refused with. */
async function connect(
  url: string,
  options: { origin?: string; cookie?: string },
): Promise<{ ws: WebSocket } | { refused: number }> {
  return await new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      headers: options.cookie === undefined ? {} : { Cookie: options.cookie },
    });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** Collects server frames until `predicate` holds. */
async function nextFrame(ws: WebSocket, predicate: (frame: ServerFrame) => boolean): Promise<ServerFrame> {
  return await new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = ServerFrame.parse(JSON.parse(data.toString()));
      if (predicate(frame)) {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
  });
}

async function closed(ws: WebSocket): Promise<number> {
  return await new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

describe('VeilServer', () => {
  let test: TestCore;
  let staticDir: string;
  let outside: string;
  let server: VeilServer;
  let token: string;
  let cookie: string;
  let origin: string;

  beforeAll(async () => {
    test = await openTestCore();
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'veil-static-'));
    staticDir = path.join(outside, 'renderer');
    await fs.mkdir(path.join(staticDir, 'assets'), { recursive: true });
    await fs.writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Veil</title>');
    await fs.writeFile(path.join(staticDir, 'assets', 'app.js'), 'console.log("veil")');
    await fs.writeFile(path.join(outside, 'secret.txt'), 'SECRET');
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(staticDir, 'assets', 'link.txt'));
    server = await startVeilServer({ service: test.core.service, staticDir });
    token = new URL(server.url).searchParams.get('token') ?? '';
    cookie = `${ACCESS_COOKIE_NAME}=${token}`;
    origin = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server.close();
    await test.remove();
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('prints a loopback URL carrying a fresh 32-byte token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${token}`);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('refuses the page and static files without the token, with the security headers', async () => {
    for (const requestPath of ['/', '/assets/app.js', '/index.html', '/ws']) {
      const answer = await request(server.port, requestPath);
      expect(answer.status, requestPath).toBe(401);
      expect(answer.body).toMatch(/access token/);
      expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('refuses a wrong token, in the query or in the cookie', async () => {
    expect((await request(server.port, '/?token=wrong')).status).toBe(401);
    expect((await request(server.port, `/?token=${token}x`)).status).toBe(401);
    expect(
      (await request(server.port, '/', { headers: { Cookie: `${ACCESS_COOKIE_NAME}=nope` } })).status,
    ).toBe(401);
  });

  it('trades the right token for an HttpOnly SameSite=Strict cookie and redirects to /', async () => {
    const answer = await request(server.port, `/?token=${token}`);
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/');
    const setCookie = answer.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toContain(`${ACCESS_COOKIE_NAME}=${token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
  });

  it('serves the renderer with the cookie, with content types and strict headers', async () => {
    const page = await request(server.port, '/', { headers: { Cookie: `other=1; ${cookie}` } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Veil</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    const script = await request(server.port, '/assets/app.js', { headers: { Cookie: cookie } });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const head = await request(server.port, '/assets/app.js', {
      headers: { Cookie: cookie },
      method: 'HEAD',
    });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await request(server.port, '/nothing.js', { headers: { Cookie: cookie } })).status).toBe(404);
    expect((await request(server.port, '/assets', { headers: { Cookie: cookie } })).status).toBe(404);
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const requestPath of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/link.txt',
      '/a%00b',
      '/..%5csecret.txt',
    ]) {
      const answer = await request(server.port, requestPath, { headers: { Cookie: cookie } });
      expect(answer.body, requestPath).not.toContain('SECRET');
      expect([400, 404], requestPath).toContain(answer.status);
    }
  });

  it('refuses other methods and foreign Host headers (DNS rebinding)', async () => {
    expect((await request(server.port, '/', { headers: { Cookie: cookie }, method: 'POST' })).status).toBe(
      405,
    );
    const rebound = await request(server.port, '/', {
      headers: { Cookie: cookie, Host: `evil.example:${server.port}` },
    });
    expect(rebound.status).toBe(403);
    const localhost = await request(server.port, '/', {
      headers: { Cookie: cookie, Host: `localhost:${server.port}` },
    });
    expect(localhost.status).toBe(200);
  });

  it('refuses WebSocket upgrades without the token or from another origin', async () => {
    const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
    expect(await connect(wsUrl, { origin })).toEqual({ refused: 403 });
    expect(await connect(`${wsUrl}?token=wrong`, { origin })).toEqual({ refused: 403 });
    expect(await connect(wsUrl, { origin: 'http://evil.example', cookie })).toEqual({ refused: 403 });
    expect(await connect(`${wsUrl}?token=${token}`, { origin: 'http://evil.example' })).toEqual({
      refused: 403,
    });
    expect(await connect(wsUrl, { origin: `http://127.0.0.1:${server.port + 1}`, cookie })).toEqual({
      refused: 403,
    });
    expect(await connect(wsUrl, { cookie })).toEqual({ refused: 403 });
    expect(await connect(`ws://127.0.0.1:${server.port}/other`, { origin, cookie })).toEqual({
      refused: 404,
    });
  });

  it('carries calls and events over an authorized same-origin WebSocket', async () => {
    const opened = await connect(`ws://127.0.0.1:${server.port}/ws`, { origin, cookie });
    if (!('ws' in opened)) throw new Error(`refused with ${opened.refused}`);
    const { ws } = opened;
    try {
      const event = nextFrame(ws, (frame) => frame.type === 'event');
      const result = nextFrame(ws, (frame) => frame.type === 'result' && frame.id === 1);
      ws.send(JSON.stringify({ type: 'call', id: 1, method: 'chats.create', input: { title: 'Over WS' } }));
      const answer = await result;
      expect(answer).toMatchObject({ type: 'result', id: 1, ok: true, value: { title: 'Over WS' } });
      expect(await event).toMatchObject({ type: 'event', event: { type: 'chats.changed' } });

      const list = nextFrame(ws, (frame) => frame.type === 'result' && frame.id === 2);
      ws.send(JSON.stringify({ type: 'call', id: 2, method: 'chats.list' }));
      expect(await list).toMatchObject({ ok: true, value: [{ title: 'Over WS' }] });

      const unknown = nextFrame(ws, (frame) => frame.type === 'result' && frame.id === 3);
      ws.send(JSON.stringify({ type: 'call', id: 3, method: 'fs.readFile', input: { path: '/etc/passwd' } }));
      expect(await unknown).toMatchObject({ ok: false, error: { name: 'UnknownMethodError' } });

      const invalid = nextFrame(ws, (frame) => frame.type === 'result' && frame.id === 4);
      ws.send(JSON.stringify({ type: 'call', id: 4, method: 'chats.get', input: { id: '' } }));
      expect(await invalid).toMatchObject({ ok: false, error: { name: 'InvalidArgumentError' } });

      const badFrame = nextFrame(ws, (frame) => frame.type === 'result' && frame.id === 5);
      ws.send(JSON.stringify({ type: 'call', id: 5, method: 7 }));
      expect(await badFrame).toMatchObject({ ok: false, error: { name: 'InvalidFrameError' } });
    } finally {
      ws.close();
    }
  });

  it('accepts localhost as the same machine when Host and Origin agree', async () => {
    const opened = await connect(`ws://localhost:${server.port}/ws?token=${token}`, {
      origin: `http://localhost:${server.port}`,
    });
    expect('ws' in opened).toBe(true);
    if ('ws' in opened) opened.ws.close();
  });

  it('closes the socket on malformed frames and keeps serving others', async () => {
    for (const [payload, binary, code] of [
      ['not json', false, 1008],
      ['{"type":"call"}', false, 1008],
      ['[1,2]', false, 1008],
      [Buffer.from([1, 2, 3]), true, 1003],
    ] as const) {
      const opened = await connect(`ws://127.0.0.1:${server.port}/ws`, { origin, cookie });
      if (!('ws' in opened)) throw new Error('refused');
      const closing = closed(opened.ws);
      opened.ws.send(payload, { binary });
      expect(await closing).toBe(code);
    }
    expect((await request(server.port, '/', { headers: { Cookie: cookie } })).status).toBe(200);
  });

  it('refuses a non-loopback host without an explicit token, and weak explicit tokens', async () => {
    await expect(startVeilServer({ service: test.core.service, staticDir, host: '0.0.0.0' })).rejects.toThrow(
      new UnsafeExposureError(
        'serve: --host 0.0.0.0 exposes Veil beyond this machine; pass an explicit --token',
      ),
    );
    await expect(
      startVeilServer({ service: test.core.service, staticDir, host: '0.0.0.0', token: 'short' }),
    ).rejects.toBeInstanceOf(InvalidAccessTokenError);
    await expect(
      startVeilServer({ service: test.core.service, staticDir, token: 'has spaces and is long enough' }),
    ).rejects.toBeInstanceOf(InvalidAccessTokenError);
  });

  it('exposes itself beyond loopback with an explicit token', async () => {
    const explicit = 'a-long-explicit-token-1234';
    const exposed = await startVeilServer({
      service: test.core.service,
      staticDir,
      host: '0.0.0.0',
      token: explicit,
    });
    try {
      expect(exposed.url).toBe(`http://127.0.0.1:${exposed.port}/?token=${explicit}`);
      expect((await request(exposed.port, '/')).status).toBe(401);
      const page = await request(exposed.port, '/', {
        headers: { Cookie: `${ACCESS_COOKIE_NAME}=${explicit}`, Host: `veil-box.lan:${exposed.port}` },
      });
      expect(page.status).toBe(200);
    } finally {
      await exposed.close();
    }
  });

  it('refuses to start without a renderer build', async () => {
    await expect(
      startVeilServer({ service: test.core.service, staticDir: path.join(outside, 'missing') }),
    ).rejects.toBeInstanceOf(StaticDirError);
  });

  it('closes its clients and stops listening; close is idempotent', async () => {
    const own = await startVeilServer({ service: test.core.service, staticDir });
    const ownToken = new URL(own.url).searchParams.get('token') ?? '';
    const opened = await connect(`ws://127.0.0.1:${own.port}/ws?token=${ownToken}`, {
      origin: `http://127.0.0.1:${own.port}`,
    });
    if (!('ws' in opened)) throw new Error('refused');
    const closing = closed(opened.ws);
    await Promise.all([own.close(), own.close()]);
    expect(await closing).toBe(1001);
    await own.close();
    await expect(request(own.port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
