/** Ends an exhaustive `switch`: the compiler proves `value` is `never`, and at run time it names what slipped through. */
export function missingCaseError(value: never): Error {
  return new TypeError(`Unhandled case: ${String(value)}`);
}
