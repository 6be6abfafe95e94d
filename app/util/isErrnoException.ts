/** Narrows an unknown thrown value to a Node system error carrying `code` (`ENOENT`, `EXDEV`, …). */
export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}
