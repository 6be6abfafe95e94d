// A stand-in for `veil serve` while the CLI command is being written: the same composition (VEIL_HOME, the key file in
// VEIL_HOME/keys, the built renderer) and the same output line, so the e2e fixture can spawn either one.
// Usage: tsx test/e2e/support/serveForTests.ts [--port N]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatStore } from '../../../app/chats/ChatStore';
import { KeyFileChatKeyProvider } from '../../../app/chats/KeyFileChatKeyProvider';
import { getVeilPaths } from '../../../app/config/veilPaths';
import { ModelLibrary } from '../../../app/models/ModelLibrary';
import { startVeilServer } from '../../../app/server/VeilServer';
import { SettingsStore } from '../../../app/service/SettingsStore';
import { VeilService } from '../../../app/service/VeilService';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const portIndex = process.argv.indexOf('--port');
const port = portIndex === -1 ? 0 : Number(process.argv[portIndex + 1]);

try {
  const paths = getVeilPaths(process.env);
  const settings = await SettingsStore.open({ configDir: paths.config, defaultModelsDir: paths.models });
  const library = new ModelLibrary({ modelsDir: settings.get().modelsDir, cacheDir: paths.cache });
  const chatStore = await ChatStore.open({
    dir: paths.chats,
    keyProvider: new KeyFileChatKeyProvider({ keyFilePath: path.join(paths.keys, 'chat.key') }),
  });
  const service = new VeilService({
    library,
    chatStore,
    settings,
    paths,
    appVersion: '0.1.0',
    mode: 'browser',
  });
  const server = await startVeilServer({ service, port, staticDir: path.join(repoRoot, 'out/renderer') });
  process.stdout.write(`Veil is running at ${server.url}\n`);
  const stop = async () => {
    await server.close();
    await service.dispose();
    await chatStore.dispose();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(`veil: ${name}: ${message}\n`);
  process.exit(1);
}
