import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import type { ChatKeyProvider } from '../../app/chats/ChatKeyProvider';
import type { VeilPaths } from '../../app/config/veilPaths';
import type { CliIo } from '../CliIo';
import { CliContext } from '../CliContext';
import { integerOption } from '../parseOptions';

const packageRoot = path.resolve(import.meta.dirname, '../..');
const rendererDir = path.join(packageRoot, 'out', 'renderer');

/** The environment variable that switches the chat store from a key file to a passphrase (Argon2id). */
export const CHAT_PASSPHRASE_ENV = 'VEIL_CHAT_PASSPHRASE';

interface ServeOptions {
  host: string;
  port: number;
  token?: string;
}

export function addServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'Serve the Veil UI to a browser, on 127.0.0.1 by default, with an access token in the printed URL. ' +
        `Chats are encrypted with a key file in the data directory, or with a passphrase from $${CHAT_PASSPHRASE_ENV}.`,
    )
    .option('--host <host>', 'address to listen on; beyond loopback it needs --token', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', integerOption(0, 65_535), 8420)
    .option('--token <token>', 'access token (default: a random one); 16–256 URL-safe characters')
    .action(async (options: ServeOptions) => {
      ensureRendererBuilt(io);
      const context = new CliContext(io);
      const [{ openVeilCore }, { startVeilServer }] = await Promise.all([
        import('../../app/service/openVeilCore'),
        import('../../app/server/VeilServer'),
      ]);
      const core = await openVeilCore({
        paths: context.paths,
        keyProvider: await chatKeyProvider(context.paths, io.env),
        appVersion: packageJson.version,
        mode: 'browser',
      });
      let server;
      try {
        server = await startVeilServer({
          service: core.service,
          host: options.host,
          port: options.port,
          ...(options.token !== undefined ? { token: options.token } : {}),
          staticDir: rendererDir,
        });
      } catch (error) {
        await core.dispose();
        throw error;
      }
      io.stdout.write(`Veil is running at ${server.url}\n`);
      io.stdout.write('Open that address in a browser; press Ctrl+C to stop.\n');
      await waitForShutdownSignal();
      io.stdout.write('Stopping…\n');
      await server.close();
      await core.dispose();
    });
}

async function chatKeyProvider(paths: VeilPaths, env: NodeJS.ProcessEnv): Promise<ChatKeyProvider> {
  const passphrase = env[CHAT_PASSPHRASE_ENV];
  if (passphrase !== undefined && passphrase !== '') {
    const { PassphraseChatKeyProvider } = await import('../../app/chats/PassphraseChatKeyProvider');
    return new PassphraseChatKeyProvider({ passphrase });
  }
  const { KeyFileChatKeyProvider } = await import('../../app/chats/KeyFileChatKeyProvider');
  return new KeyFileChatKeyProvider({ keyFilePath: paths.chatKeyFile });
}

/** `veil serve` right after `npm install` works: the renderer is built once on first use. */
function ensureRendererBuilt(io: CliIo): void {
  if (existsSync(path.join(rendererDir, 'index.html'))) return;
  io.stderr.write('Building the Veil UI (first run only)…\n');
  const require = createRequire(import.meta.url);
  const electronVite = path.join(
    path.dirname(require.resolve('electron-vite/package.json')),
    'bin',
    'electron-vite.js',
  );
  const result = spawnSync(process.execPath, [electronVite, 'build'], {
    cwd: packageRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0 || !existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error('serve: building the UI failed; run `npm run build` and try again');
  }
}

function waitForShutdownSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
