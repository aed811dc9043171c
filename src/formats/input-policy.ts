/**
 * The one input policy (issue 17): every text Headroom reads — a plan or compose file from the
 * CLI (file or stdin), text pasted or uploaded on the page, a share link — goes through
 * `inputParse` before any other code looks at it. It bounds what a hostile or broken input can
 * cost before that cost is paid:
 *
 * - bytes: checked by the reader while reading (the CLI stops at the cap, src/cli/io.ts; the page
 *   checks a file's size before reading it and a share link's inflated size while inflating);
 * - tokens: the YAML lexer's count of nodes and indicators, counted before the (much slower)
 *   parse builds anything;
 * - depth: flow nesting counted by the same lexer pass, then every node's depth after the parse;
 * - aliases: the size of the document with every alias expanded, counted on the parsed document
 *   before anything converts it (an anchor aliased 9,000 times is refused, not copied);
 * - errors: at most `maxIssues` shown, identical ones once, then "… and N more".
 *
 * Keys named `__proto__` are kept as own properties (the yaml library defines them as such); code
 * that copies user maps uses `ownSet` / `Object.fromEntries`, never `obj[key] = value`.
 * Pure: no I/O.
 */
import { BYTE_CAPS, INPUT_LIMITS, tooBigMessage, type ByteCap } from './input-limits.ts';
import { deepMessage } from './data-bounds.ts';
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, Lexer, parseDocument, YAMLParseError, type Document, type Node, type YAMLError } from 'yaml';

/** One problem with where it is: `line 3, column 5`, `(file)`, or a data path. */
export type InputProblem = { path: string; message: string; line?: number; column?: number };

export { BYTE_CAPS, INPUT_LIMITS, tooBigMessage, type ByteCap };

/** The size refusal, for readers that check the size themselves (the CLI, the page's upload). */
export function tooBigIssue(bytes: number | null, cap: ByteCap = 'input'): InputProblem {
  return { path: '(file)', message: tooBigMessage(bytes, cap) };
}

/** Problems bounded for display: each distinct (path, message) once, at most `max`, then a count. */
export function issuesBounded<T extends InputProblem>(issues: readonly T[], max: number = INPUT_LIMITS.maxIssues): T[] {
  const seen = new Set<string>();
  const distinct: T[] = [];
  let repeated = 0;
  for (const i of issues) {
    const k = `${i.message}\u0000${i.path.replace(/line \d+, column \d+/, '')}`;
    if (seen.has(k)) repeated++;
    else {
      seen.add(k);
      distinct.push(i);
    }
  }
  if (distinct.length <= max && repeated === 0) return distinct;
  const shown = distinct.slice(0, max);
  const more = issues.length - shown.length;
  return more > 0 ? [...shown, { path: '(file)', message: `… and ${more} more problem${more === 1 ? '' : 's'} (${repeated > 0 ? 'repeats of the above and others' : 'not shown'})` } as T] : shown;
}

/** Sets `obj[key] = value` as an own property, also for `__proto__` (never the prototype). */
export function ownSet<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** The lexer pass: tokens and flow depth counted, stopping at the first bound crossed. */
function lexicalCheck(text: string): InputProblem | null {
  let tokens = 0;
  let depth = 0;
  let lineIndicators = 0; // `- - - x` nests a block sequence per indicator on one line
  for (const token of new Lexer().lex(text)) {
    const c = token.charCodeAt(0);
    if (c === 0x0a || c === 0x0d) lineIndicators = 0;
    else if ((token === '-' || token === '?') && depth === 0 && ++lineIndicators > INPUT_LIMITS.maxDepth) return deepIssue();
    // Spaces, tabs, newlines and comments cost little; everything else is (part of) a node.
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x23) continue;
    if (++tokens > INPUT_LIMITS.maxTokens) return { path: '(file)', message: `expected at most ${INPUT_LIMITS.maxTokens.toLocaleString('en')} YAML nodes, got more; is this the right file?` };
    if (token === '[' || token === '{') {
      if (++depth > INPUT_LIMITS.maxDepth) return deepIssue();
    } else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
  }
  return null;
}

const deepIssue = (path = '(file)'): InputProblem => ({ path, message: deepMessage });

/** Expanded size and depth of the document, iteratively (no recursion on user data). */
function structuralCheck(doc: Document.Parsed, counter: LineCounter): InputProblem | null {
  const sizes = new Map<Node, number>(); // anchored node → its size with aliases expanded
  /** The expanded size of `root`; 'deep', 'over' (past the budget) or 'recursive' when refused. */
  const expandedSize = (root: Node): number | 'deep' | 'over' | 'recursive' | InputProblem => {
    const stack: Array<[Node, number]> = [[root, 1]];
    let size = 0;
    while (stack.length > 0) {
      const [n, depth] = stack.pop()!;
      if (depth > INPUT_LIMITS.maxDepth) return 'deep';
      if (isAlias(n)) {
        const target = n.resolve(doc);
        if (!target) return unresolvedIssue(n.source, n.range?.[0], counter);
        const known = sizes.get(target);
        if (known === undefined) return 'recursive';
        size += known;
      } else {
        size += 1;
        if (isCollection(n)) {
          for (const item of n.items) {
            if (isPair(item)) {
              if (isNodeLike(item.key)) stack.push([item.key, depth + 1]);
              if (isNodeLike(item.value)) stack.push([item.value, depth + 1]);
            } else if (isNodeLike(item)) stack.push([item, depth + 1]);
          }
        }
      }
      if (size > INPUT_LIMITS.maxExpandedNodes) return 'over';
    }
    return size;
  };
  // Every anchored node, measured in the order its text ends: an alias names an anchor that was
  // complete before it, so its target is always measured first (unless it is its own ancestor).
  const anchored: Node[] = [];
  const walk: unknown[] = [doc.contents];
  while (walk.length > 0) {
    const n = walk.pop();
    if (!isNodeLike(n)) continue;
    if (!isAlias(n) && n.anchor) anchored.push(n);
    if (isCollection(n))
      for (const item of n.items) {
        if (isPair(item)) walk.push(item.key, item.value);
        else walk.push(item);
      }
  }
  anchored.sort((a, b) => (a.range?.[1] ?? 0) - (b.range?.[1] ?? 0));
  for (const node of [...anchored, ...(isNodeLike(doc.contents) ? [doc.contents] : [])]) {
    const s = expandedSize(node);
    if (s === 'deep') return deepIssue();
    if (s === 'over') return aliasIssue();
    if (s === 'recursive') return { path: '(file)', message: 'an alias (*name) refers to the mapping or list it is in; expected plain data' };
    if (typeof s === 'object') return s;
    sizes.set(node, s);
  }
  return null;
}

