/**
 * A docker-compose.yml → a Headroom plan. Pure: the caller supplies the text, the `.env` text, the
 * shell environment and (optionally) a way to read mounted config files.
 *
 * Reads the document through the yaml library's Document API (anchors, aliases and `<<` merge
 * keys resolved; positions kept for errors), interpolates `${VAR}` forms as compose does, drops
 * services whose profiles are not active, resolves same-file `extends`, then recognises each
 * service's kind and memory settings (see recognise.ts). Every service gets a note saying what
 * was recognised and why.
 */
import type { Document, LineCounter } from 'yaml';
import { INPUT_LIMITS, inputParse, issuesBounded, ownSet, type ParsedInput } from '../input-policy.ts';
import { MAX_REPLICAS, planParse, SERVICE_KINDS, type Plan, type PlanInput, type ServiceKind } from '../../engine/schema.ts';
import { sizeParse, sizeToPlan } from '../../engine/units.ts';
import { DOCKER_MIN_LIMIT_MIB } from '../../engine/policy.ts';
import { envTextParse, interpolate, type Env } from './interpolate.ts';
import { exposureOf } from './ports.ts';
import { locate } from './locate.ts';
import { recognise, type ServiceFacts } from './recognise.ts';
import { commandWords } from './words.ts';
import { awaitedCompletion, oneShotOf } from './one-shot.ts';
import { kindCountsReplicas, kindOf } from '../../engine/kinds/index.ts';
import { composeSizeParse, describe } from './size.ts';
import { targetHostPort } from '../../engine/scrape-jobs.ts';

export type ComposeImportOptions = {
  /** The host's RAM in plan-file form (`4GiB`, `2g`, a number of MiB). Default 4GiB. */
  host?: string | number;
  /** The text of the `.env` file beside the compose file. */
  envText?: string;
  /** The shell environment; it wins over `.env`, as in compose. */
  environment?: Env;
  /** Profiles to activate besides COMPOSE_PROFILES (compose starts only these, and services without profiles). */
  profiles?: string[];
  /** Reads a file named in the compose file (env_file, bind-mounted configs), by its path as written. */
  readFile?: (path: string) => string | undefined;
  /** The plan's name; default: the compose file's `name:`. */
  name?: string;
};

/** One problem, with the compose path (`services.db.mem_limit`) and, when known, its position. */
export type ComposeIssue = { path: string; message: string; line?: number; column?: number };

/** What the import did with one compose service. */
export type ServiceNote = {
  service: string;
  kind: ServiceKind;
  /** Why this kind: "image postgres:16 is PostgreSQL". */
  why: string;
  /** The memory limit as imported (`512MiB`), or null when the compose file sets none. */
  limit: string | null;
  /** compose's container_name, when set: `docker stats` shows the container by it. */
  containerName?: string;
  /** Each setting read and where from. */
  read: string[];
  /** What Headroom could not read or had to assume. */
  warnings: string[];
  /** Why it runs once at startup (one-shot.ts), when it does: the plan marks it oneShot. */
  oneShot?: string;
};

export type ComposeImportResult =
  | { ok: true; input: PlanInput; plan: Plan; services: ServiceNote[]; notes: string[] }
  /** `notCompose`: the YAML is fine but is not a compose file; `planLike`: it looks like a
   * Headroom plan file (host:, or services as a list) or is empty, so a caller may read it as one. */
  | { ok: false; notCompose: boolean; planLike?: boolean; issues: ComposeIssue[] };

/** The plan schema's own cap on services. */
const MAX_SERVICES = 2000;

/** Texts larger than this are refused before parsing: the input policy's cap. */
export const MAX_COMPOSE_CHARS = INPUT_LIMITS.maxBytes;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
type Path = Array<string | number>;

/**
 * Imports compose text into a plan with a note per service. Never throws on any input. `text` may
 * be an input already parsed under the input policy (the CLI parses each input once, then reads
 * it as a compose file or a plan).
 */
