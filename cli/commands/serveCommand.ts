import type { Command } from 'commander';
import type { CliIo } from '../CliIo';

export function addServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'Serve the Veil UI to a browser (127.0.0.1 by default, with an access token in the printed URL).',
    )
    .action(() => {
      io.stdout.write('veil serve: arrives with the desktop issue\n');
    });
}
