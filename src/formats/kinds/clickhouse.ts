/**
 * ClickHouse in the formats: its images, the memory settings of the XML or YAML files mounted
 * under /etc/clickhouse-server (config.xml, config.d/), `from_env` included, what a compose edit
 * can say (ClickHouse takes them from a file), and the exported service with a config.d file
 * written by a real XML serializer (fast-xml-parser's builder, which escapes text and attributes).
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { sideFileData } from '../input-policy.ts';
import type { ServiceOf } from '../../engine/schema.ts';
import type { SettingTune } from '../../engine/kinds/memory-setting.ts';
import { sizeFormat, sizeToPlan } from '../../engine/units.ts';
import { bytes, commentText, GENERATED_BY } from '../export/common.ts';
import type { KindFormat, Recognised, ServiceFacts, Stack } from './kind.ts';
import { tagVersion } from './options.ts';

export const CLICKHOUSE_IMAGE = 'clickhouse/clickhouse-server:25.3';
export const CLICKHOUSE_PORT = 8123; // HTTP
export const CLICKHOUSE_XML = { base: 'clickhouse', ext: 'xml', mount: '/etc/clickhouse-server/config.d/headroom.xml' } as const;
/** The server settings Headroom reads and writes, by setting. */
export const CLICKHOUSE_SETTINGS = { maxServerMemory: 'max_server_memory_usage', ratio: 'max_server_memory_usage_to_ram_ratio', markCache: 'mark_cache_size' } as const;

type Value = { value: string; from: string };

/** The memory settings of one config file's top level (XML `<clickhouse>`/`<yandex>`, or YAML). */
function settingsOfFile(path: string, text: string, env: Record<string, string>, warn: (s: string) => void): Map<string, Value> {
  const out = new Map<string, Value>();
  let top: Record<string, unknown> | null;
  try {
    if (/\.ya?ml$/.test(path)) top = (sideFileData(text) as Record<string, unknown> | null) ?? null;
    else {
      // The parser reads past unclosed tags; the validator says where a file is broken.
      const valid = XMLValidator.validate(text);
      if (valid !== true) throw new Error(`${valid.err.msg} (line ${valid.err.line})`);
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false }).parse(text) as Record<string, unknown>;
      top = (doc.clickhouse ?? doc.yandex ?? null) as Record<string, unknown> | null;
    }
  } catch (e) {
    warn(`${path}: not valid ${/\.ya?ml$/.test(path) ? 'YAML' : 'XML'} (${e instanceof Error ? e.message.split('\n')[0] : 'unreadable'}): its settings are not imported`);
    return out;
  }
  if (!top || typeof top !== 'object') return out;
  for (const name of Object.values(CLICKHOUSE_SETTINGS)) {
    const node = top[name];
    if (node === undefined || node === null) continue;
    if (typeof node === 'object') {
      const n = node as Record<string, unknown>;
      const fromEnv = n['@_from_env'];
      if (typeof fromEnv === 'string') {
        const v = env[fromEnv];
        if (v !== undefined && v !== '') out.set(name, { value: v, from: `${path} <${name} from_env="${fromEnv}"/> (${fromEnv}=${v})` });
        continue;
      }
      if (n['#text'] !== undefined) out.set(name, { value: String(n['#text']), from: `${path} <${name}>` });
      continue;
    }
    out.set(name, { value: String(node), from: `${path} ${name}: ${String(node)}` });
  }
  return out;
}

function clickhouseRead(f: ServiceFacts, r: Recognised): void {
  const v = tagVersion(f.image);
  // Assumed from its changelog: releases before 22 sized the server's cap from the host's RAM, not the cgroup's limit.
  if (v && v[0]! < 22 && v[0]! > 0) {
    r.settings.memorySource = 'host';
    r.read.push(`memorySource host from the image tag ${v.join('.')} (older releases size their memory from the host's RAM)`);
  }
  const found = new Map<string, Value>();
  // config.xml first, then config.d/ in name order: later files override (ClickHouse's config merge).
  const files = Object.entries(f.mounted).filter(([p]) => /^\/etc\/clickhouse-server\/(config\.(xml|ya?ml)|config\.d\/.*\.(xml|ya?ml))$/.test(p)).sort(([a], [b]) => (a.includes('config.d') ? 1 : 0) - (b.includes('config.d') ? 1 : 0) || a.localeCompare(b));
  for (const [path, text] of files) for (const [k, val] of settingsOfFile(path, text, f.environment, (w) => r.warnings.push(w))) found.set(k, val);
  const size = (key: 'maxServerMemory' | 'markCache') => {
    const val = found.get(CLICKHOUSE_SETTINGS[key]);
    if (!val) return;
    const n = Number(val.value);
    if (!Number.isFinite(n) || n < 0) return r.warnings.push(`${val.from}: expected a number of bytes: ignored`);
    if (key === 'maxServerMemory' && n === 0) return r.read.push(`maxServerMemory 0 (from the ratio) from ${val.from}`);
    r.settings[key] = sizeToPlan(n / 1048576);
    r.read.push(`${key} ${sizeToPlan(n / 1048576)} from ${val.from}`);
    return 0;
  };
  size('maxServerMemory');
  size('markCache');
  const ratio = found.get(CLICKHOUSE_SETTINGS.ratio);
  if (ratio) {
    const n = Number(ratio.value);
    if (Number.isFinite(n) && n >= 0) {
      r.settings.ratio = n;
      r.read.push(`ratio ${n} from ${ratio.from}`);
    } else r.warnings.push(`${ratio.from}: expected a number: ignored`);
  }
}

