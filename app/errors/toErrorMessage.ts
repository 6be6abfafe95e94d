/** One line describing an unknown thrown value, for CLI output and logs. Never includes the stack. */
export function toErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
