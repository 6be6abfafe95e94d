// Fetches the Electron binary on first `npm start`/`npm run dev` rather than at install time, so `npm install` works
// offline (CI and test machines never need Electron) while a developer with a network gets it on demand.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = path.dirname(require.resolve('electron/package.json'));
const pathFile = path.join(electronDir, 'path.txt');
const installed =
  existsSync(pathFile) && existsSync(path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()));
if (!installed) {
  process.stdout.write('Downloading the Electron binary (first run only)…\n');
  const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(
      'ensure-electron: could not download Electron. Without it, run Veil headless: `npx veil serve` or `npx veil chat`.\n',
    );
    process.exit(result.status ?? 1);
  }
}