export function composeImport(text: string | ParsedInput, options: ComposeImportOptions = {}): ComposeImportResult {
  let parsed: ParsedInput;
  if (typeof text === 'string') {
    const r = inputParse(text);
    if (!r.ok) return fail(r.issues);
    parsed = r.parsed;
  } else if (text !== null && typeof text === 'object' && 'doc' in text) parsed = text;
  else return fail([{ path: '(file)', message: `expected the text of a compose file, got ${describe(text)}` }]);
  const { doc, counter, data } = parsed;
  if (isObj(data) && isObj(data.services) && Object.keys(data.services).length > MAX_SERVICES) {
    return fail([{ path: 'services', message: `expected at most ${MAX_SERVICES} services (the plan's limit), got ${Object.keys(data.services).length}` }]);
  }
  if (!isObj(data) || !isObj(data.services)) {
    const planLike = data === null || data === undefined || (isObj(data) && ('host' in data || Array.isArray(data.services)));
    return { ok: false, notCompose: true, planLike, issues: [notComposeIssue(data)] };
  }
  return new Importer(doc, counter, data, options).run();
}

function fail(issues: ComposeIssue[]): ComposeImportResult {
  return { ok: false, notCompose: false, issues: issuesBounded(issues) };
}

function notComposeIssue(data: unknown): ComposeIssue {
  if (data === null || data === undefined) return { path: '(file)', message: 'the file is empty: expected a compose file with a services: mapping' };
  if (!isObj(data)) return { path: '(file)', message: `not a compose file: expected a mapping with services:, got ${describe(data)}` };
  const keys = Object.keys(data).slice(0, 6).join(', ');
  if ('services' in data) return { path: 'services', message: `not a compose file: services must be a mapping of service names, got ${describe(data.services)}` };
  return { path: '(file)', message: `not a compose file: no top-level services: mapping (keys found: ${keys || 'none'})` };
}

class Importer {
  private readonly issues: ComposeIssue[] = [];
  private readonly notes: string[] = [];
  private readonly unset = new Set<string>();
  private readonly env: Env;

  constructor(
    private readonly doc: Document,
    private readonly counter: LineCounter,
    private readonly data: Obj,
    private readonly options: ComposeImportOptions,
  ) {
    const dotenv = options.envText === undefined ? { env: {}, issues: [] } : envTextParse(options.envText, options.environment ?? {});
    for (const i of dotenv.issues) this.notes.push(`.env line ${i.line}: ${i.message} (ignored)`);
    this.env = Object.assign(Object.create(null) as Env, dotenv.env, options.environment ?? {});
  }

  /** Values read from side files (env_file, mounted configs): never printed (issue 17). */
  private readonly secrets = new Set<string>();

  /** The compose file's own words (keys and values): a plain word it writes is no secret of a side file (a service named `tls-genkeys`, a `default`). */
  private ownWords: Set<string> | null = null;

  /** A side file's text, its values remembered so that no message repeats them. */
  private sideFile(path: string): string | undefined {
    const text = this.options.readFile?.(path);
    if (text === undefined) return text;
    this.ownWords ??= new Set(JSON.stringify(this.data).split(/[^A-Za-z0-9_]+/));
    // A short lowercase word (`default`, `relay`, `info`: a config's own vocabulary) is not taken for a secret either.
    for (const v of fileValues(text)) if (!(/^[a-z]+$/.test(v) && (v.length < 8 || this.ownWords.has(v)))) this.secrets.add(v);
    return text;
  }

  /** `text` with every value read from a side file replaced by a placeholder. */
  private redact(text: string): string {
    let out = text;
    for (const v of this.secrets) {
      if (!out.includes(v)) continue;
      // A plain lowercase word ("setup", "include") only as a word of its own: inside another word
      // it is that word's letters (a side file's `profile: the` once turned every "the" in the
      // messages into the placeholder). Anything else wherever it appears (inside a URL too).
      out = /^[a-z]+$/.test(v) ? out.replace(new RegExp(`(?<![A-Za-z0-9_])${v}(?![A-Za-z0-9_])`, 'g'), HIDDEN) : out.split(v).join(HIDDEN);
    }
    return out;
  }