/** An alias whose anchor is not set before it (the library throws on it in toJS, without a place). */
function unresolvedIssue(name: string, offset: number | undefined, counter: LineCounter): InputProblem {
  const message = `the alias *${name} names no anchor set before it; expected &${name} earlier in the file`;
  if (offset === undefined) return { path: '(file)', message };
  const { line, col } = counter.linePos(offset);
  return { path: `line ${line}, column ${col}`, message, line, column: col };
}

const isNodeLike = (v: unknown): v is Node => isAlias(v) || isScalar(v) || isCollection(v);

const aliasIssue = (): InputProblem => ({ path: '(file)', message: `its aliases (*name) expand to more than ${INPUT_LIMITS.maxExpandedNodes.toLocaleString('en')} nodes; expected a plan or compose file that reuses anchors a few times` });

/** A text parsed under the policy: the text, its document (positions kept for errors) and its data. */
export type ParsedInput = { text: string; doc: Document.Parsed; counter: LineCounter; data: unknown };

/**
 * Parses YAML or JSON text once, under INPUT_LIMITS: `<<` merge keys resolved (compose files use
 * them; a plan file may), duplicate keys refused, aliases resolved without copying. Never throws.
 */
export function inputParse(text: string): { ok: true; parsed: ParsedInput } | { ok: false; issues: InputProblem[] } {
  if (typeof text !== 'string') return { ok: false, issues: [{ path: '(file)', message: 'expected text' }] };
  if (text.length > INPUT_LIMITS.maxBytes) return { ok: false, issues: [tooBigIssue(text.length)] };
  try {
    const lexical = lexicalCheck(text);
    if (lexical) return { ok: false, issues: [lexical] };
    const counter = new LineCounter();
    // uniqueKeys is checked by duplicateKeys() below: the library's own check is quadratic in a
    // map's size (measured: 11 s for a 26,000-service file against 2.7 s without it).
    const doc = parseDocument(text, { merge: true, uniqueKeys: false, lineCounter: counter, prettyErrors: true });
    if (doc.errors.length === 0) doc.errors.push(...duplicateKeys(doc, counter));
    if (doc.errors.length > 0) return { ok: false, issues: issuesBounded(doc.errors.map(yamlIssue)) };
    const structural = structuralCheck(doc, counter);
    if (structural) return { ok: false, issues: [structural] };
    // Aliases were counted above; the library resolves each to the same object (no copies).
    const data = doc.toJS({ maxAliasCount: -1 });
    return { ok: true, parsed: { text, doc, counter, data } };
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, issues: [deepIssue()] };
    return { ok: false, issues: [{ path: '(syntax)', message: (e instanceof Error ? e.message : String(e)).split('\n')[0]! }] };
  }
}

/**
 * A file an input names (a mounted prometheus.yml, mongod.conf, a ClickHouse config.yaml) parsed
 * under the same policy: its data, or an Error saying the first problem (its readers catch it
 * and warn that the file's settings are not imported). Never copies aliases.
 */
export function sideFileData(text: string): unknown {
  const r = inputParse(text);
  if (r.ok) return r.parsed.data;
  const first = r.issues[0]!;
  throw new Error(first.path.startsWith('line ') ? `${first.message} (${first.path})` : first.message);
}

function yamlIssue(e: YAMLError): InputProblem {
  if (/Maximum call stack/.test(e.message)) return deepIssue();
  const pos = e.linePos?.[0];
  const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
  return pos ? { path: `line ${pos.line}, column ${pos.col}`, message, line: pos.line, column: pos.col } : { path: '(syntax)', message };
}

/** Every repeated key of every mapping, as the yaml library's own uniqueKeys error, in linear time. */
function duplicateKeys(doc: Document, counter: LineCounter): YAMLError[] {
  const errors: YAMLError[] = [];
  const walk: unknown[] = [doc.contents];
  while (walk.length > 0) {
    const n = walk.pop();
    if (isMap(n)) {
      const seen = new Set<unknown>();
      for (const pair of n.items) {
        walk.push(pair.value);
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof k === 'symbol' || (k !== null && typeof k === 'object')) continue; // `<<` may repeat; complex keys are rare
        if (seen.has(k)) {
          const offset = (pair.key as { range?: [number, number] } | null)?.range?.[0] ?? 0;
          const error = new YAMLParseError([offset, offset + 1], 'DUPLICATE_KEY', `Map keys must be unique ("${String(k)}" appears twice)`);
          error.linePos = [counter.linePos(offset)];
          errors.push(error);
        } else seen.add(k);
      }
    } else if (isSeq(n)) walk.push(...n.items);
  }
  return errors.sort((a, b) => a.pos[0] - b.pos[0]);
}