/** The settings written, by name, as the server reports them in system.server_settings (bytes). */
export function clickhouseServerSettings(c: ServiceOf<'clickhouse'>): Record<string, string> {
  const out: Record<string, string> = {};
  if (c.settings.maxServerMemory !== undefined) out[CLICKHOUSE_SETTINGS.maxServerMemory] = String(bytes(c.settings.maxServerMemory));
  out[CLICKHOUSE_SETTINGS.ratio] = String(c.settings.ratio);
  out[CLICKHOUSE_SETTINGS.markCache] = String(bytes(c.settings.markCache));
  return out;
}

export function clickhouseXml(stack: Stack, c: ServiceOf<'clickhouse'>, t: SettingTune): string {
  const notes = [
    `config.d file for the service "${c.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`,
    c.limit !== null ? `Container limit ${sizeFormat(c.limit)}.` : 'No container limit.',
    ...(t.recommended !== null && !t.plannedSafe ? [`Headroom recommends max_server_memory_usage ${sizeFormat(t.recommended)}: ${t.explain}.`] : []),
    ...(!t.fits ? [`Headroom: ${t.explain}.`] : []),
  ];
  const builder = new XMLBuilder({ format: true, indentBy: '    ', commentPropName: '#comment' });
  const body = builder.build({ clickhouse: { '#comment': notes.map((n) => ` ${commentText(n).replace(/--/g, '- -')} `), ...clickhouseServerSettings(c) } }) as string;
  return `<?xml version="1.0"?>\n${body}`;
}

export const clickhouse: KindFormat<'clickhouse'> = {
  kind: 'clickhouse',
  recognise: {
    images: [
      { re: /^(?:[^/]+\/)*(?:clickhouse-server|clickhouse)$/, label: 'ClickHouse' },
      // Sentry builds its own image FROM altinity/clickhouse-server (getsentry/self-hosted clickhouse/Dockerfile).
      { re: /^clickhouse-self-hosted-local$/, label: "ClickHouse (Sentry's build of altinity/clickhouse-server)" },
    ],
    command: (_command, words) => (words.includes('clickhouse-server') ? 'command runs clickhouse-server' : null),
    server: /^(clickhouse-server|clickhouse|entrypoint\.sh)$/,
    read: clickhouseRead,
  },
  edit: {
    syntax: 'options',
    flags: (s, old, { changed, notes }) => {
      const a = clickhouseServerSettings(s);
      if (changed(s.settings.maxServerMemory ?? -1, old.settings.maxServerMemory ?? -1) || changed(s.settings.markCache, old.settings.markCache) || s.settings.ratio !== old.settings.ratio) {
        notes.push(`${s.name}: ClickHouse reads its memory settings from files: add a file under /etc/clickhouse-server/config.d/ with ${Object.entries(a).map(([k, v]) => `<${k}>${v}</${k}>`).join(' ')}`);
      }
      return [];
    },
    defaultCommand: () => null,
  },
  oomScoreAdj: -300,
  port: CLICKHOUSE_PORT,
  addImage: () => CLICKHOUSE_IMAGE,
  configs: { xml: CLICKHOUSE_XML },
  compose: ({ stack, service: s, svc, note, volume, healthcheck }) => {
    const xml = stack.configPath(s, 'xml');
    svc.image = CLICKHOUSE_IMAGE;
    svc.container_name = s.name;
    svc.volumes = [volume('/var/lib/clickhouse'), `./${xml}:${CLICKHOUSE_XML.mount}:ro`];
    // ClickHouse's docs ask for a high open-files limit.
    svc.ulimits = { nofile: { soft: 262144, hard: 262144 } };
    svc.healthcheck = healthcheck(['CMD', 'clickhouse-client', '--query', 'SELECT 1']);
    note.push(`Memory settings in ${xml}.`);
  },
  files: (stack, services, tunings) => services.map((c) => ({
    path: stack.configPath(c, 'xml'),
    content: clickhouseXml(stack, c, tunings.of(c)),
    description: `ClickHouse settings for ${c.name}: max_server_memory_usage, mark cache`,
  })),
};
