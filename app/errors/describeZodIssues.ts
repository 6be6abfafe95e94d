import type { z } from 'zod';

/** Most schema issues listed in one message; the rest are counted. */
const MAX_LISTED_ISSUES = 5;

/**
 * Names the failing fields with zod's messages, for errors at a trust boundary. zod's messages describe the expected
 * shape, never the received value, so no user text is echoed. `root` names an issue on the whole value.
 */
export function describeZodIssues(error: z.ZodError, root = '(argument)'): string {
  const issues = error.issues;
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((issue) => `${issue.path.length === 0 ? root : issue.path.join('.')}: ${issue.message}`);
  const more = issues.length > MAX_LISTED_ISSUES ? `; and ${issues.length - MAX_LISTED_ISSUES} more` : '';
  return `${listed.join('; ')}${more}`;
}
