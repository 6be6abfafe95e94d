import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import type { CliIo } from './CliIo';
import { addChatCommand } from './commands/chatCommand';
import { addDoctorCommand } from './commands/doctorCommand';
import { addModelsCommand } from './commands/modelsCommand';
import { addServeCommand } from './commands/serveCommand';

/** The `veil` command tree. Commands report failures by throwing; `runCli` turns them into one line and an exit code. */
export function createProgram(io: CliIo): Command {
  const program = new Command('veil')
    .description('Veil: private AI on your own machine. Local models, nothing leaves this device.')
    .version(packageJson.version, '-v, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Errors are printed once, by runCli, as a single line.
      writeErr: (text) => {
        if (!text.startsWith('error:')) io.stderr.write(text);
      },
    });
  addDoctorCommand(program, io);
  addModelsCommand(program, io);
  addChatCommand(program, io);
  addServeCommand(program, io);
  // Subcommands inherit the parent's exit and output behaviour.
  for (const command of program.commands) inheritBehaviour(command, program);
  return program;
}

function inheritBehaviour(command: Command, parent: Command): void {
  command.exitOverride().configureOutput(parent.configureOutput());
  for (const sub of command.commands) inheritBehaviour(sub, command);
}
