/**
 * The corpus manifest (manifest.json beside this file): one entry per public compose file, with
 * where it came from (repository, commit), the files kept beside it, how its users run it and,
 * where the project documents one, its minimum RAM with the exact quote and its source.
 */
import * as z from 'zod/mini';

const COMMIT = /^[0-9a-f]{40}$/;
/** A path inside the project's folder, as in its repository: relative, no `..`, no backslashes. */
const REL_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\\]+$/;
/** The host sizes `check --host` takes that the corpus uses: a number and MiB or GiB. */
const HOST = /^\d+(MiB|GiB)$/;

const relPath = z.string().check(z.regex(REL_PATH, 'expected a relative path inside the project folder'));

export const ramSchema = z.object({
  /** The documented minimum in MiB (GB in a project's text is read as GiB, as Docker reads sizes); null when only a recommendation is documented. */
  minimumMiB: z.nullable(z.number().check(z.int(), z.positive())),
  recommendedMiB: z.nullable(z.number().check(z.int(), z.positive())),
  /** The swap the minimum comes with, in MiB, where the quote gives it ("6 GiB + 1 GiB swap"): the pair puts Headroom's hosts on that swap too. */
  minimumSwapMiB: z.optional(z.number().check(z.int(), z.positive())),
  /** The project's own words, verbatim. */
  quote: z.string().check(z.minLength(10)),
  /** A URL, or `owner/repo@COMMIT:path`. */
  source: z.string().check(z.minLength(10)),
  note: z.optional(z.string()),
});

export const entrySchema = z.object({
  /** The folder under test/corpus. */
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case folder name')),
  project: z.string().check(z.minLength(2)),
  repository: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected owner/name')),
  /** The commit every file was read at (for `obtained: index`, the compose file's own commit). */
  commit: z.string().check(z.regex(COMMIT, 'expected a 40-hex commit')),
  /** `snapshot`: copied from a git snapshot of the repository; `index`: read from a stored file index, one file at a time. */
  obtained: z.enum(['snapshot', 'index']),
  /** The compose file, relative to the project folder. */
  compose: relPath,
  /** Every file kept, byte for byte, at its path in the repository. */
  files: z.array(relPath).check(z.minLength(1)),
  /** The repository's license as its license file states it; null when none was stated or read. */
  license: z.nullable(z.string()),
  /** How a user runs it: which .env, which profiles, which other files. */
  run: z.string().check(z.minLength(10)),
  /** Files a user copies under another name before running (`cp env.example .env`): destination → kept file. */
  as: z.optional(z.record(relPath, relPath)),
  /** Values the docs have users generate (secrets, a domain); passed as shell variables. */
  environment: z.optional(z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)), z.string())),
  /** The host size `check` and `capacity` are run with: the documented minimum when there is one, else 4GiB. */
  host: z.string().check(z.regex(HOST, 'expected a size like 4GiB or 1536MiB')),
  /** `imports`, or the import error expected (a regular expression over `path: message` lines). */
  expect: z.union([z.literal('imports'), z.object({ error: z.string().check(z.minLength(3)) })]),
  /** Compose features the file uses that Headroom does not follow, and why it matters. */
  unsupported: z.optional(z.array(z.string())),
  ram: z.nullable(ramSchema),
  notes: z.optional(z.string()),
});

export const manifestSchema = z.object({
  $comment: z.optional(z.string()),
  entries: z.array(entrySchema).check(z.minLength(1)),
});

export type CorpusEntry = z.infer<typeof entrySchema>;
export type CorpusManifest = z.infer<typeof manifestSchema>;