  private issue(path: Path, message: string): void {
    const pos = locate(this.doc, this.counter, path);
    const p = pathText(path);
    this.issues.push(pos ? { path: `${p} (line ${pos.line}, column ${pos.column})`, message, line: pos.line, column: pos.column } : { path: p, message });
  }

  run(): ComposeImportResult {
    const version = this.data.version;
    if (version !== undefined) this.notes.push(`version: ${scalarText(version) ?? describe(version)} is obsolete in the compose spec and was ignored`);
    const services = this.interpolated(this.data.services, ['services']) as Obj;
    const configs = isObj(this.data.configs) ? (this.interpolated(this.data.configs, ['configs']) as Obj) : {};
    const active = this.activeProfiles();
    const awaited = awaitedCompletion(services);

    const inputs: PlanInput['services'] = [];
    const notes: ServiceNote[] = [];
    const names: string[] = [];
    /** The names a service answers to on the compose network (its name, container_name, hostname, aliases), lower case. */
    const hosts = new Map<string, string>();
    for (const [name, raw] of Object.entries(services)) {
      if (!isObj(raw)) {
        this.issue(['services', name], `expected a mapping (image, command, mem_limit…), got ${describe(raw)}`);
        continue;
      }
      const svc = this.extended(services, name, raw, []);
      const profiles = Array.isArray(svc.profiles) ? svc.profiles.map((p) => scalarText(p) ?? describe(p)) : [];
      if (profiles.length > 0 && !profiles.some((p) => active.has(p) || p === '*')) {
        this.notes.push(`${name}: skipped, its profiles (${profiles.join(', ')}) are not active (set COMPOSE_PROFILES to include them)`);
        continue;
      }
      const one = this.service(name, svc, configs, awaited);
      if (!one) continue;
      for (const host of hostNamesOf(name, svc)) if (!hosts.has(host)) hosts.set(host, name);
      inputs.push(one.input);
      notes.push(one.note);
      names.push(name);
    }
    scrapeTargetsMatch(inputs, notes, hosts);
    if (this.unset.size > 0) this.notes.push(`not set, substituted with "": ${[...this.unset].map((v) => `\${${v}}`).join(', ')}`);
    if (this.issues.length > 0) return fail(this.redacted());

    const host = this.options.host ?? '4GiB';
    const input: PlanInput = {
      ...(this.planName() === undefined ? {} : { name: this.planName() }),
      host: { ram: typeof host === 'number' ? host : host, reserve: 'auto', swap: 0 },
      services: inputs,
    };
    const r = planParse(input);
    if (!r.ok) {
      // Map the plan's paths back to the compose file: services[2].name → services.<name>.
      for (const i of r.issues) {
        const m = /^services\[(\d+)\](.*)$/.exec(i.path);
        if (m && names[Number(m[1])] !== undefined) this.issue(['services', names[Number(m[1])]!], `${m[2] ? `${m[2].replace(/^\./, '')}: ` : ''}${i.message}`);
        else if (i.path.startsWith('host')) this.issues.push({ path: '--host', message: i.message });
        else this.issues.push(i);
      }
      return fail(this.redacted());
    }
    // What was read and understood (a size, a policy) is named; what could not be is not echoed.
    const serviceNotes = notes.map((n) => ({ ...n, warnings: n.warnings.map((t) => this.redact(t)) }));
    return { ok: true, input, plan: r.plan, services: serviceNotes, notes: this.notes.map((t) => this.redact(t)) };
  }

  private redacted(): ComposeIssue[] {
    return this.issues.map((i) => ({ ...i, message: this.redact(i.message) }));
  }

  private planName(): string | undefined {
    const n = this.options.name ?? (typeof this.data.name === 'string' ? this.data.name : undefined);
    return n === undefined ? undefined : n.slice(0, 200);
  }

