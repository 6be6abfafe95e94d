/** What the UI shows of a failed call: the error's name and message, never a stack. */
export interface ShownError {
  readonly name: string;
  readonly message: string;
}

export function toShownError(error: unknown): ShownError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: 'An unknown error occurred' };
}
