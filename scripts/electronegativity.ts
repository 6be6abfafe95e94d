/**
 * Electronegativity gate: `npx tsx scripts/electronegativity.ts [input …]`.
 *
 * Runs Doyensec's Electronegativity over the Electron code (by default main/ and renderer/, as TypeScript source,
 * which its parser reads directly; pass a packed `app.asar` or a folder to audit that instead), prints every finding,
 * and exits 1 when a HIGH-severity finding is not covered by build/electronegativity-allowlist.json, when an
 * allowlist entry no longer matches anything, or when a file could not be parsed (an unparsed file is an unchecked
 * file). Lower severities are printed for review and do not fail the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Module, { createRequire } from 'node:module';
import { z } from 'zod';

const projectDir = path.resolve(import.meta.dirname, '..');
const DEFAULT_INPUTS = ['main', 'renderer'];
export const ALLOWLIST_PATH = path.join(projectDir, 'build', 'electronegativity-allowlist.json');

/**
 * Checks left out of every run, with the reason. AVAILABLE_SECURITY_FIXES downloads Electron's release list from
 * GitHub on each run; keeping Electron on a supported, patched major is tracked by the dependency update process.
 */
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

/** One finding as Electronegativity reports it (only the fields used here). */
const Finding = z.object({
  id: z.string(),
  file: z.string(),
  location: z.object({ line: z.number(), column: z.number() }),
  description: z.string(),
  manualReview: z.boolean().optional(),
  severity: z.object({ name: z.enum(['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']) }),
  confidence: z.object({ name: z.enum(['CERTAIN', 'FIRM', 'TENTATIVE']) }),
});
export type Finding = z.infer<typeof Finding>;

const RunResult = z.object({
  errors: z.array(z.object({ file: z.string(), message: z.string(), tolerable: z.boolean() })),
  issues: z.array(Finding),
});

/** An accepted HIGH finding: which check, in which file (project-relative), and why it is acceptable. */
const AllowlistEntry = z.strictObject({
  id: z.string().min(1),
  file: z.string().min(1),
  reason: z.string().min(20, 'give a real justification'),
});
export const Allowlist = z.array(AllowlistEntry);
export type Allowlist = z.infer<typeof Allowlist>;

export interface AuditOutcome {
  readonly findings: readonly Finding[];
  /** HIGH findings with no allowlist entry: the run fails. */
  readonly blocking: readonly Finding[];
  /** Allowlist entries that matched no finding: stale, so the run fails until they are removed. */
  readonly staleEntries: readonly Allowlist[number][];
  /** Files Electronegativity could not parse: the run fails. */
  readonly parseErrors: readonly { file: string; message: string }[];
}

/** Splits findings into what the allowlist covers and what fails the gate. Pure, so it can be tested alone. */
export function evaluateFindings(
  findings: readonly Finding[],
  allowlist: Allowlist,
  parseErrors: readonly { file: string; message: string }[] = [],
): AuditOutcome {
  const used = new Set<number>();
  const blocking = findings.filter((finding) => {
    if (finding.severity.name !== 'HIGH') return false;
    const entry = allowlist.findIndex(
      (allowed) => allowed.id === finding.id && allowed.file === finding.file,
    );
    if (entry === -1) return true;
    used.add(entry);
    return false;
  });
  const staleEntries = allowlist.filter((_entry, index) => !used.has(index));
  return { findings, blocking, staleEntries, parseErrors };
}

