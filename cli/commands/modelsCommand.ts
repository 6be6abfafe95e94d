import path from 'node:path';
import type { Command } from 'commander';
import type { InstalledModel } from '../../app/models/InstalledModel';
import type { CliIo } from '../CliIo';
import { printJson } from '../CliIo';
import { CliContext } from '../CliContext';
import { DownloadProgressBar } from '../DownloadProgressBar';
import { formatBytes } from '../../app/util/formatBytes';
import { integerOption, sha256Option } from '../parseOptions';
import { jsonOption } from './sharedOptions';

/** The JSON shape `veil models … --json` prints for one model. */
function toJson(model: InstalledModel) {
  return {
    id: model.id,
    name: model.name,
    path: model.path,
    status: model.status,
    architecture: model.architecture,
    parameters: model.parameterCount,
    quantization: model.quantization,
    contextLength: model.contextLength,
    sizeBytes: model.sizeBytes,
    sha256: model.sha256,
    verified: model.verified,
    source: model.source,
    addedAt: model.addedAt,
  };
}

function formatParameters(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)}M`;
  return `${Math.round(count / 1e3)}K`;
}

function describe(model: InstalledModel): string {
  const status = model.status === 'ready' ? '' : `  [${model.status}]`;
  return `${model.name}  ${model.architecture} ${formatParameters(model.parameterCount)} ${model.quantization}  ${formatBytes(model.sizeBytes)}  ctx ${model.contextLength}${status}`;
}

export function addModelsCommand(program: Command, io: CliIo): void {
  const models = program
    .command('models')
    .description('List, import, download, inspect and remove local models.');

  models
    .command('list')
    .description('List installed models.')
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const list = await (await new CliContext(io).getLibrary()).list();
      if (options.json === true) return printJson(io, { models: list.map(toJson) });
      if (list.length === 0) {
        io.stdout.write(
          'No models installed. Add one with `veil models import <file.gguf>` or `veil models pull <url|hf:…>`.\n',
        );
        return;
      }
      io.stdout.write(`${list.map(describe).join('\n')}\n`);
    });

  models
    .command('import')
    .description('Add a local GGUF file to the library (copied, or referenced in place with --reference).')
    .argument('<file>', 'path of a .gguf file')
    .option('--reference', 'keep the file where it is instead of copying it')
    .option('--name <name>', 'name to list the model under (default: the file name)')
    .addOption(jsonOption())
    .action(async (file: string, options: { reference?: boolean; name?: string; json?: boolean }) => {
      const model = await (
        await new CliContext(io).getLibrary()
      ).importFile(path.resolve(file), {
        mode: options.reference === true ? 'reference' : 'copy',
        ...(options.name !== undefined ? { name: options.name } : {}),
      });
      if (options.json === true) return printJson(io, toJson(model));
      io.stdout.write(`Imported ${describe(model)}\n`);
    });

  models
    .command('pull')
    .description(
      'Download a model from a URL or a Hugging Face reference (hf:owner/repo/file.gguf); resumes if interrupted.',
    )
    .argument('<source>', 'https://… URL or hf:owner/repo/file.gguf')
    .option('--sha256 <hash>', 'expected sha256 of the file; a mismatch deletes it', sha256Option)
    .option('--name <name>', 'name to list the model under')
    .addOption(jsonOption())
    .action(async (source: string, options: { sha256?: string; name?: string; json?: boolean }) => {
      const library = await new CliContext(io).getLibrary();
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      const bar = options.json === true ? undefined : new DownloadProgressBar(io, 'Downloading');
      try {
        const model = await library.download(source, {
          ...(options.sha256 !== undefined ? { sha256: options.sha256 } : {}),
          ...(options.name !== undefined ? { name: options.name } : {}),
          signal: controller.signal,
          onProgress: (progress) => bar?.update(progress),
        });
        bar?.stop();
        if (options.json === true) return printJson(io, toJson(model));
        io.stdout.write(`Installed ${describe(model)}\n`);
      } finally {
        bar?.stop();
        process.off('SIGINT', onSigint);
      }
    });

  models
    .command('info')
    .description('Show a model’s metadata and whether it fits on this machine.')
    .argument('<name>', 'model name or id')
    .option('--context-size <tokens>', 'context size for the fit estimate', integerOption(256, 1 << 20), 4096)
    .addOption(jsonOption())
    .action(async (name: string, options: { contextSize: number; json?: boolean }) => {
      const context = new CliContext(io);
      try {
        const library = await context.getLibrary();
        const model = await library.get(name);
        const fit =
          model.status === 'missing'
            ? undefined
            : await library.estimateFit(model.name, { contextSize: options.contextSize });
        if (options.json === true)
          return printJson(io, {
            ...toJson(model),
            fit: fit === undefined ? null : { contextSize: options.contextSize, ...fit },
          });
        const lines = [
          `Name:          ${model.name} (${model.id})`,
          `Path:          ${model.path}${model.status === 'ready' ? '' : ` [${model.status}]`}`,
          `Architecture:  ${model.architecture}`,
          `Parameters:    ${formatParameters(model.parameterCount)}`,
          `Quantization:  ${model.quantization}`,
          `Context:       ${model.contextLength} tokens`,
          `Size:          ${formatBytes(model.sizeBytes)}`,
          `sha256:        ${model.sha256}${model.verified ? ' (verified)' : ''}`,
        ];
        if (fit !== undefined) {
          lines.push(
            `Fits here:     ${fit.fits ? 'yes' : 'no'} at ${options.contextSize} tokens (RAM ${formatBytes(fit.ramBytes)}, VRAM ${formatBytes(fit.vramBytes)}, ${fit.gpuLayers} GPU layers)`,
          );
        }
        io.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await context.dispose();
      }
    });

  models
    .command('rm')
    .description('Remove a model (deletes copied and downloaded files; a referenced file stays where it is).')
    .argument('<name>', 'model name or id')
    .addOption(jsonOption())
    .action(async (name: string, options: { json?: boolean }) => {
      const library = await new CliContext(io).getLibrary();
      const model = await library.get(name);
      await library.remove(model.name);
      if (options.json === true) return printJson(io, { removed: toJson(model) });
      io.stdout.write(`Removed ${model.name}\n`);
    });
}