  private activeProfiles(): Set<string> {
    const fromEnv = (this.env.COMPOSE_PROFILES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return new Set([...fromEnv, ...(this.options.profiles ?? [])]);
  }

  /** Interpolates every string value under `value` (keys are left alone, as compose does). */
  private interpolated(value: unknown, path: Path): unknown {
    if (typeof value === 'string') {
      const r = interpolate(value, this.env);
      if (!r.ok) {
        this.issue(path, r.error);
        return value;
      }
      for (const v of r.unset) this.unset.add(v);
      return r.value;
    }
    if (Array.isArray(value)) return value.map((v, i) => this.interpolated(v, [...path, i]));
    if (isObj(value)) {
      const out: Obj = {};
      for (const [k, v] of Object.entries(value)) ownSet(out, k, this.interpolated(v, [...path, k]));
      return out;
    }
    return value;
  }

  /** A service with same-file `extends` applied (the base first, this service's keys over it). */
  private extended(services: Obj, name: string, svc: Obj, seen: string[]): Obj {
    const ext = svc.extends;
    if (ext === undefined) return svc;
    const target = typeof ext === 'string' ? { service: ext } : isObj(ext) ? ext : null;
    if (!target || typeof target.service !== 'string') {
      this.issue(['services', name, 'extends'], 'expected extends: SERVICE or {service: SERVICE, file: FILE}');
      return svc;
    }
    if (target.file !== undefined) {
      this.notes.push(`${name}: extends ${String(target.service)} from ${scalarText(target.file) ?? describe(target.file)}, another file: not followed, only this service's own keys are read`);
      return svc;
    }
    const baseSvc = services[target.service];
    if (!isObj(baseSvc) || seen.includes(target.service) || target.service === name) {
      this.issue(['services', name, 'extends'], isObj(baseSvc) ? `extends makes a cycle (${[...seen, name, target.service].join(' → ')})` : `extends names no service "${target.service}" in this file`);
      return svc;
    }
    const { extends: _e, ...own } = svc;
    return deepMerge(this.extended(services, target.service, baseSvc, [...seen, name]), own);
  }

  private service(name: string, svc: Obj, configs: Obj, awaited: ReadonlyMap<string, string>): { input: PlanInput['services'][number]; note: ServiceNote } | null {
    const at = (...p: Path): Path => ['services', name, ...p];
    const warnings: string[] = [];
    const read: string[] = [];
    const environment = this.environmentOf(name, svc, warnings);
    const facts: ServiceFacts = {
      name,
      image: typeof svc.image === 'string' && svc.image.trim() ? svc.image.trim() : null,
      command: commandWords(svc.entrypoint, svc.command),
      environment,
      mounted: this.mountedOf(svc, configs),
      built: svc.build !== undefined,
    };
    const rec = recognise(facts);

    // Limits: mem_limit and deploy.resources.limits.memory must agree when both are set (compose spec).
    const deploy = isObj(svc.deploy) ? svc.deploy : {};
    const resources = isObj(deploy.resources) ? deploy.resources : {};
    const limits = isObj(resources.limits) ? resources.limits : {};
    const reservations = isObj(resources.reservations) ? resources.reservations : {};
    const memLimit = this.size(svc.mem_limit, at('mem_limit'));
    const deployLimit = this.size(limits.memory, at('deploy', 'resources', 'limits', 'memory'));
    if (memLimit !== undefined && deployLimit !== undefined && Math.abs(memLimit - deployLimit) > 1 / 1048576) {
      this.issue(at('mem_limit'), `mem_limit (${sizeToPlan(memLimit)}) and deploy.resources.limits.memory (${sizeToPlan(deployLimit)}) disagree; compose refuses a service that sets both to different values`);
      return null;
    }
    let limit = deployLimit ?? memLimit ?? null;
    if (limit !== null && limit > 0) {
      read.push(`limit ${sizeToPlan(limit)} from ${deployLimit !== undefined ? 'deploy.resources.limits.memory' : 'mem_limit'}${memLimit !== undefined && deployLimit !== undefined ? ' (and mem_limit, equal)' : ''}`);
    }
    // A bare number is bytes to compose (go-units): `mem_limit: 512` is 512 bytes, which Docker
    // refuses (its minimum is 6 MiB). Said on import, not planned silently as a 1 KiB limit.
    const bareLimit = [[deployLimit, limits.memory, 'deploy.resources.limits.memory'], [memLimit, svc.mem_limit, 'mem_limit']] as const;
    for (const [mib, raw, key] of bareLimit) {
      if (mib === undefined || mib <= 0 || mib >= DOCKER_MIN_LIMIT_MIB || !/^\d+(\.\d+)?$/.test(String(raw).trim())) continue;
      warnings.push(`${key}: ${String(raw).trim()} bytes: did you mean ${String(raw).trim()}m? Compose reads a bare number as bytes, and Docker refuses a limit under ${DOCKER_MIN_LIMIT_MIB} MiB`);
    }
    if (limit === 0) {
      limit = null;
      warnings.push('a memory limit of 0 means no limit to Docker');
    }
    if (limit === null) warnings.push('no memory limit: imported without one (Headroom flags it)');
    const reservation = this.size(reservations.memory, at('deploy', 'resources', 'reservations', 'memory')) ?? this.size(svc.mem_reservation, at('mem_reservation'));
    if (reservation !== undefined) warnings.push(`reservation ${sizeToPlan(reservation)}: a soft floor Docker tries to keep free for it, not a limit; not planned`);
    if (svc.memswap_limit !== undefined) {
      const swap = svc.memswap_limit === -1 || svc.memswap_limit === '-1' ? Infinity : this.size(svc.memswap_limit, at('memswap_limit'));
      if (swap !== undefined && limit !== null && swap > limit) warnings.push(`memswap_limit ${swap === Infinity ? 'unlimited' : sizeToPlan(swap)}: it may swap beyond its memory limit; Headroom plans RAM only`);
    }
    if (svc.oom_kill_disable === true) warnings.push('oom_kill_disable: at its limit it hangs instead of being killed');
    const cpus = this.cpusOf(svc, limits, at, read, warnings);
    if (cpus === null) return null;

    const settings: Obj = { ...rec.settings };
    // Compose keys that are settings of the kinds whose schema has them (shm_size: PostgreSQL's
    // /dev/shm).
    const has = (setting: string) => setting in kindOf(rec.kind).settings.shape;
    if (has('shmSize') && svc.shm_size !== undefined) {
      const shm = this.size(svc.shm_size, at('shm_size'));
      if (shm !== undefined) {
        settings.shmSize = sizeToPlan(shm);
        read.push(`shmSize ${sizeToPlan(shm)} from shm_size`);
      }
    }
    // Its containers (deploy.replicas, else scale), for every kind: the plan's `replicas`, which the
    // app kinds keep in their settings (plan-schema.ts); placed once the kind is settled below.
    let replicas: number | undefined;
    const replicasRaw = deploy.replicas ?? svc.scale;
    const replicasKey = deploy.replicas !== undefined ? 'deploy.replicas' : 'scale';
    if (replicasRaw !== undefined) {
      const n = typeof replicasRaw === 'number' || typeof replicasRaw === 'string' ? Number(replicasRaw) : NaN;
      if (!Number.isInteger(n) || n < 0) this.issue(at(...(deploy.replicas !== undefined ? ['deploy', 'replicas'] : ['scale'])), `expected a whole number of replicas, got ${describe(replicasRaw)}`);
      else if (n > MAX_REPLICAS) this.issue(at(...(deploy.replicas !== undefined ? ['deploy', 'replicas'] : ['scale'])), `expected at most ${MAX_REPLICAS} replicas on one host, got ${n}`);
      else {
        replicas = Math.max(1, n);
        read.push(`replicas ${n} from ${replicasKey}`);
        if (n === 0) warnings.push(`${replicasKey}: 0 starts no container; planned as one`);
      }
    }

    let kind = rec.kind;
    let why = rec.why;
    const x = svc['x-headroom'];
    if (x !== undefined) {
      if (!isObj(x)) this.issue(at('x-headroom'), 'expected a mapping like {kind: fastapi, settings: {workers: 4}}');
      else {
        if (x.kind !== undefined) {
          if (typeof x.kind !== 'string' || !(SERVICE_KINDS as readonly string[]).includes(x.kind)) this.issue(at('x-headroom', 'kind'), `expected one of ${SERVICE_KINDS.join(' | ')}`);
          else if (x.kind !== kind) {
            kind = x.kind as ServiceKind;
            why = `x-headroom.kind says ${kind} (recognised as ${rec.kind}: ${rec.why})`;
            for (const k of Object.keys(settings)) delete settings[k];
            // A generic service keeps its image: the export names it (formats/kinds/generic.ts).
            if (kind === 'generic' && typeof svc.image === 'string' && svc.image.trim()) settings.image = svc.image.trim().slice(0, 200);
          }
        }
        if (x.settings !== undefined) {
          if (!isObj(x.settings)) this.issue(at('x-headroom', 'settings'), 'expected a mapping of settings');
          else for (const [k, v] of Object.entries(x.settings)) {
            ownSet(settings, k, v);
            read.push(`${k} from x-headroom.settings`);
          }
        }
      }
    }
    // An x-headroom.settings.replicas wins over deploy.replicas (it is read last, as every setting there).
    const ownReplicas = kindCountsReplicas(kind);
    if (replicas !== undefined && ownReplicas && settings.replicas === undefined) settings.replicas = replicas;
    const serviceReplicas = replicas !== undefined && replicas > 1 && !ownReplicas ? { replicas } : {};
    const exposure = exposureOf(svc);
    if (exposure?.hostNetwork) read.push('network_mode: host (the exported configs say so)');
    if (exposure?.published) read.push(`published ${exposure.published.map((p) => `${p.address}:${p.port || '(any)'}→${p.target}`).join(', ')}`);
    // A one-shot container (an init, a migration): budgeted at startup only (one-shot.ts says on what signal).
    const once = oneShotOf(name, svc, facts.command, awaited);
    if (once !== null) read.push(`runs once at startup (${once}): not counted in the steady state`);
    const input = { name, kind, ...(limit === null ? {} : { limit: sizeToPlan(limit) }), ...(cpus === undefined ? {} : { cpus }), settings, ...serviceReplicas, ...(exposure ? { exposure } : {}), ...(once === null ? {} : { oneShot: true }) } as PlanInput['services'][number];
    const containerName = typeof svc.container_name === 'string' && svc.container_name ? { containerName: svc.container_name } : {};
    return { input, note: { service: name, kind, why, limit: limit === null ? null : sizeToPlan(limit), ...containerName, read: [...rec.read, ...read], warnings: [...rec.warnings, ...warnings], ...(once === null ? {} : { oneShot: once }) } };
  }

  /**
   * The CPU cap per container: `cpus` and deploy.resources.limits.cpus (compose refuses a service
   * that sets both to different values). Undefined without one (or at 0, Docker's "no cap"); null
   * when the two disagree (an issue is raised and the service is not imported).
   */
  private cpusOf(svc: Obj, limits: Obj, at: (...p: Path) => Path, read: string[], warnings: string[]): number | undefined | null {
    const short = this.cpuCount(svc.cpus, at('cpus'));
    const deploy = this.cpuCount(limits.cpus, at('deploy', 'resources', 'limits', 'cpus'));
    if (short !== undefined && deploy !== undefined && Math.abs(short - deploy) > 1e-9) {
      this.issue(at('cpus'), `cpus (${short}) and deploy.resources.limits.cpus (${deploy}) disagree; compose refuses a service that sets both to different values`);
      return null;
    }
    const cpus = deploy ?? short;
    if (cpus === undefined) return undefined;
    if (cpus === 0) {
      warnings.push('a CPU limit of 0 means no limit to Docker');
      return undefined;
    }
    read.push(`cpus ${cpus} from ${deploy !== undefined ? 'deploy.resources.limits.cpus' : 'cpus'}${short !== undefined && deploy !== undefined ? ' (and cpus, equal)' : ''}`);
    return cpus;
  }

  /** A compose CPU count (`0.5`, `'1.5'`) at `path`; undefined when absent or wrong (then an issue is raised). */
  private cpuCount(value: unknown, path: Path): number | undefined {
    if (value === undefined || value === null) return undefined;
    const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : null;
    const n = text !== null && /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(n)) {
      this.issue(path, `expected a number of CPUs like 0.5 or 2, got ${describe(value)}`);
      return undefined;
    }
    return n;
  }

