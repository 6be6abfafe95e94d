process.stdout.write('veil: the CLI is being built\n');