export function readAllowlist(filePath: string = ALLOWLIST_PATH): Allowlist {
  if (!fs.existsSync(filePath)) return [];
  const parsed = Allowlist.safeParse(JSON.parse(fs.readFileSync(filePath, 'utf8')));
  if (!parsed.success)
    throw new Error(`electronegativity: invalid allowlist ${filePath}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Runs Electronegativity over `inputs` (folders, project-relative or absolute, or one .asar) and returns its findings with
 * project-relative file names. Folders are copied into one temporary tree first, so the global checks (CSP,
 * navigation limits, permission handler) see main and renderer together, and test files (not shipped, full of
 * deliberately hostile values) are left out.
 */
export async function runElectronegativity(
  inputs: readonly string[] = DEFAULT_INPUTS,
): Promise<AuditOutcome> {
  const runnerPath = path.join(projectDir, 'node_modules/@doyensec/electronegativity/dist/runner.js');
  const requireFromRunner = createRequire(runnerPath);
  disableNetwork(requireFromRunner);
  const run = requireFromRunner(runnerPath) as (options: object, forCli: boolean) => Promise<unknown>;
  const electronVersion = (
    JSON.parse(fs.readFileSync(path.join(projectDir, 'node_modules/electron/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

  const isAsar = inputs.length === 1 && inputs[0]?.endsWith('.asar') === true;
  const stagingDir = isAsar ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'veil-electronegativity-'));
  try {
    if (stagingDir !== undefined) {
      for (const input of inputs) {
        const target = path.isAbsolute(input) ? path.basename(input) : input;
        fs.cpSync(path.resolve(projectDir, input), path.join(stagingDir, target), {
          recursive: true,
          filter: (source) => !/\.test\.tsx?$/.test(source),
        });
      }
    }
    const input = stagingDir ?? path.resolve(projectDir, inputs[0] ?? '');
    const result = RunResult.parse(
      await run(
        {
          input,
          isRelative: true,
          electronVersionOverride: electronVersion,
          customScan: [],
          excludeFromScan: EXCLUDED_CHECKS,
          severitySet: 'informational',
          confidenceSet: 'tentative',
        },
        false,
      ),
    );
    const parseErrors = result.errors
      .filter((error) => !error.tolerable)
      .map((error) => ({ file: path.relative(input, error.file), message: error.message }));
    return evaluateFindings(result.issues, readAllowlist(), parseErrors);
  } finally {
    if (stagingDir !== undefined) fs.rmSync(stagingDir, { recursive: true, force: true });
  }
}

/**
 * Electronegativity fetches translations from S3 on every start (and release data for one excluded check). A test
 * command must not talk to the internet, so its HTTP client is replaced with one that fails at once; it then falls
 * back to its bundled English strings.
 */
function disableNetwork(requireFromRunner: NodeJS.Require): void {
  const gotPath = requireFromRunner.resolve('got');
  const offline = Object.assign(
    async () => await Promise.reject(new Error('network disabled in this audit')),
    {
      head: async () => await Promise.reject(new Error('network disabled in this audit')),
    },
  );
  const stub = new Module(gotPath);
  stub.filename = gotPath;
  stub.loaded = true;
  stub.exports = offline;
  requireFromRunner.cache[gotPath] = stub;
}

function formatFinding(finding: Finding): string {
  const review = finding.manualReview === true ? ' (review)' : '';
  return `${finding.severity.name.padEnd(13)} ${finding.confidence.name.padEnd(9)} ${finding.id}${review}\n    ${finding.file}:${finding.location.line}:${finding.location.column}  ${finding.description}`;
}

async function main(): Promise<void> {
  const inputs = process.argv.slice(2);
  const outcome = await runElectronegativity(inputs.length > 0 ? inputs : DEFAULT_INPUTS);
  const order = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];
  const sorted = [...outcome.findings].sort(
    (a, b) => order.indexOf(a.severity.name) - order.indexOf(b.severity.name) || a.file.localeCompare(b.file),
  );
  console.log(
    `Electronegativity: ${sorted.length} finding(s) in ${(inputs.length > 0 ? inputs : DEFAULT_INPUTS).join(', ')}`,
  );
  for (const finding of sorted) console.log(formatFinding(finding));
  for (const error of outcome.parseErrors) console.error(`PARSE ERROR ${error.file}: ${error.message}`);
  for (const finding of outcome.blocking)
    console.error(`BLOCKING (HIGH, not allowlisted): ${finding.id} in ${finding.file}`);
  for (const entry of outcome.staleEntries) {
    console.error(`STALE allowlist entry (matches nothing, remove it): ${entry.id} in ${entry.file}`);
  }
  const failed =
    outcome.blocking.length > 0 || outcome.staleEntries.length > 0 || outcome.parseErrors.length > 0;
  console.log(
    failed ? 'Electronegativity gate: FAILED' : 'Electronegativity gate: passed (no unallowed HIGH finding)',
  );
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) await main();
