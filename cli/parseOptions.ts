import { InvalidArgumentError } from 'commander';

/** Commander option parsers that reject bad input with a message naming the expected form. */
export function integerOption(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`expected a whole number, got "${value}".`);
    const parsed = Number(value);
    if (parsed < min || parsed > max)
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got ${parsed}.`);
    return parsed;
  };
}

export function numberOption(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed))
      throw new InvalidArgumentError(`expected a number, got "${value}".`);
    if (parsed < min || parsed > max)
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got ${parsed}.`);
    return parsed;
  };
}

export function sha256Option(value: string): string {
  const normalized = value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(normalized))
    throw new InvalidArgumentError('expected 64 hexadecimal characters.');
  return normalized;
}
