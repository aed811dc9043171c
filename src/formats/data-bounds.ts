/**
 * The input policy's depth and size bounds for data that reaches Headroom already parsed, by
 * JSON.parse (a share link, the saved plan in localStorage), not through inputParse's YAML
 * checks. JSON.parse builds 100,000 nested lists without complaint, and code that walks data
 * recursively or copies paths then overflows or takes minutes (issue 17; a share link nested
 * 100,000 deep hung the page). No imports beyond the bounds, so the page's share-link code can
 * use it without loading the YAML parser. Pure.
 */
import { INPUT_LIMITS } from './input-limits.ts';

/** The policy's wording of a nesting refusal (input-policy.ts uses it too). */
export const deepMessage = `nested more than ${INPUT_LIMITS.maxDepth} levels deep; expected a plan or compose file (a few levels)`;

/**
 * Null when `data` nests at most INPUT_LIMITS.maxDepth levels and holds at most
 * INPUT_LIMITS.maxExpandedNodes values (a shared object counted each time it is reached, as an
 * alias is), else the refusal. Iterative: no recursion on user data.
 */
export function dataBoundsIssue(data: unknown): { path: string; message: string } | null {
  const stack: Array<[unknown, number]> = [[data, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++nodes > INPUT_LIMITS.maxExpandedNodes) return { path: '(file)', message: `expected at most ${INPUT_LIMITS.maxExpandedNodes.toLocaleString('en')} values, got more; is this the right file?` };
    if (v === null || typeof v !== 'object') continue;
    if (depth > INPUT_LIMITS.maxDepth) return { path: '(file)', message: deepMessage };
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return null;
}
