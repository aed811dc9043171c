/**
 * Where a finding's fix is written in the file it came from: the line of the compose file (or
 * plan file) that holds the setting to change. A limit points at `mem_limit` (or
 * `deploy.resources.limits.memory`), a setting read from a command at the flag in it, one read
 * from the environment at that variable, and a setting the file does not write at the service's
 * own line. SARIF results and JUnit test cases carry these positions, so that code-scanning UIs
 * annotate the right line. Positions are those of the key (`mem_limit:`), the word in a command,
 * or the service's name. Pure: the caller gives the text.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Change, Finding } from '../engine/index.ts';
import type { ServiceNote } from '../formats/compose-import/index.ts';

/** A 1-based line and column, and what is there in words (`services.db.mem_limit`). */
export type Where = { line: number; column: number; what: string };

export type SourceKind = 'compose' | 'plan';

type Path = Array<string | number>;
/** Depth bound for walking a service's nodes through aliases (as locate.ts bounds merges). */
const MAX_DEPTH = 20;

export class SourceLocator {
  private readonly counter = new LineCounter();
  private readonly doc: Document;

  /** `notes`: the compose import's notes per service (what was read from where), for compose files. */
  constructor(
    private readonly text: string,
    private readonly kind: SourceKind,
    private readonly notes: readonly ServiceNote[] = [],
  ) {
    this.doc = parseDocument(text, { merge: true, uniqueKeys: false, lineCounter: this.counter });
  }

  /**
   * Every place the finding's fix changes (one per setting). A change the file cannot hold (the
   * host's RAM or a feature toggle in a compose file, an unwritten toggle in a plan) and a fix
   * that changes nothing point at the finding's service, or at the stack.
   */
  finding(f: Finding): Where[] {
    const fallback = () => (f.service ? this.service(f.service) : this.stack());
    const all = f.fix.changes.length > 0 ? f.fix.changes.map((c) => this.change(c) ?? fallback()) : [fallback()];
    const seen = new Set<string>();
    return all.filter((w) => !seen.has(`${w.line}:${w.column}`) && seen.add(`${w.line}:${w.column}`));
  }

  /** The line of one setting change; null when the file has no place for it. */
  change(c: Change): Where | null {
    if (this.kind === 'plan') return this.planChange(c);
    if (c.service === undefined || !this.serviceKey(c.service)) return null;
    const svc = ['services', c.service];
    const keyPath = (keys: string[]) => this.own([...svc, ...keys]);
    if (c.key === 'limit') {
      return keyPath(['mem_limit']) ?? keyPath(['deploy', 'resources', 'limits', 'memory']) ?? this.service(c.service);
    }
    if (c.key === 'settings.shmSize') return keyPath(['shm_size']) ?? this.service(c.service);
    const setting = c.key.replace(/^settings\./, '');
    return this.readAt(c.service, setting) ?? this.service(c.service);
  }

  /** The service's own line (`  db:` in a compose file, `- name: db` in a plan). */
  service(name: string): Where {
    if (this.kind === 'plan') {
      const i = this.planIndex(name);
      return i < 0 ? this.stack() : this.planPath(['services', i], `services.${name}`);
    }
    const key = this.serviceKey(name);
    return key ? { ...this.pos(key.range![0]), what: `services.${name}` } : this.stack();
  }

