/**
 * A zod/mini parse's issues as a person reads them: a path (`services[2].limit`) and what was
 * expected. One wording for every validated input (the plan file, the evidence file).
 * Pure, no zod import: it reads the issues' plain shape.
 */

/** One problem with an input, with its path as a person reads it (`services[2].limit`). */
export type InputIssue = { path: string; message: string };

/** A zod issue, as far as the wording reads it. */
type ZodIssueLike = { code: string; path: readonly PropertyKey[]; message: string; expected?: unknown; keys?: readonly string[] };

/** `['services', 2, 'limit']` → `services[2].limit`; the empty path is `root`. */
export function pathFormat(path: readonly PropertyKey[], root = '(plan)'): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || root;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = doc;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** zod/mini ships no English messages: every schema names what it expects, and issues
 * still reading "Invalid input" (a mapping or list of the wrong type) are worded here. */
export function issueMessage(issue: Pick<ZodIssueLike, 'code' | 'message' | 'expected'>): string {
  if (issue.message !== 'Invalid input') return issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type' && issue.expected === 'object') return 'expected a mapping (key: value)';
  if (issue.code === 'invalid_type' && issue.expected === 'array') return 'expected a list';
  if (issue.code === 'invalid_type' && typeof issue.expected === 'string') return `expected ${issue.expected}`;
  return 'expected a different value here';
}

/** The issues of a failed parse of `doc`: each unknown key on its own, a missing value as `required: …`. */
export function inputIssues(doc: unknown, issues: readonly ZodIssueLike[], root = '(plan)'): InputIssue[] {
  const out: InputIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys ?? []) out.push({ path: pathFormat([...issue.path, key], root), message: 'unknown key' });
    } else if (valueAt(doc, issue.path) === undefined) {
      out.push({ path: pathFormat(issue.path, root), message: `required: ${issueMessage(issue)}` });
    } else {
      out.push({ path: pathFormat(issue.path, root), message: issueMessage(issue) });
    }
  }
  return out;
}
