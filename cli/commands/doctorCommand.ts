import type { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import type { CliIo } from '../CliIo';
import { printJson } from '../CliIo';
import { CliContext } from '../CliContext';
import { formatBytes } from '../../app/util/formatBytes';
import { backendOption, jsonOption, threadsOption } from './sharedOptions';

export function addDoctorCommand(program: Command, io: CliIo): void {
  program
    .command('doctor')
    .description('Show the compute backend, GPU, memory, threads and data directory Veil would use.')
    .addOption(jsonOption())
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (options: { json?: boolean; backend?: 'auto'; threads?: number }) => {
      const context = new CliContext(io, options);
      try {
        const engine = await context.getEngine();
        const info = await engine.getSystemInfo();
        const report = {
          version: packageJson.version,
          backend: info.backend,
          gpus: info.gpuDevices,
          vramTotalBytes: info.vramTotalBytes,
          vramFreeBytes: info.vramFreeBytes,
          ramTotalBytes: info.ramTotalBytes,
          ramFreeBytes: info.ramFreeBytes,
          cpuMathCores: info.cpuMathCores,
          threads: info.threads,
          llamaCpp: info.llamaCppRelease,
          dataDir: context.paths.home,
        };
        if (options.json === true) return printJson(io, report);
        const lines = [
          `Veil ${report.version}`,
          `Backend:   ${report.backend}${report.gpus.length > 0 ? ` (${report.gpus.join(', ')})` : ''}`,
          `VRAM:      ${report.vramTotalBytes > 0 ? `${formatBytes(report.vramFreeBytes)} free of ${formatBytes(report.vramTotalBytes)}` : 'none'}`,
          `RAM:       ${formatBytes(report.ramFreeBytes)} free of ${formatBytes(report.ramTotalBytes)}`,
          `Threads:   ${report.threads} (of ${report.cpuMathCores} math cores)`,
          `llama.cpp: ${report.llamaCpp}`,
          `Data:      ${report.dataDir}`,
        ];
        io.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await context.dispose();
      }
    });
}
