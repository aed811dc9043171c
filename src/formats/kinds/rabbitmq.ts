/**
 * RabbitMQ in the formats: its images (the major version from the tag: 3.x and 4.x differ in
 * their default watermark), the watermark from a mounted rabbitmq.conf or advanced.config and the
 * environment Bitnami's image (and the official one before 3.9) reads, what a compose edit
 * writes, and the exported service with its rabbitmq.conf (an absolute watermark, as the memory
 * guide recommends in containers).
 */
import type { ServiceOf } from '../../engine/schema.ts';
import type { SettingTune } from '../../engine/kinds/memory-setting.ts';
import { sizeFormat, sizeToPlan } from '../../engine/units.ts';
import { commentText, GENERATED_BY } from '../export/common.ts';
import type { KindFormat, Recognised, ServiceFacts, Stack } from './kind.ts';
import { tagVersion } from './options.ts';

export const RABBITMQ_IMAGE = 'rabbitmq:4.2';
export const RABBITMQ_PORT = 5672; // AMQP
export const RABBITMQ_CONF = { base: 'rabbitmq', ext: 'conf', mount: '/etc/rabbitmq/conf.d/90-headroom.conf' } as const;
export const RABBITMQ_KEYS = { relative: 'vm_memory_high_watermark.relative', absolute: 'vm_memory_high_watermark.absolute' } as const;

/** RabbitMQ's information units (memory guide): k/KiB/M/MiB/G/GiB binary, kB/MB/GB decimal, a bare number bytes. MiB, or null. */
export function rabbitmqSizeParse(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|kib|m|mib|g|gib|kb|mb|gb)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const bin: Record<string, number> = { k: 1024, kib: 1024, m: 1048576, mib: 1048576, g: 1073741824, gib: 1073741824 };
  const dec: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9 };
  // `kB`, `MB`, `GB` exactly are decimal; `K`, `M`, `G` and the *iB forms binary.
  const factor = /^(kB|MB|GB)$/.test(unit) ? dec[unit.toLowerCase()]! : unit ? bin[unit.toLowerCase()] ?? dec[unit.toLowerCase()]! : 1;
  return (n * factor) / 1048576;
}

/** A watermark as written: relative (`0.4`, `40%`) or absolute (`512MiB`, `2GB`). */
function watermarkValue(text: string): { relative: number } | { absolute: number } | null {
  const t = text.trim().replace(/^["']|["']$/g, '');
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (pct) return { relative: Number(pct[1]) / 100 };
  if (/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(t)) return { relative: Number(t) };
  const abs = rabbitmqSizeParse(t);
  return abs === null ? null : { absolute: abs };
}

function rabbitmqRead(f: ServiceFacts, r: Recognised): void {
  const v = tagVersion(f.image);
  if (v && (v[0] === 3 || v[0] === 4)) {
    r.settings.version = String(v[0]);
    r.read.push(`version ${v[0]} from the image tag (${v[0] === 3 ? 'default watermark 0.4' : 'default watermark 0.6'})`);
  }
  const set = (w: ReturnType<typeof watermarkValue>, from: string) => {
    if (!w) return r.warnings.push(`${from}: not a relative or absolute watermark: ignored`);
    if ('relative' in w) {
      if (w.relative > 1) return r.warnings.push(`${from}: a relative watermark above 1: ignored`);
      r.settings.watermark = w.relative;
      delete r.settings.watermarkAbsolute;
      r.read.push(`watermark ${w.relative} from ${from}`);
    } else {
      r.settings.watermarkAbsolute = sizeToPlan(w.absolute);
      r.read.push(`watermarkAbsolute ${sizeToPlan(w.absolute)} from ${from}`);
    }
    return 0;
  };
  for (const [path, text] of Object.entries(f.mounted).sort(([a], [b]) => a.localeCompare(b))) {
    if (/\.conf$/.test(path) && /rabbitmq/.test(path)) {
      for (const line of text.split(/\r?\n/)) {
        const m = /^\s*vm_memory_high_watermark(?:\.(relative|absolute))?\s*=\s*(\S+)/.exec(line);
        if (m) set(watermarkValue(m[2]!), `${path} ${line.trim()}`);
      }
    }
    if (/advanced\.config$/.test(path)) {
      const abs = /vm_memory_high_watermark\s*,\s*\{\s*absolute\s*,\s*"?([^"}\s]+)"?\s*\}/.exec(text);
      const rel = /vm_memory_high_watermark\s*,\s*([0-9.]+)\s*\}/.exec(text);
      if (abs) set(watermarkValue(abs[1]!), `${path} {absolute, ${abs[1]}}`);
      else if (rel) set(watermarkValue(rel[1]!), `${path} ${rel[1]}`);
    }
  }
  // Bitnami's image reads RABBITMQ_VM_MEMORY_HIGH_WATERMARK (its README); the official one did before 3.9.
  const env = f.environment.RABBITMQ_VM_MEMORY_HIGH_WATERMARK;
  if (env) set(watermarkValue(env), `environment RABBITMQ_VM_MEMORY_HIGH_WATERMARK=${env}`);
}