  /** A compose size at `path` in MiB; undefined when absent or wrong (then an issue is raised). */
  private size(value: unknown, path: Path): number | undefined {
    if (value === undefined || value === null) return undefined;
    const r = composeSizeParse(value);
    if (!r.ok) {
      this.issue(path, r.error);
      return undefined;
    }
    // Reuse the plan's own bound (64 TiB) so a typo cannot turn into a nonsense plan.
    const bounded = sizeParse(r.value);
    if (!bounded.ok) {
      this.issue(path, bounded.error.replace(/ MiB$/, ' MiB'));
      return undefined;
    }
    return r.value;
  }

  private environmentOf(name: string, svc: Obj, warnings: string[]): Record<string, string> {
    // A null-prototype map: `__proto__` and `constructor` are ordinary variable names here.
    const env: Record<string, string> = Object.create(null) as Record<string, string>;
    const shell = (k: string) => (Object.hasOwn(this.env, k) ? this.env[k] : undefined);
    const files = svc.env_file === undefined ? [] : Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file];
    for (const f of files) {
      const path = typeof f === 'string' ? f : isObj(f) && typeof f.path === 'string' ? f.path : null;
      if (!path) continue;
      const text = this.sideFile(path);
      if (text === undefined) warnings.push(`env_file ${path} was not read: settings in it are not imported`);
      else Object.assign(env, envTextParse(text, this.env).env);
    }
    const e = svc.environment;
    if (Array.isArray(e)) {
      e.forEach((item, i) => {
        const s = scalarText(item);
        if (s === null) {
          this.issue(['services', name, 'environment', i], `expected NAME=value, got ${describe(item)}`);
          return;
        }
        const eq = s.indexOf('=');
        if (eq > 0) env[s.slice(0, eq)] = s.slice(eq + 1);
        else if (shell(s) !== undefined) env[s] = shell(s)!;
      });
    } else if (isObj(e)) {
      for (const [k, v] of Object.entries(e)) {
        if (v === null || v === undefined) {
          if (shell(k) !== undefined) env[k] = shell(k)!;
        } else env[k] = scalarText(v) ?? JSON.stringify(v);
      }
    } else if (e !== undefined) this.issue(['services', name, 'environment'], `expected a mapping or a list of NAME=value, got ${describe(e)}`);
    return env;
  }

  /** Texts of files mounted into the container (bind mounts and configs), by container path. */
  private mountedOf(svc: Obj, configs: Obj): Record<string, string> {
    const out: Record<string, string> = {};
    const put = (source: string | undefined, target: string | undefined, content?: string) => {
      if (!target) return;
      const text = content ?? (source && /\.(conf|cnf|ini|ya?ml|cfg|txt|config|xml)$/i.test(source) ? this.sideFile(source) : undefined);
      if (text !== undefined) out[target] = text;
    };
    for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) {
      if (typeof v === 'string') {
        const [source, target] = v.split(':');
        if (source && /^[./~]/.test(source)) put(source, target);
      } else if (isObj(v) && v.type === 'bind' && typeof v.source === 'string' && typeof v.target === 'string') put(v.source, v.target);
    }
    for (const c of Array.isArray(svc.configs) ? svc.configs : []) {
      const name = typeof c === 'string' ? c : isObj(c) && typeof c.source === 'string' ? c.source : null;
      if (!name) continue;
      const target = isObj(c) && typeof c.target === 'string' ? c.target : `/${name}`;
      const def = configs[name];
      if (!isObj(def)) continue;
      if (typeof def.content === 'string') put(undefined, target, def.content);
      else if (typeof def.file === 'string') put(def.file, target);
    }
    return out;
  }
}

