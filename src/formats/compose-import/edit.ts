/**
 * The round trip: a plan written back into the compose file it was imported from. Only what the
 * plan changed is touched — memory limits (`mem_limit`, `deploy.resources.limits.memory`, with
 * `memswap_limit` kept in step), the CPU cap (`cpus`, `deploy.resources.limits.cpus`), `shm_size`, and the memory flags each kind's module
 * (formats/kinds/) writes into its command (PostgreSQL `-c`, Redis `--maxmemory…`) — and the
 * services the plan adds are appended. Every
 * other key, comment, anchor, quote style and the key order stay as they were: the edit goes
 * through the yaml library's Document, never through text templates.
 */
import { Document, isAlias, isMap, isPair, isScalar, isSeq, Scalar, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { planWithFeatures } from '../../engine/features.ts';
import type { Plan, Service } from '../../engine/schema.ts';
import { formatOf } from '../kinds/index.ts';
import type { FlagSyntax } from '../kinds/kind.ts';
import { composeImport, type ComposeImportOptions, type ComposeIssue } from './import.ts';
import { inputParse, issuesBounded, type ParsedInput } from '../input-policy.ts';
import { envTextParse, interpolate } from './interpolate.ts';
import { commandWords, imageRepository } from './words.ts';
import { composeSizeFormat, composeSizeParse } from './size.ts';

export type ComposeEditResult =
  | { ok: true; text: string; changes: string[]; notes: string[] }
  | { ok: false; issues: ComposeIssue[] };

/** Options: the same environment the import used, so that the baseline is the same. */
export type ComposeEditOptions = Pick<ComposeImportOptions, 'envText' | 'environment' | 'profiles' | 'readFile'>;

type Key = string;
/** toJS options for the document's nodes: the input policy already bounded what its aliases
 * expand to (INPUT_LIMITS.maxExpandedNodes) and toJS resolves them without copying, so the
 * library's own alias count (which refused some files the policy accepts) is off. */
const ALIASES_BOUNDED = { maxAliasCount: -1 } as const;
const EPSILON_MIB = 1 / 1024; // assumed: differences under 1 KiB are rounding, not a change

/**
 * `original` (compose text, or that text already parsed under the input policy) with `plan`'s
 * memory settings and added services. The plan is compared with what `original` imports to, so
 * a value the plan left alone is not rewritten. The edit is a list of text patches at node
 * positions the yaml library reports: every byte outside a changed value or an added key is the
 * original's. The text is parsed once (issue 17): the import and the edit read the same document.
 */
export function composeEdit(original: string | ParsedInput, plan: Plan, options: ComposeEditOptions = {}): ComposeEditResult {
  let parsed: ParsedInput;
  if (typeof original === 'string') {
    const r = inputParse(original);
    if (!r.ok) return { ok: false, issues: issuesBounded(r.issues) };
    parsed = r.parsed;
  } else parsed = original;
  const base = composeImport(parsed, { ...options, host: plan.host.ram });
  if (!base.ok) return { ok: false, issues: base.issues };
  const editor = new Editor(parsed, options);
  const before = new Map(base.plan.services.map((s) => [s.name, s]));
  const full = planWithFeatures(plan);
  for (const s of full.services) {
    const old = before.get(s.name);
    if (old) editor.service(s, old);
    else editor.add(s, full.services, full.implied.has(s.name));
  }
  for (const name of before.keys()) {
    if (!full.services.some((s) => s.name === name)) editor.notes.push(`${name} is in the compose file but not in the plan: left as it is`);
  }
  return { ok: true, text: editor.text(), changes: editor.changes, notes: editor.notes };
}

/** The file's own indentation and sequence style, for the keys the edit adds. */
function styleOf(text: string): { indent: number; indentSeq: boolean } {
  const indent = /\n( +)\S/.exec(text)?.[1]?.length ?? 2;
  // `key:\n- item` (items at the key's indentation) rather than `key:\n  - item`.
  const flatSeq = /(^|\n)( *)[^\s#-][^\n]*:[ \t]*\n\2- /.test(text);
  return { indent: Math.min(Math.max(indent, 1), 8), indentSeq: !flatSeq };
}

/** `rank`: at one offset, lower ranks come first in the output (items of a sequence before keys added after it). */
type Patch = { start: number; end: number; text: string; order: number; rank: number };

class Editor {
  readonly changes: string[] = [];
  readonly notes: string[] = [];
  private readonly env: Record<string, string>;
  private readonly patches: Patch[] = [];
  private readonly style: { indent: number; indentSeq: boolean };
  private readonly doc: Document;
  private readonly source: string;
  /** The document's data as the input policy converted it (aliases resolved, not copied). */
  private readonly data: unknown;

  constructor(parsed: ParsedInput, options: ComposeEditOptions) {
    this.doc = parsed.doc;
    this.source = parsed.text;
    this.data = parsed.data;
    const fromText = options.envText === undefined ? {} : envTextParse(options.envText, options.environment ?? {}).env;
    // An empty value counts as unset for `${VAR:-default}`, the form the edit writes.
    this.env = Object.fromEntries(Object.entries({ ...fromText, ...(options.environment ?? {}) }).filter(([, v]) => v !== ''));
    this.style = styleOf(this.source);
  }

  /** The edited text: the patches applied back to front (insertions at one place in order). */
  text(): string {
    let out = this.source;
    const sorted = [...this.patches].sort((a, b) => b.start - a.start || b.rank - a.rank || b.order - a.order);
    for (const p of sorted) out = out.slice(0, p.start) + p.text + out.slice(p.end);
    return out;
  }

  private patch(start: number, end: number, text: string, rank = 0): void {
    this.patches.push({ start, end, text, order: this.patches.length, rank });
  }

  /** Writes one existing service's changed settings. */
  service(s: Service, old: Service): void {
    const svcPath: Key[] = ['services', s.name];
    if (!differs(s.limit, old.limit)) {
      // unchanged: leave it exactly as written
    } else if (s.limit === null) {
      this.notes.push(`${s.name}: the plan has no limit where the compose file has one; the limit was left as it is`);
    } else this.limit(s.name, s.limit, old.limit);

    if (!differs(s.cpus, old.cpus)) {
      // unchanged: leave it exactly as written
    } else if (s.cpus === undefined) {
      this.notes.push(`${s.name}: the plan has no CPU cap where the compose file has one; cpus was left as it is`);
    } else this.cpus(s.name, s.cpus);

    if (s.kind === old.kind) {
      // shm_size, for the kinds whose settings have it (PostgreSQL's /dev/shm).
      const shm = { now: settingOf(s, 'shmSize'), was: settingOf(old, 'shmSize') };
      if (shm.now !== undefined && differs(shm.now, shm.was)) this.set([...svcPath, 'shm_size'], (raw) => sizeLike(raw, shm.now!));
      const edit = formatOf(s.kind).edit;
      const image = this.resolvedValue(['services', s.name, 'image']);
      const ctx = { changed: differs, notes: this.notes, command: this.commandOf(s.name), environment: this.environmentOf(s.name), image: typeof image === 'string' ? imageRepository(this.interpolated(image)) : '' };
      const flags = edit?.flags?.(s as never, old as never, ctx) ?? [];
      // One edit of the command for all flags: the patches are made against the original text.
      if (edit?.syntax && flags.length) this.flags(s.name, edit.syntax, edit.defaultCommand ?? (() => null), flags);
      this.envSetAll(s.name, edit?.env?.(s as never, old as never, ctx) ?? []);
    }
    if (s.kind !== old.kind) this.notes.push(`${s.name}: the plan treats it as ${s.kind}, the compose file as ${old.kind}; only its limit was written`);
  }

  /** The memory limit, where the service sets it; else in the file's own style. */
  private limit(name: string, mib: number, old: number | null): void {
    const svc = ['services', name];
    const hasDeploy = this.resolved([...svc, 'deploy', 'resources', 'limits', 'memory']) !== undefined;
    const hasMem = this.resolved([...svc, 'mem_limit']) !== undefined;
    const style = hasDeploy || hasMem ? { deploy: hasDeploy, mem: hasMem } : this.limitStyle();
    if (style.deploy) this.set([...svc, 'deploy', 'resources', 'limits', 'memory'], (raw) => sizeLike(raw, mib, true));
    if (style.mem) this.set([...svc, 'mem_limit'], (raw) => sizeLike(raw, mib));
    // memswap_limit equal to the limit means "no swap"; below the limit compose refuses it.
    const swap = this.resolved([...svc, 'memswap_limit']);
    if (swap !== undefined && isScalar(swap)) {
      const r = composeSizeParse(swap.value);
      if (r.ok && (old === null || !differs(r.value, old) || r.value < mib)) this.set([...svc, 'memswap_limit'], (raw) => sizeLike(raw, mib));
    }
  }

  /**
   * The CPU cap where the service sets it (`cpus`, `deploy.resources.limits.cpus`, both when both:
   * compose refuses the two unequal); else beside its memory limit (deploy when that is in deploy),
   * else in the file's limit style. A value keeps its type: deploy's is a string in the compose
   * spec ("0.50"), the short key's a number, unless written otherwise.
   */
  private cpus(name: string, cpus: number): void {
    const svc = ['services', name];
    const deployPath = [...svc, 'deploy', 'resources', 'limits', 'cpus'];
    const hasDeploy = this.resolved(deployPath) !== undefined;
    const hasShort = this.resolved([...svc, 'cpus']) !== undefined;
    const memDeploy = this.resolved([...svc, 'deploy', 'resources', 'limits', 'memory']) !== undefined;
    const memShort = this.resolved([...svc, 'mem_limit']) !== undefined;
    const deploy = hasDeploy || hasShort ? hasDeploy : memDeploy || memShort ? memDeploy : this.limitStyle().deploy;
    const like = (raw: unknown, fresh: 'string' | 'number') => ((raw === undefined ? fresh === 'string' : typeof raw === 'string') ? String(cpus) : cpus);
    if (deploy) this.set(deployPath, (raw) => like(raw, 'string'));
    if (hasShort || !deploy) this.set([...svc, 'cpus'], (raw) => like(raw, 'number'));
  }

  /** Where this file writes limits: 2.x files and mem_limit users get mem_limit; deploy users deploy. */
  private limitStyle(): { deploy: boolean; mem: boolean } {
    const data = (this.data ?? {}) as { version?: unknown; services?: Record<string, Record<string, unknown>> };
    if (/^\s*2/.test(String(data.version ?? ''))) return { deploy: false, mem: true };
    let deploy = 0;
    let mem = 0;
    for (const s of Object.values(data.services ?? {})) {
      if (s && typeof s === 'object') {
        if ((s.deploy as { resources?: { limits?: { memory?: unknown } } } | undefined)?.resources?.limits?.memory !== undefined) deploy++;
        if (s.mem_limit !== undefined) mem++;
      }
    }
    // mem_limit by default: Compose v1 and v2 both apply it (v1 ignores deploy without --compatibility).
    return deploy > mem ? { deploy: true, mem: false } : { deploy: false, mem: true };
  }

  /** The service's entrypoint + command as words, interpolated as the import read them. */
  private commandOf(name: string): string[] {
    const text = (v: unknown) => (typeof v === 'string' ? this.interpolated(v) : Array.isArray(v) ? v.map((x) => this.interpolated(String(x))) : v);
    const node = (key: string) => this.resolved(['services', name, key]);
    const js = (n: Node | undefined) => (n === undefined ? undefined : isScalar(n) ? n.value : n.toJS(this.doc, ALIASES_BOUNDED));
    return commandWords(text(js(node('entrypoint'))), text(js(node('command'))));
  }

  /** The service's own environment (map or NAME=value list), interpolated. */
  private environmentOf(name: string): Record<string, string> {
    const node = this.resolved(['services', name, 'environment']);
    const out: Record<string, string> = {};
    if (isSeq(node)) {
      for (const item of node.items) {
        const raw = isScalar(item) ? String(item.value) : '';
        const eq = raw.indexOf('=');
        if (eq > 0) out[raw.slice(0, eq)] = this.interpolated(raw.slice(eq + 1));
        else if (raw && this.env[raw] !== undefined) out[raw] = this.env[raw]!;
      }
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : '';
        const v = isScalar(pair.value) ? pair.value.value : isAlias(pair.value) ? pair.value.resolve(this.doc) : pair.value;
        if (!k) continue;
        if (v === null || v === undefined) {
          if (this.env[k] !== undefined) out[k] = this.env[k]!;
        } else out[k] = this.interpolated(String(isScalar(v) ? v.value : v));
      }
    }
    return out;
  }

  private interpolated(text: string): string {
    const r = interpolate(text, this.env);
    return r.ok ? r.value : text;
  }

  /**
   * Sets several environment keys of one service. The patches are made against the original text,
   * so where the service has no `environment:` of its own (none, or one shared through an anchor or
   * merge key), one mapping holding every key is added: key by key, each would add its own
   * `environment:` and the file would no longer parse.
   */
  private envSetAll(name: string, pairs: ReadonlyArray<readonly [string, string]>): void {
    const svc = this.doc.getIn(['services', name], true);
    const own = isMap(svc) ? ownPair(svc, 'environment') : undefined;
    const inherited = this.resolved(['services', name, 'environment']);
    if (pairs.length < 2 || own || isSeq(inherited) || (inherited !== undefined && !isMap(inherited))) {
      for (const [key, value] of pairs) this.envSet(name, key, value);
      return;
    }
    const base = inherited === undefined ? {} : (inherited.toJS(this.doc, ALIASES_BOUNDED) as Record<string, unknown>);
    const merged = { ...base, ...Object.fromEntries(pairs) };
    this.set(['services', name, 'environment'], () => merged, false, undefined, `services.${name}.environment: ${pairs.map(([k, v]) => `${k}=${v}`).join(', ')} (added)`);
  }

  /**
   * Sets `key` in the service's environment: a mapping's value (added when missing), a
   * `NAME=value` list item (appended when missing), or a new `environment:` mapping. A value
   * written as `${VAR:-default}` keeps its variable with the new default.
   */
  private envSet(name: string, key: string, value: string): void {
    const where = `services.${name}.environment.${key}`;
    const svc = this.doc.getIn(['services', name], true);
    const own = isMap(svc) ? ownPair(svc, 'environment') : undefined;
    const node = this.resolved(['services', name, 'environment']);
    if (isSeq(node)) {
      if (!own || isAlias(own.value)) {
        this.notes.push(`${where}: the environment list is shared through an anchor; set ${key}=${value} by hand`);
        return;
      }
      const at = node.items.findIndex((n) => isScalar(n) && (String(n.value).startsWith(`${key}=`) || String(n.value) === key));
      if (at < 0) {
        this.insertItems(node, node.items.length - 1, [`${key}=${value}`]);
        this.changes.push(`${where}: ${value} (added)`);
        return;
      }
      const item = node.items[at] as Scalar;
      const raw = String(item.value);
      const was = raw.includes('=') ? raw.slice(raw.indexOf('=') + 1) : '';
      if (!raw.includes('=')) this.notes.push(`${where}: was passed through from the shell or .env; the compose file now sets it`);
      this.scalarSet(item, `${key}=${this.keepVariable(was, value, where)}`);
      this.changes.push(`${where}: ${was || '(from the shell)'} → ${value}`);
      return;
    }
    this.set(['services', name, 'environment', key], () => value);
  }

  /** Flags in the service's command, in its kind's syntax. */
  private flags(name: string, syntax: FlagSyntax, defaultCommand: (image: string) => string | null, flags: Array<[string, string[]]>): void {
    if (syntax === 'dash-c') this.dashCFlags(name, defaultCommand, flags.map(([param, values]) => [param, values[0] ?? '']));
    else if (syntax === 'double-dash-one') this.doubleDashOneFlags(name, defaultCommand, flags.map(([flag, values]) => [flag, values[0] ?? '']));
    else if (syntax === 'options') this.optionFlags(name, defaultCommand, flags.map(([param, values]) => [param, values[0] ?? '']));
    else this.doubleDashFlags(name, defaultCommand, flags);
  }

  /** `--name value` options of exactly one value: the value after the flag replaced (the words after it are the app's), or the flag appended. */
  private doubleDashOneFlags(name: string, defaultCommand: (image: string) => string | null, flags: Array<[string, string]>): void {
    const label = flags.map(([f, v]) => `--${f} ${v}`).join(' ');
    this.command(name, label, defaultCommand, (words) => {
      let out = [...words];
      for (const [flag, value] of flags) {
        const i = out.findIndex((w) => w.toLowerCase() === `--${flag}`);
        if (i < 0 || i + 1 >= out.length) out = [...out.filter((_w, k) => k !== i), `--${flag}`, value];
        else out.splice(i + 1, 1, this.keepVariable(out[i + 1]!, value, `services.${name}.command`));
      }
      return out;
    });
  }

  /** GNU-style options (`--name=value`, `--name value`, `-s value`, `-svalue`), each flag given as its forms `--name|-s`. */
  private optionFlags(name: string, defaultCommand: (image: string) => string | null, flags: Array<[string, string]>): void {
    const where = `services.${name}.command`;
    const norm = (w: string) => (w.startsWith('--') ? w.replace(/_/g, '-').toLowerCase() : w);
    const label = flags.map(([forms, value]) => (forms.split('|')[0]!.startsWith('--') ? `${forms.split('|')[0]}=${value}` : `${forms.split('|')[0]} ${value}`)).join(' ');
    this.command(name, label, defaultCommand, (words) => {
      const out = [...words];
      for (const [spec, value] of flags) {
        const forms = spec.split('|').map(norm);
        let done = false;
        for (let i = 0; i < out.length && !done; i++) {
          const w = norm(out[i]!);
          for (const f of forms) {
            if (w === f && i + 1 < out.length && !out[i + 1]!.startsWith('-')) {
              out[i + 1] = this.keepVariable(out[i + 1]!, value, where);
              done = true;
            } else if (f.startsWith('--') && w.startsWith(`${f}=`)) {
              const at = out[i]!.indexOf('=') + 1;
              out[i] = `${out[i]!.slice(0, at)}${this.keepVariable(out[i]!.slice(at), value, where)}`;
              done = true;
            } else if (!f.startsWith('--') && w.startsWith(f) && w.length > f.length && !w.startsWith('--')) {
              out[i] = `${f}${value}`;
              done = true;
            }
            if (done) break;
          }
        }
        if (!done) {
          const first = spec.split('|')[0]!;
          if (first.startsWith('--')) out.push(`${first}=${value}`);
          else out.push(first, value);
        }
      }
      return out;
    });
  }

  /** `-c name=value` flags (PostgreSQL) in the command: each edited in place, or appended. */
  private dashCFlags(name: string, defaultCommand: (image: string) => string | null, flags: Array<[string, string]>): void {
    const where = `services.${name}.command`;
    const label = flags.map(([param, value]) => `-c ${param}=${value}`).join(' ');
    this.command(name, label, defaultCommand, (words) => {
      let out = [...words];
      for (const [param, value] of flags) {
        const re = new RegExp(`^(?:-c\\s*|--)(${param.replace(/_/g, '[-_]')})=`, 'i');
        const at = out.findIndex((w, i) => (w === '-c' && re.test(`-c${out[i + 1] ?? ''}`)) || re.test(w));
        if (at < 0) {
          out = [...out, '-c', `${param}=${value}`];
          continue;
        }
        const i = out[at] === '-c' ? at + 1 : at;
        const w = out[i]!;
        out[i] = `${w.slice(0, w.indexOf('=') + 1)}${this.keepVariable(w.slice(w.indexOf('=') + 1), value, where)}`;
      }
      return out;
    });
  }

  /** `--flag value…` flags (Redis) in the command: their values replaced in place, or appended. */
  private doubleDashFlags(name: string, defaultCommand: (image: string) => string | null, flags: Array<[string, string[]]>): void {
    const label = flags.map(([f, v]) => `--${f} ${v.map((x) => (x === '' ? '""' : x)).join(' ')}`).join(' ');
    this.command(name, label, defaultCommand, (words) => {
      let out = [...words];
      for (const [flag, values] of flags) {
        const i = out.findIndex((w) => w.toLowerCase() === `--${flag}`);
        let count = 0;
        while (i >= 0 && i + 1 + count < out.length && !out[i + 1 + count]!.startsWith('--')) count++;
        if (i < 0 || count === 0) {
          out = [...out, `--${flag}`, ...values];
          continue;
        }
        const replacement = count === 1 && values.length === 1 ? [this.keepVariable(out[i + 1]!, values[0]!, `services.${name}.command`)] : values;
        out.splice(i + 1, count, ...replacement);
      }
      return out;
    });
  }

  /**
   * Rewrites the service's `command` with `edit` (given its words): a command string keeps its
   * text outside the changed words, a list keeps its other items. With no command, adds one
   * when the kind knows the image's default command (an official image running its server).
   */
  private command(name: string, label: string, defaultCommand: (image: string) => string | null, edit: (words: string[]) => string[]): void {
    const where = `services.${name}.command`;
    const node = this.resolved(['services', name, 'command']);
    if (node === undefined) {
      const image = String(this.resolvedValue(['services', name, 'image']) ?? '');
      const bin = defaultCommand(image);
      if (bin !== null) {
        const next = edit([bin]);
        this.set(['services', name, 'command'], () => next.join(' '), false, undefined, `${where}: ${next.join(' ')} (added; the image's default command was ${bin})`);
      } else this.notes.push(`services.${name}: set ${label} by hand (the default command of image ${image || '(built)'} is not known)`);
      return;
    }
    if (isSeq(node)) {
      const words = node.items.map((n) => (isScalar(n) ? String(n.value) : ''));
      const next = edit([...words]);
      this.set(['services', name, 'command'], () => next, false, (seq) => this.seqEdit(seq as YAMLSeq, words, next), `${where}: ${wordsChange(words, next)}`);
      return;
    }
    if (isScalar(node) && typeof node.value === 'string') {
      const text = node.value;
      const spans = wordSpans(text);
      const words = spans.map((x) => x.word);
      const next = edit([...words]);
      this.set(['services', name, 'command'], () => spliceWords(text, spans, words, next), false, undefined, `${where}: ${wordsChange(words, next)}`);
      return;
    }
    this.notes.push(`${where}: not a string or a list; set ${label} by hand`);
  }

  /** Edits a sequence's items in place: the differing middle rewritten item by item, extra items inserted or removed. */
  private seqEdit(seq: YAMLSeq, before: string[], after: string[]): boolean {
    if (!seq.items.every((n) => isScalar(n) && n.range)) return false;
    let same = 0;
    while (same < before.length && same < after.length && before[same] === after[same]) same++;
    let tail = 0;
    while (tail < before.length - same && tail < after.length - same && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
    if (after.length >= before.length) {
      // Items changed in place and items appended (the usual flag edit): touch only those.
      before.forEach((w, i) => {
        if (w !== after[i]) this.scalarSet(seq.items[i] as Scalar, after[i]!);
      });
      if (after.length > before.length) this.insertItems(seq, before.length - 1, after.slice(before.length));
      return true;
    }
    const removed = before.length - same - tail;
    const inserted = after.slice(same, after.length - tail);
    const common = Math.min(removed, inserted.length);
    for (let k = 0; k < common; k++) this.scalarSet(seq.items[same + k] as Scalar, inserted[k]!);
    if (inserted.length > common) this.insertItems(seq, same + common - 1, inserted.slice(common));
    if (removed > common) this.removeItems(seq, same + common, removed - common);
    return true;
  }

  /**
   * The new value for a value written as `raw`: a `${VAR:-default}` (or `${VAR}`) keeps its
   * variable with the new default, and a note says when the variable is set and so still wins.
   */
  private keepVariable(raw: string, value: string, where: string): string {
    const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-[^}]*)?\}$|^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(raw.trim());
    if (!m) {
      if (raw.includes('$')) this.notes.push(`${where}: ${raw} was written with variables; it is now the literal ${value}`);
      return value;
    }
    const variable = m[1] ?? m[3]!;
    const op = m[2] === undefined || m[2].startsWith(':-') ? ':-' : '-';
    if (this.env[variable] !== undefined) this.notes.push(`${where}: \${${variable}} is set (${this.env[variable]}) in the environment or .env and still wins: change it there to ${value}`);
    return `\${${variable}${op}${value}}`;
  }

  /**
   * Sets the value at `path` in the service's own keys: a scalar in place, or (when a mapping on
   * the way is an alias or comes from a merge key) a copy of it with the value set, so that the
   * edit does not reach other services sharing the anchor. `inPlace` may edit a node itself.
   * Every way it edits pushes one line to `changes` (`change` when given, as for a command whose
   * words the caller describes): the change report lists every edit.
   */
  private set(path: Key[], value: (raw: unknown) => unknown, keepVar = true, inPlace?: (node: Node) => boolean, change?: string): void {
    const where = path.join('.');
    let map: unknown = this.doc.contents;
    for (let i = 0; i < path.length; i++) {
      if (!isMap(map)) return;
      const key = path[i]!;
      const rest = path.slice(i + 1);
      const pair = ownPair(map, key);
      const last = rest.length === 0;
      if (pair && last) {
        const raw = isScalar(pair.value) ? pair.value.value : undefined;
        const next = value(raw);
        if (inPlace && pair.value && !isAlias(pair.value) && inPlace(pair.value as Node)) {
          this.changes.push(change ?? `${where}: changed`);
          return;
        }
        if (isScalar(pair.value) && (typeof next === 'string' || typeof next === 'number')) {
          this.scalarSet(pair.value, typeof next === 'string' && keepVar ? this.keepVariable(String(raw ?? ''), next, where) : next);
          this.changes.push(change ?? `${where}: ${String(raw)} → ${String(next)}`);
        } else {
          this.replaceValue(pair, next);
          this.changes.push(change ?? `${where}: ${Array.isArray(next) ? next.join(' ') : String(next)}${isAlias(pair.value) ? ' (own copy of a shared value)' : ''}`);
        }
        return;
      }
      if (pair && isMap(pair.value)) {
        map = pair.value;
        continue;
      }
      const inherited = this.resolved(path.slice(0, i + 1));
      if (pair && !isAlias(pair.value)) return; // a scalar where a mapping should be: leave it
      const newValue = value(this.resolvedValue(path));
      const next = last ? newValue : deepSet(inherited === undefined ? {} : inherited.toJS(this.doc, ALIASES_BOUNDED), rest, newValue);
      if (inherited !== undefined) this.notes.push(`${path.slice(0, i + 1).join('.')}: was shared through an anchor or merge key; this service now has its own copy`);
      if (pair) this.replaceValue(pair, next);
      else this.addKey(map, key, next);
      this.changes.push(change ? `${change}${inherited === undefined ? '' : ' (own copy)'}` : `${where}: ${Array.isArray(newValue) ? newValue.join(' ') : String(newValue)}${inherited === undefined ? ' (added)' : ' (own copy)'}`);
      return;
    }
  }

  /** Rewrites a scalar's text, in the quoting style it was written in. */
  private scalarSet(node: Scalar, value: unknown): void {
    const [start, end] = node.range ?? [0, 0];
    if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') {
      // A block scalar (`command: >` and its indented lines) becomes one flow scalar on the key's
      // line; its range ends with the line break, which the next key needs. For a command the
      // words are what counts: compose splits the string like a shell.
      const text = this.render(new Scalar(typeof value === 'string' ? value.replace(/\n+$/, '') : value), true);
      this.patch(start, end, this.source[end - 1] === '\n' ? `${text}\n` : text);
      return;
    }
    const scalar = new Scalar(value);
    if (typeof value === 'string' && node.type) scalar.type = node.type;
    this.patch(start, end, this.render(scalar, true));
  }

  /** Replaces a pair's value node (an alias, a collection) by `value` written in flow style. */
  private replaceValue(pair: Pair, value: unknown): void {
    const node = pair.value as Node | null;
    const [start, end] = node?.range ?? [0, 0];
    const created = this.doc.createNode(value);
    if (isMap(created) || isSeq(created)) created.flow = true;
    this.patch(start, end, this.render(created, true));
  }

  /** Adds `key: value` at the end of a mapping (before `}` for a flow mapping). */
  private addKey(map: YAMLMap, key: string, value: unknown, comment?: string[]): void {
    const [start, end] = map.range ?? [0, 0];
    if (map.flow) {
      const close = this.source.lastIndexOf('}', end);
      const empty = map.items.length === 0;
      const created = this.doc.createNode(value);
      if (isMap(created) || isSeq(created)) created.flow = true;
      this.patch(close, close, `${empty ? '' : ', '}${this.render(this.doc.createNode(key), true)}: ${this.render(created, true)}`);
      return;
    }
    const column = this.columnOf(map.items[0]?.key as Node | undefined ?? map, start);
    const body = this.render(this.doc.createNode({ [key]: value }), false);
    const lines = [...(comment ?? []).map((c) => `# ${c}`), ...body.replace(/\n$/, '').split('\n')];
    const pad = ' '.repeat(column);
    let at = end;
    let lead = '';
    // A mapping followed by comments ends in the next key's indentation (the yaml library's range):
    // back to that line's start, then before the blank lines above it.
    const lineStart = this.source.lastIndexOf('\n', at - 1) + 1;
    if (at > lineStart && /^[ \t]*$/.test(this.source.slice(lineStart, at))) at = lineStart;
    while (at > 1 && this.source[at - 1] === '\n') {
      const prev = this.source.lastIndexOf('\n', at - 2) + 1;
      if (!/^[ \t]*$/.test(this.source.slice(prev, at - 1)) || prev === 0) break;
      at = prev;
    }
    if (at > 0 && this.source[at - 1] !== '\n') {
      const nl = this.source.indexOf('\n', at);
      at = nl < 0 ? this.source.length : nl + 1;
      if (nl < 0) lead = '\n';
    }
    this.patch(at, at, `${lead}${comment ? '\n' : ''}${lines.map((l) => `${pad}${l}`).join('\n')}\n`, 1);
  }

  /** Inserts items after item `after` (-1: before the first; flow or block style as the sequence is). */
  private insertItems(seq: YAMLSeq, after: number, items: string[]): void {
    const [start, end] = seq.range ?? [0, 0];
    const rendered = items.map((w) => this.render(this.scalarLike(seq, w), true));
    if (seq.flow) {
      const prev = seq.items[after] as Node | undefined;
      if (prev?.range) this.patch(prev.range[1], prev.range[1], rendered.map((r) => `, ${r}`).join(''));
      else if (seq.items.length) this.patch(start + 1, start + 1, `${rendered.join(', ')}, `);
      else this.patch(this.source.lastIndexOf(']', end), this.source.lastIndexOf(']', end), rendered.join(', '));
      return;
    }
    const column = this.columnOf(seq, start);
    const prev = seq.items[after] as Node | undefined;
    const lines = rendered.map((r) => `${' '.repeat(column)}- ${r}\n`).join('');
    if (!prev?.range) {
      const lineStart = this.source.lastIndexOf('\n', start - 1) + 1;
      this.patch(lineStart, lineStart, lines);
      return;
    }
    const nl = this.source.indexOf('\n', prev.range[1]);
    const at = nl < 0 ? this.source.length : nl + 1;
    this.patch(at, at, `${nl < 0 ? '\n' : ''}${lines}`);
  }

  /** Removes `count` items from `from` on. */
  private removeItems(seq: YAMLSeq, from: number, count: number): void {
    const first = seq.items[from] as Node;
    const last = seq.items[from + count - 1] as Node;
    if (seq.flow) {
      const prev = seq.items[from - 1] as Node | undefined;
      const next = seq.items[from + count] as Node | undefined;
      if (prev?.range) this.patch(prev.range[1], last.range![1], '');
      else if (next?.range) this.patch(first.range![0], next.range[0], '');
      else this.patch(first.range![0], last.range![1], '');
      return;
    }
    const lineStart = this.source.lastIndexOf('\n', first.range![0] - 1) + 1;
    const nl = this.source.indexOf('\n', last.range![1]);
    this.patch(lineStart, nl < 0 ? this.source.length : nl + 1, '');
  }

  /** A new item quoted like the sequence's first item. */
  private scalarLike(seq: YAMLSeq, value: string): Scalar {
    const s = new Scalar(value);
    const first = seq.items[0];
    if (isScalar(first) && first.type && first.type !== 'BLOCK_FOLDED' && first.type !== 'BLOCK_LITERAL') s.type = first.type;
    return s;
  }

  private columnOf(node: Node, fallback: number): number {
    const at = node.range?.[0] ?? fallback;
    const lineStart = this.source.lastIndexOf('\n', at - 1) + 1;
    // A tagged key (`!!merge <<: *defaults`) starts at its tag: the node's range starts after it.
    const tag = /(![^\s]*[ \t]+)$/.exec(this.source.slice(lineStart, at));
    return at - lineStart - (tag ? tag[1]!.length : 0);
  }

  /** Text of one node by the yaml serializer (`inline`: one line, for a value in place). */
  private render(node: unknown, inline: boolean): string {
    const d = new Document(node, { version: '1.2' });
    return d.toString({ lineWidth: 0, indent: this.style.indent, indentSeq: this.style.indentSeq, flowCollectionPadding: false }).replace(inline ? /\n$/ : /(?!)/, '');
  }

  /** The node at `path`, through aliases and merge keys. */
  private resolved(path: Key[]): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      node = childOf(this.doc, node, key, 0);
      if (node === undefined) return undefined;
    }
    return (isAlias(node) ? node.resolve(this.doc) : node) as Node | undefined;
  }

  private resolvedValue(path: Key[]): unknown {
    const n = this.resolved(path);
    return isScalar(n) ? n.value : undefined;
  }

  /** Appends a service the plan adds (a feature toggle's pgBouncer or AlertManager, an exporter, a new one). */
  add(s: Service, all: Service[], implied: boolean): void {
    const format = formatOf(s.kind);
    const image = format.addImage(s as never);
    if (!image) {
      this.notes.push(`${s.name} (${s.kind}) is in the plan but not in the compose file, and has no image to add it with: add it by hand`);
      return;
    }
    const services = this.doc.get('services', true);
    if (!isMap(services)) return;
    const added = format.added?.(s as never, all) ?? { def: {}, comments: [] };
    const def: Record<string, unknown> = { image, ...added.def };
    const comments = [`Added by Headroom: ${s.name} (${s.kind}), ${implied ? 'which the plan\'s features or monitoring imply' : 'from the plan'}.`, ...added.comments];
    const deploy = this.limitStyle().deploy;
    if (s.limit !== null) {
      const size = composeSizeFormat(Math.ceil(s.limit));
      Object.assign(def, deploy ? { deploy: { resources: { limits: { memory: size } } } } : { mem_limit: size });
    }
    if (s.cpus !== undefined) {
      if (deploy) deepAssign(def, ['deploy', 'resources', 'limits', 'cpus'], String(s.cpus));
      else def.cpus = s.cpus;
    }
    this.addKey(services, s.name, def, comments);
    this.changes.push(`services.${s.name}: added (${s.kind}${s.limit === null ? '' : `, limit ${composeSizeFormat(Math.ceil(s.limit))}`})`);
  }
}