/** The rabbitmq.conf lines written, as `rabbitmqctl environment`-style keys and values. */
export function rabbitmqConfEntries(r: ServiceOf<'rabbitmq'>): Record<string, string> {
  const st = r.settings;
  if (st.watermarkAbsolute !== undefined) return { [RABBITMQ_KEYS.absolute]: `${Math.max(1, Math.floor(st.watermarkAbsolute))}MiB` };
  return { [RABBITMQ_KEYS.relative]: String(st.watermark ?? (st.version === '3' ? 0.4 : 0.6)) };
}

export function rabbitmqConf(stack: Stack, r: ServiceOf<'rabbitmq'>, t: SettingTune): string {
  const lines: string[] = [];
  const comment = (s: string) => lines.push(s ? `# ${commentText(s)}` : '#');
  comment(`rabbitmq.conf for the service "${r.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`);
  comment(`Mounted at ${RABBITMQ_CONF.mount}; the image reads /etc/rabbitmq/conf.d/ in order.`);
  if (r.limit !== null) comment(`Container limit ${sizeFormat(r.limit)}. Publishers are blocked at the watermark; the garbage collector can take the node past it.`);
  if (t.recommended !== null && !t.plannedSafe) comment(`Headroom recommends vm_memory_high_watermark.absolute = ${Math.floor(t.recommended)}MiB: ${t.explain}.`);
  if (!t.fits) comment(`Headroom: ${t.explain}.`);
  for (const [k, v] of Object.entries(rabbitmqConfEntries(r))) lines.push(`${k} = ${v}`);
  return lines.join('\n') + '\n';
}

export const rabbitmq: KindFormat<'rabbitmq'> = {
  kind: 'rabbitmq',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*rabbitmq$/, label: 'RabbitMQ' }],
    command: (_command, words) => (words.includes('rabbitmq-server') ? 'command runs rabbitmq-server' : null),
    server: /^(rabbitmq-server|docker-entrypoint\.sh)$/,
    read: rabbitmqRead,
  },
  edit: {
    syntax: 'options',
    flags: (s, old, { changed, notes }) => {
      const was = old.settings.watermarkAbsolute ?? -1;
      const now = s.settings.watermarkAbsolute ?? -1;
      if (changed(now, was) || s.settings.watermark !== old.settings.watermark) {
        const [k, v] = Object.entries(rabbitmqConfEntries(s))[0]!;
        notes.push(`${s.name}: set ${k} = ${v} in a rabbitmq.conf mounted under /etc/rabbitmq/conf.d/ (RabbitMQ takes its watermark from its config file)`);
      }
      return [];
    },
    // Bitnami's image maps the watermark from its environment (bitnami/rabbitmq README).
    env: (s, old, { changed, image }) => {
      if (!/bitnami\/rabbitmq/.test(image)) return [];
      const a = s.settings.watermarkAbsolute;
      if (a !== undefined && changed(a, old.settings.watermarkAbsolute ?? -1)) return [['RABBITMQ_VM_MEMORY_HIGH_WATERMARK', `${Math.floor(a)}MiB`]];
      if (a === undefined && s.settings.watermark !== undefined && s.settings.watermark !== old.settings.watermark) return [['RABBITMQ_VM_MEMORY_HIGH_WATERMARK', String(s.settings.watermark)]];
      return [];
    },
    defaultCommand: () => null,
  },
  oomScoreAdj: -200,
  port: RABBITMQ_PORT,
  addImage: () => RABBITMQ_IMAGE,
  configs: { conf: RABBITMQ_CONF },
  compose: ({ stack, service: s, svc, note, volume, healthcheck }) => {
    const conf = stack.configPath(s, 'conf');
    svc.image = RABBITMQ_IMAGE;
    svc.container_name = s.name;
    svc.hostname = s.name; // the node name (rabbit@HOSTNAME) and its data directory follow the hostname
    svc.volumes = [volume('/var/lib/rabbitmq'), `./${conf}:${RABBITMQ_CONF.mount}:ro`];
    svc.healthcheck = healthcheck(['CMD', 'rabbitmq-diagnostics', '-q', 'ping']);
    note.push(`Memory watermark in ${conf}.`);
  },
  files: (stack, services, tunings) => services.map((r) => ({
    path: stack.configPath(r, 'conf'),
    content: rabbitmqConf(stack, r, tunings.of(r)),
    description: `RabbitMQ settings for ${r.name}: the memory watermark`,
  })),
};
