import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server for one file, sent slowly enough to watch, pause and cancel a download, with Range support. */
export interface SlowFileServer {
  /** The file's URL (`http://127.0.0.1:PORT/<name>`). */
  readonly url: string;
  /** Range requests received (`bytes=N-`), to prove a resumed download continued rather than restarted. */
  readonly ranges: readonly string[];
  close(): Promise<void>;
}

/** Bytes per chunk and the pause between chunks: about 160 KB/s. */
const CHUNK_BYTES = 16 * 1024;
const CHUNK_INTERVAL_MS = 100;

export async function startSlowFileServer(filePath: string, name: string): Promise<SlowFileServer> {
  const size = (await stat(filePath)).size;
  const ranges: string[] = [];
  const server = http.createServer((request, response) => {
    void (async () => {
      if (new URL(request.url ?? '/', 'http://127.0.0.1').pathname !== `/${name}`) {
        response.writeHead(404).end();
        return;
      }
      let start = 0;
      const range = request.headers.range;
      if (range !== undefined) {
        ranges.push(range);
        start = Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0);
        response.writeHead(206, {
          'Content-Length': size - start,
          'Content-Range': `bytes ${start}-${size - 1}/${size}`,
          'Accept-Ranges': 'bytes',
          ETag: '"veil-test"',
        });
      } else {
        response.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes', ETag: '"veil-test"' });
      }
      const stream = createReadStream(filePath, { start, highWaterMark: CHUNK_BYTES });
      request.on('close', () => stream.destroy());
      try {
        for await (const chunk of stream) {
          if (response.destroyed) return;
          response.write(chunk);
          await new Promise((resolve) => setTimeout(resolve, CHUNK_INTERVAL_MS));
        }
        response.end();
      } catch {
        // The client went away (a paused or cancelled download): nothing left to send.
        response.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    ranges,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