/** The host names a service answers to on the compose network, lower case: its name, container_name, hostname and network aliases. */
function hostNamesOf(name: string, svc: Obj): string[] {
  const out = [name];
  for (const key of ['container_name', 'hostname'] as const) if (typeof svc[key] === 'string' && svc[key]) out.push(svc[key]);
  if (isObj(svc.networks)) {
    for (const net of Object.values(svc.networks)) if (isObj(net) && Array.isArray(net.aliases)) out.push(...net.aliases.filter((a): a is string => typeof a === 'string'));
  }
  return out.map((h) => h.toLowerCase());
}

/**
 * Each Prometheus's own scrape jobs (read from its mounted prometheus.yml) matched to the stack:
 * a target whose host is a service's name, container_name, hostname or alias names that service
 * (its port is kept as written); `localhost` is the Prometheus itself. Said in its note.
 */
function scrapeTargetsMatch(inputs: PlanInput['services'], notes: ServiceNote[], hosts: ReadonlyMap<string, string>): void {
  inputs.forEach((input, i) => {
    if (input.kind !== 'prometheus' || !isObj(input.settings) || !Array.isArray(input.settings.scrapeJobs)) return;
    const jobs = input.settings.scrapeJobs as Array<{ job: string; targets: Array<{ address: string; service: string | null }> }>;
    const matched: string[] = [];
    for (const job of jobs) {
      for (const t of job.targets) {
        const { host } = targetHostPort(t.address);
        t.service = host === 'localhost' || host === '127.0.0.1' || host === '::1' ? input.name : (hosts.get(host) ?? null);
        if (t.service !== null) matched.push(`${job.job} → ${t.service}`);
      }
    }
    const unknown = jobs.flatMap((j) => j.targets.filter((t) => t.service === null).map((t) => `${j.job}: ${t.address}`));
    const note = notes[i];
    if (!note) return;
    if (matched.length > 0) note.read.push(`scrapes ${[...new Set(matched)].join(', ')} (its own jobs)`);
    if (unknown.length > 0) note.warnings.push(`scrape targets that name no service of this file: ${unknown.join(', ')}`);
  });
}