  /** A finding about the whole stack: the plan's `host:`, the compose file's `services:`. */
  private stack(): Where {
    if (this.kind === 'plan') return this.planPath(['host'], 'host');
    const services = isMap(this.doc.contents) ? this.doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'services') : undefined;
    const at = (services?.key as Node | undefined)?.range?.[0];
    return at === undefined ? { line: 1, column: 1, what: '(file)' } : { ...this.pos(at), what: 'services' };
  }

  /** A service's setting: at the key, or at the deepest part of it the plan writes. Others only when written. */
  private planChange(c: Change): Where | null {
    const keys = c.key.split('.');
    if (c.service !== undefined) {
      const i = this.planIndex(c.service);
      return i < 0 ? null : this.planPath(['services', i, ...keys], `services.${c.service}.${c.key}`);
    }
    return this.own(keys) ? this.planPath(keys, c.key) : null;
  }

  /** The deepest key on `path` the plan writes (the top of the file when none). */
  private planPath(path: Path, what: string): Where {
    for (let n = path.length; n > 0; n--) {
      const key = this.keyAt(path.slice(0, n));
      if (key) return { ...this.pos(key.range![0]), what };
    }
    return { line: 1, column: 1, what: '(file)' };
  }

  /** The service's index in a plan file's list, by name; -1 when it is not listed (an implied service). */
  private planIndex(name: string): number {
    const seq = isMap(this.doc.contents) ? this.doc.contents.get('services', true) : undefined;
    if (!isSeq(seq)) return -1;
    return seq.items.findIndex((item) => isMap(item) && String(item.get('name')) === name);
  }

  /** The `name:` key node of a compose service. */
  private serviceKey(name: string): Node | undefined {
    const services = isMap(this.doc.contents) ? this.doc.contents.get('services', true) : undefined;
    if (!isMap(services)) return undefined;
    const pair = services.items.find((p) => isScalar(p.key) && String(p.key.value) === name);
    return (pair?.key as Node | undefined) ?? undefined;
  }

  /** The key at `path` when the file has it (own, through an alias or a merge key). */
  private own(path: Path): Where | null {
    const key = this.keyAt(path);
    return key ? { ...this.pos(key.range![0]), what: path.join('.') } : null;
  }

  /** The key node at the end of `path` (a map key, or a sequence item itself); undefined when absent. */
  private keyAt(path: Path): Node | undefined {
    let node: unknown = this.doc.contents;
    let key: Node | undefined;
    for (const k of path) {
      const hit = childOf(this.doc, node, k, 0);
      if (!hit) return undefined;
      [key, node] = hit;
    }
    return key?.range ? key : undefined;
  }

  /**
   * Where the import read a setting (its note: "maxmemory 96MiB from command --maxmemory 96mb"):
   * the first scalar of the service whose text holds the flag, variable or file it names, at that
   * word's own line (a multi-line command has its flags on several lines).
   */
  private readAt(service: string, setting: string): Where | null {
    const note = this.notes.find((n) => n.service === service)?.read.find((r) => r.startsWith(`${setting} `) && r.includes(' from '));
    if (!note) return null;
    const words = note.slice(note.indexOf(' from ') + 6).split(/\s+/).filter((w) => w && !['command', 'environment', '-c', 'and'].includes(w));
    const needles = [...words, ...words.map((w) => w.split('=')[0]!)].filter((w) => w.length > 1);
    const scalars = this.scalarsOf(['services', service]);
    for (const needle of needles) {
      for (const s of scalars) {
        const [start, end] = s.range!;
        const at = this.text.slice(start, end).indexOf(needle);
        if (at >= 0) return { ...this.pos(start + at), what: `services.${service}: ${words.join(' ')}` };
      }
    }
    return null;
  }

  /** Every scalar (keys and values) under a path, in document order, through aliases. */
  private scalarsOf(path: string[]): Node[] {
    let node: unknown = this.doc.contents;
    for (const key of path) node = childOf(this.doc, node, key, 0)?.[1];
    const out: Node[] = [];
    const walk = (n: unknown, depth: number) => {
      if (depth > MAX_DEPTH || n === null || n === undefined) return;
      if (isAlias(n)) return walk(n.resolve(this.doc), depth + 1);
      if (isScalar(n)) {
        if (n.range) out.push(n);
        return;
      }
      if (isSeq(n)) for (const item of n.items) walk(item, depth + 1);
      if (isMap(n)) {
        for (const pair of n.items) {
          if (!isPair(pair)) continue;
          walk(pair.key, depth + 1);
          walk(pair.value, depth + 1);
        }
      }
    };
    walk(node, 0);
    return out;
  }

  private pos(offset: number): { line: number; column: number } {
    const p = this.counter.linePos(offset);
    return { line: p.line, column: p.col };
  }
}

/**
 * A child by key, through aliases and `<<` merge keys (YAML's merge: the map's own keys first,
 * then its sources in order): the key node and the value. A sequence's item is its own key.
 */
function childOf(doc: Document, parent: unknown, key: string | number, depth: number): [Node, unknown] | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = isAlias(parent) ? parent.resolve(doc) : parent;
  if (isSeq(node)) {
    const item = typeof key === 'number' ? node.items[key] : undefined;
    return item ? [item as Node, item] : undefined;
  }
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && String(pair.key.value) === String(key)) return [pair.key, pair.value];
  }
  for (const pair of node.items) {
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (k !== '<<' && !(typeof k === 'symbol' && k.description === '<<')) continue;
    for (const src of isSeq(pair.value) ? pair.value.items : [pair.value]) {
      const hit = childOf(doc, src, key, depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}
