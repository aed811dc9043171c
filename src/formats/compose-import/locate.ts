/** Where a path of a compose document is in its text: line and column, through aliases and merge keys. */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type Position = { line: number; column: number };

/** The position of the deepest node on `path` that exists (the node itself when it does). */
export function locate(doc: Document, counter: LineCounter, path: ReadonlyArray<string | number>): Position | null {
  let node: unknown = doc.contents;
  let found: Position | null = at(node, counter);
  for (const key of path) {
    node = child(doc, node, key, 0);
    if (node === undefined) break;
    found = at(node, counter) ?? found;
  }
  return found;
}

function at(node: unknown, counter: LineCounter): Position | null {
  const range = (node as Node | null)?.range;
  if (!range) return null;
  const p = counter.linePos(range[0]);
  return { line: p.line, column: p.col };
}

/** The child of a map or sequence, following aliases and `<<` merge keys (depth-bounded). */
function child(doc: Document, parent: unknown, key: string | number, depth: number): unknown {
  if (depth > 20) return undefined;
  const node = isAlias(parent) ? parent.resolve(doc) : parent;
  if (isSeq(node)) return typeof key === 'number' ? node.items[key] : undefined;
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof k !== 'symbol' && (k === key || String(k) === String(key))) return pair.value ?? pair.key;
  }
  // Not the map's own key: look in what `<<` merges in (later sources first lose, as YAML merge says).
  for (const pair of node.items) {
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    // With merge keys on, the yaml library gives `<<` as a symbol.
    if (k !== '<<' && !(typeof k === 'symbol' && k.description === '<<')) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const src of sources) {
      const hit = child(doc, src, key, depth + 1);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}
