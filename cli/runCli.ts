import { CommanderError } from 'commander';
import { toErrorMessage } from '../app/errors/toErrorMessage';
import type { CliIo } from './CliIo';
import { createProgram } from './createProgram';

/**
 * Runs `veil` with `argv` (without the node and script paths) and returns the exit code: 0 on success, 1 when the
 * operation failed, 2 for a usage error. Every failure prints exactly one line on stderr.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0 and their output already printed.
      if (error.exitCode === 0) return 0;
      io.stderr.write(`veil: ${error.message.replace(/^error: /, '')}\n`);
      return 2;
    }
    io.stderr.write(`veil: ${toErrorMessage(error)}\n`);
    return 1;
  }
}