/**
 * A command's change in words for the change report: the words that differ, with one word of
 * context either side (`… -c max_connections=100 → … -c max_connections=200`), or the words added.
 */
export function wordsChange(before: string[], after: string[]): string {
  let same = 0;
  while (same < before.length && same < after.length && before[same] === after[same]) same++;
  let tail = 0;
  while (tail < before.length - same && tail < after.length - same && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const from = Math.max(0, same - 1);
  const show = (w: string[]) => w.map((x) => (x === '' ? '""' : x)).join(' ');
  const cut = (w: string[]) => `${from > 0 ? '… ' : ''}${show(w.slice(from, w.length - tail))}${tail > 0 ? ' …' : ''}`;
  if (before.length - same - tail === 0) return `added ${show(after.slice(same, after.length - tail))}${same > 0 ? ` after ${before[same - 1]}` : ''}`;
  return `${cut(before)} → ${cut(after)}`;
}

/** Sets `value` at `path` in `obj` itself, mappings created on the way. */
function deepAssign(obj: Record<string, unknown>, path: Key[], value: unknown): void {
  let at = obj;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    at = (at[key] = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
}

/** `base` with `value` at `path`, mappings created on the way. */
function deepSet(base: unknown, path: Key[], value: unknown): unknown {
  if (path.length === 0) return value;
  const obj = base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
  obj[path[0]!] = deepSet(obj[path[0]!], path.slice(1), value);
  return obj;
}

/** The command string with only the changed words rewritten (the others keep their quoting). */
function spliceWords(text: string, spans: Array<{ start: number; end: number }>, before: string[], after: string[]): string {
  if (before.length === after.length && before.every((w, i) => w === after[i])) return text;
  if (after.length >= before.length) {
    // Words changed in place and words appended: rewrite only those, keep the others' quoting.
    let out = '';
    let at = 0;
    before.forEach((w, i) => {
      if (w === after[i]) return;
      out += `${text.slice(at, spans[i]!.start)}${shellWord(after[i]!)}`;
      at = spans[i]!.end;
    });
    out += text.slice(at, spans.length ? spans[spans.length - 1]!.end : 0);
    const extra = after.slice(before.length).map(shellWord).join(' ');
    const rest = text.slice(spans.length ? spans[spans.length - 1]!.end : 0);
    return `${out}${extra ? `${spans.length ? ' ' : ''}${extra}` : ''}${rest}`;
  }
  let same = 0;
  while (same < before.length && same < after.length && before[same] === after[same]) same++;
  let tail = 0;
  while (tail < before.length - same && tail < after.length - same && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const inserted = after.slice(same, after.length - tail).map(shellWord).join(' ');
  if (same === before.length - tail) {
    // Pure insertion: after word `same - 1` (or at the start).
    const at = same === 0 ? 0 : spans[same - 1]!.end;
    return same === 0 ? `${inserted} ${text}` : `${text.slice(0, at)} ${inserted}${text.slice(at)}`;
  }
  const from = spans[same]!.start;
  const to = spans[before.length - tail - 1]!.end;
  return `${text.slice(0, from)}${inserted}${text.slice(to)}`;
}

/** A numeric setting of a service, when its kind has it. */
function settingOf(s: Service, key: string): number | undefined {
  const v = (s.settings as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : undefined;
}

function differs(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a !== b;
  return Math.abs(a - b) > EPSILON_MIB;
}

function ownPair(map: YAMLMap, key: string): Pair | undefined {
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof k !== 'symbol' && String(k) === key) return pair;
  }
  return undefined;
}

function childOf(doc: Document, parent: unknown, key: string, depth: number): unknown {
  if (depth > 20) return undefined;
  const node = isAlias(parent) ? parent.resolve(doc) : parent;
  if (!isMap(node)) return undefined;
  const own = ownPair(node, key);
  if (own) return isAlias(own.value) ? own.value.resolve(doc) : own.value;
  for (const pair of node.items) {
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (!(typeof k === 'symbol' && k.description === '<<') && k !== '<<') continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const src of sources) {
      const hit = childOf(doc, src, key, depth + 1);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

/**
 * A size written like `raw` was: bytes stay bytes, a unit keeps its letter and case
 * (`500M` → `768M`, `1g` → `1536m` when not whole in g, `1.5gb` → `2gb`).
 */
export function sizeLike(raw: unknown, mib: number, forceString = false): string | number {
  const bytes = Math.round(mib * 1048576);
  if (typeof raw === 'number' || (typeof raw === 'string' && /^\d+$/.test(raw.trim()))) return typeof raw === 'number' && !forceString ? bytes : String(bytes);
  const m = typeof raw === 'string' ? /^\s*[\d.]+\s*([kKmMgG])([iI]?[bB]?)\s*$/.exec(raw.replace(/^\$\{[^}]*?:?-/, '').replace(/\}$/, '')) : null;
  const letter = m?.[1] ?? 'm';
  const tail = m?.[2] ?? '';
  const upper = letter === letter.toUpperCase();
  const per: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024 };
  const amount = mib / per[letter.toLowerCase()]!;
  if (Number.isInteger(Math.round(amount * 1000) / 1000) && Math.round(amount * 1000) % 1000 === 0) return `${Math.round(amount)}${letter}${tail}`;
  if (letter.toLowerCase() === 'g' && Number.isInteger(mib)) return `${mib}${upper ? 'M' : 'm'}${tail}`;
  if (Number.isInteger(mib)) return `${mib}${upper ? 'M' : 'm'}${tail}`;
  return `${Math.round(mib * 1024)}${upper ? 'K' : 'k'}${tail}`;
}

/** Words of a command string with their positions (quotes kept inside the span). */
function wordSpans(text: string): Array<{ word: string; start: number; end: number }> {
  const out: Array<{ word: string; start: number; end: number }> = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    let word = '';
    while (i < text.length && !/\s/.test(text[i]!)) {
      const c = text[i]!;
      if (c === "'" || c === '"') {
        const end = text.indexOf(c, i + 1);
        const stop = end < 0 ? text.length : end;
        word += text.slice(i + 1, stop);
        i = stop + 1;
      } else {
        word += c;
        i++;
      }
    }
    out.push({ word, start, end: Math.min(i, text.length) });
  }
  return out;
}

/** A word for a command string: quoted only when it must be (empty, or with spaces or quotes). */
function shellWord(w: string): string {
  if (w === '') return '""';
  return /^[A-Za-z0-9_./:=@%+,${}-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}