/** Compose's merge for `extends`: mappings merge key by key, anything else is replaced. */
function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const mine = Object.hasOwn(out, k) ? out[k] : undefined;
    ownSet(out, k, isObj(v) && isObj(mine) ? deepMerge(mine, v) : v);
  }
  return out;
}

/** What a message says in place of a value read from a side file. */
const HIDDEN = '(a value from a file, not shown)';

/**
 * The values of a side file that a message must not repeat: what follows the key on each line
 * (`KEY=value`, `key value`, `key: value`), unquoted, three characters or more, a trailing
 * ` # comment` left out. Plain sizes and numbers (`512mb`, `0.4`) are settings Headroom reads and
 * names, not secrets; a line of prose (a value of more than two words, unquoted: a comment or a
 * sentence in a mounted file) holds none, and quoted text is one value.
 */
function fileValues(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/).slice(0, 10_000)) {
    const m = /^\s*(?:export\s+)?[^\s=:#]+\s*[=:\s]\s*(.+?)\s*$/.exec(line);
    if (!m) continue;
    const value = m[1]!.replace(/\s+#.*$/, '');
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) {
      if (quoted[2]!.length >= 3) out.push(quoted[2]!);
      continue;
    }
    const words = value.split(/\s+/);
    if (words.length > 2) continue;
    for (const word of words) {
      const v = word.replace(/^(['"])(.*)\1$/, '$2');
      if (v.length >= 3 && !/^-?\d+(\.\d+)?\s*[a-zA-Z%]{0,3}$/.test(v) && !/^(yes|no|true|false|on|off|none)$/i.test(v)) out.push(v);
    }
  }
  return out;
}

/** A YAML scalar as text (what compose does with it); null for a mapping or a list. */
function scalarText(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : null;
}

function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
