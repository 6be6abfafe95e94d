import { Option } from 'commander';
import { integerOption } from '../parseOptions';

export function backendOption(): Option {
  return new Option('--backend <backend>', 'compute backend')
    .choices(['auto', 'metal', 'cuda', 'vulkan', 'cpu'])
    .default('auto');
}

export function threadsOption(): Option {
  return new Option('--threads <n>', 'inference threads (default: the physical cores)').argParser(
    integerOption(1, 1024),
  );
}

export function jsonOption(): Option {
  return new Option('--json', 'print one JSON object instead of text');
}
