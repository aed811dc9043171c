/**
 * JVM services in the formats: how compose shows them (Kafka and the Confluent images, ZooKeeper,
 * Elasticsearch / OpenSearch, Logstash, Keycloak, the JDK base images, `java -jar`), the heap each
 * image runs with by default, the -X options read from the variables each image reads
 * (KAFKA_HEAP_OPTS, ES_JAVA_OPTS, JAVA_OPTS…) and the command, and the variable a compose edit
 * writes when the plan changes the heap. One table (JVM_IMAGES) serves import, edit and the writer.
 */
import { sizeToPlan } from '../../engine/units.ts';
import { jvmMaxHeap } from '../../engine/kinds/jvm.ts';
import { base, shellSplit } from '../compose-import/words.ts';
import type { EditContext, KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { catalogueImages, catalogueRead } from './catalogue.ts';

/** How an image takes its heap: a JVM options string (`-Xms1g -Xmx1g`) or a number of MiB. */
type HeapVar = { name: string; form: 'opts' | 'mib'; xms: boolean };

type JvmImage = {
  re: RegExp;
  label: string;
  /** The variable the image's start script reads the heap from, and whether its default sets -Xms too. */
  heapVar: HeapVar;
  /** Other variables whose -X options the JVM gets (read in this order, after the JDK's own). */
  opts: readonly string[];
  /** The heap the image runs with when the variable is unset, and where that comes from. */
  heapDefault: { heap?: number; maxRamPercentage?: number; source: string };
  /** Assumed typical class metadata for the server, MiB (JVM_DEFAULTS otherwise). */
  metaspace?: number;
};

const KAFKA_HEAP: HeapVar = { name: 'KAFKA_HEAP_OPTS', form: 'opts', xms: true };
const KAFKA_OPTS = ['KAFKA_OPTS', 'KAFKA_JVM_PERFORMANCE_OPTS'];

/** The images, most specific first (each repository is matched without registry and tag). */
export const JVM_IMAGES: readonly JvmImage[] = [
  { re: /^confluentinc\/cp-(?:kafka|server)$/, label: 'Kafka (Confluent Platform)', heapVar: KAFKA_HEAP, opts: KAFKA_OPTS, heapDefault: { heap: 1024, source: "kafka-server-start.sh's default KAFKA_HEAP_OPTS -Xmx1G -Xms1G" }, metaspace: 64 },
  { re: /^confluentinc\/cp-zookeeper$/, label: 'ZooKeeper (Confluent Platform)', heapVar: KAFKA_HEAP, opts: KAFKA_OPTS, heapDefault: { heap: 512, source: "zookeeper-server-start.sh's default KAFKA_HEAP_OPTS -Xmx512M -Xms512M" } },
  { re: /^(?:confluentinc\/cp-kafka-connect(?:-base)?|cnfldemos\/kafka-connect-datagen)$/, label: 'Kafka Connect', heapVar: { ...KAFKA_HEAP, xms: false }, opts: KAFKA_OPTS, heapDefault: { heap: 2048, source: "connect-distributed.sh's default KAFKA_HEAP_OPTS -Xms256M -Xmx2G" }, metaspace: 96 },
  { re: /^confluentinc\/cp-schema-registry$/, label: 'Schema Registry', heapVar: { name: 'SCHEMA_REGISTRY_HEAP_OPTS', form: 'opts', xms: false }, opts: ['SCHEMA_REGISTRY_OPTS'], heapDefault: { heap: 512, source: "schema-registry-run-class's default SCHEMA_REGISTRY_HEAP_OPTS -Xmx512M" } },
  { re: /^confluentinc\/cp-ksqldb-server$/, label: 'ksqlDB', heapVar: { name: 'KSQL_HEAP_OPTS', form: 'opts', xms: false }, opts: ['KSQL_OPTS'], heapDefault: { heap: 3072, source: "ksql-run-class's default KSQL_HEAP_OPTS -Xmx3g" }, metaspace: 96 },
  { re: /^confluentinc\/cp-kafka-rest$/, label: 'Kafka REST Proxy', heapVar: { name: 'KAFKAREST_HEAP_OPTS', form: 'opts', xms: false }, opts: ['KAFKAREST_OPTS'], heapDefault: { heap: 256, source: "kafka-rest-run-class's default KAFKAREST_HEAP_OPTS -Xmx256M" } },
  { re: /^(?:[^/]+\/)*kafka$/, label: 'Kafka', heapVar: KAFKA_HEAP, opts: KAFKA_OPTS, heapDefault: { heap: 1024, source: "kafka-server-start.sh's default KAFKA_HEAP_OPTS -Xmx1G -Xms1G (the Bitnami image's too)" }, metaspace: 64 },
  { re: /^bitnami\/zookeeper$|^signoz\/zookeeper$/, label: 'ZooKeeper (Bitnami)', heapVar: { name: 'ZOO_HEAP_SIZE', form: 'mib', xms: true }, opts: ['JVMFLAGS'], heapDefault: { heap: 1024, source: "the Bitnami image's default ZOO_HEAP_SIZE 1024" } },
  { re: /^(?:[^/]+\/)*zookeeper$/, label: 'ZooKeeper', heapVar: { name: 'ZK_SERVER_HEAP', form: 'mib', xms: false }, opts: ['JVMFLAGS', 'SERVER_JVMFLAGS'], heapDefault: { heap: 1000, source: "zkEnv.sh's default ZK_SERVER_HEAP 1000 (MiB)" } },
  { re: /^(?:[^/]+\/)*elasticsearch$/, label: 'Elasticsearch', heapVar: { name: 'ES_JAVA_OPTS', form: 'opts', xms: true }, opts: [], heapDefault: { maxRamPercentage: 50, source: "Elasticsearch 7.11+ sizes the heap to 50% of the container's memory, up to 31 GB (Elasticsearch docs, heap size settings; elastic/elasticsearch#65905)" }, metaspace: 128 },
  { re: /^(?:[^/]+\/)*opensearch$/, label: 'OpenSearch', heapVar: { name: 'OPENSEARCH_JAVA_OPTS', form: 'opts', xms: true }, opts: [], heapDefault: { heap: 1024, source: "OpenSearch's config/jvm.options default -Xms1g -Xmx1g" }, metaspace: 128 },
  { re: /^(?:[^/]+\/)*logstash$/, label: 'Logstash', heapVar: { name: 'LS_JAVA_OPTS', form: 'opts', xms: true }, opts: [], heapDefault: { heap: 1024, source: "Logstash's config/jvm.options default -Xms1g -Xmx1g" }, metaspace: 128 },
  { re: /^(?:[^/]+\/)*keycloak$/, label: 'Keycloak', heapVar: { name: 'JAVA_OPTS_KC_HEAP', form: 'opts', xms: false }, opts: ['JAVA_OPTS_APPEND'], heapDefault: { maxRamPercentage: 70, source: "Keycloak's container sets -XX:MaxRAMPercentage=70 (Keycloak server guide, \"Specifying different memory settings\"; JAVA_OPTS_KC_HEAP overrides it)" }, metaspace: 128 },
  { re: /^(?:[^/]+\/)*(?:eclipse-temurin|openjdk|amazoncorretto|ibm-semeru-runtimes|sapmachine|azul\/zulu-openjdk)$/, label: 'a JDK base image', heapVar: { name: 'JAVA_OPTS', form: 'opts', xms: false }, opts: [], heapDefault: { maxRamPercentage: 25, source: 'the JVM default -XX:MaxRAMPercentage=25' } },
];

/** Variables the JDK itself reads, lowest precedence first (java command docs: JDK_JAVA_OPTIONS before the command line; JAVA_TOOL_OPTIONS first of all). */
const JDK_VARS = ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS'] as const;

/** A JVM size (`512m`, `1G`, `1073741824`: bare bytes, k/m/g/t binary; java command docs) in MiB, or null. */
export function jvmSizeParse(v: string): number | null {
  const m = /^(\d+)([kKmMgGtT]?)$/.exec(v.trim());
  if (!m) return null;
  const mult: Record<string, number> = { '': 1 / 1048576, k: 1 / 1024, m: 1, g: 1024, t: 1048576 };
  return Number(m[1]) * mult[m[2]!.toLowerCase()]!;
}

/** A heap in JVM notation: whole MiB (`-Xmx512m` takes `512m`). */
export const jvmSize = (mib: number) => `${Math.max(2, Math.floor(mib))}m`;

type Found = { value: string; from: string };
type JvmOptions = Partial<Record<'heap' | 'initialHeap' | 'maxRamPercentage' | 'maxRam' | 'directMemory' | 'codeCache', Found>>;

/** The memory options in a list of JVM arguments; later ones win, as in HotSpot. */
function readOptions(words: readonly string[], from: string, into: JvmOptions): void {
  for (const w of words) {
    let m: RegExpExecArray | null;
    if ((m = /^-Xmx(\S+)$/.exec(w)) || (m = /^-XX:MaxHeapSize=(\S+)$/.exec(w))) into.heap = { value: m[1]!, from };
    else if ((m = /^-Xms(\S+)$/.exec(w)) || (m = /^-XX:InitialHeapSize=(\S+)$/.exec(w))) into.initialHeap = { value: m[1]!, from };
    else if ((m = /^-XX:MaxRAMPercentage=(\S+)$/.exec(w))) into.maxRamPercentage = { value: m[1]!, from };
    else if ((m = /^-XX:MaxRAM=(\S+)$/.exec(w))) into.maxRam = { value: m[1]!, from };
    else if ((m = /^-XX:MaxDirectMemorySize=(\S+)$/.exec(w))) into.directMemory = { value: m[1]!, from };
    else if ((m = /^-XX:ReservedCodeCacheSize=(\S+)$/.exec(w))) into.codeCache = { value: m[1]!, from };
  }
}

function imageOf(repo: string): JvmImage | undefined {
  return repo ? JVM_IMAGES.find((i) => i.re.test(repo)) : undefined;
}

/** The image whose own heap variable (ES_JAVA_OPTS, LS_JAVA_OPTS, KAFKA_HEAP_OPTS…: not the JDK's or JAVA_OPTS) the environment sets. */
function imageOfEnvironment(env: Readonly<Record<string, string>>): JvmImage | undefined {
  return JVM_IMAGES.find((i) => i.heapVar.name !== 'JAVA_OPTS' && !(JDK_VARS as readonly string[]).includes(i.heapVar.name) && env[i.heapVar.name] !== undefined);
}

/** The java command's own words (`java … -jar app.jar`), when the command runs java. */
function javaWords(command: readonly string[]): string[] {
  const at = command.findIndex((w) => base(w) === 'java');
  return at < 0 ? [] : command.slice(at + 1);
}

/** Every source of -X options for a service, lowest precedence first, as [label, words]. */
function sources(f: { command: readonly string[]; environment: Readonly<Record<string, string>> }, image: JvmImage | undefined): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  const env = f.environment;
  const add = (v: string) => {
    const text = env[v];
    if (text) out.push([`environment ${v}`, v === image?.heapVar.name && image.heapVar.form === 'mib' ? [`-Xmx${text}m`] : shellSplit(text)]);
  };
  for (const v of JDK_VARS) add(v);
  add('JAVA_OPTS');
  if (image) {
    for (const v of image.opts) add(v);
    if (image.heapVar.name !== 'JAVA_OPTS') add(image.heapVar.name);
  }
  const java = javaWords(f.command);
  if (java.length) out.push(['command', java]);
  return out;
}

function jvmRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const image = imageOf(repo) ?? (f.image ? undefined : imageOfEnvironment(f.environment));
  const opts: JvmOptions = {};
  for (const [from, words] of sources(f, image)) readOptions(words, from, opts);
  catalogueRead(r, repo);
  if (image?.metaspace) {
    r.settings.metaspace = `${image.metaspace}MiB`;
    r.read.push(`metaspace ${image.metaspace}MiB: assumed for ${image.label}`);
  }
  const size = (key: 'heap' | 'initialHeap' | 'maxRam' | 'directMemory' | 'codeCache', flag: string) => {
    const o = opts[key];
    if (!o) return;
    const mib = jvmSizeParse(o.value);
    if (mib === null || (key === 'heap' && mib < 2)) {
      r.warnings.push(`${flag}${o.value} (${o.from}) is not a JVM size the JVM accepts: ignored`);
      return;
    }
    r.settings[key] = sizeToPlan(mib);
    r.read.push(`${key} ${sizeToPlan(mib)} from ${o.from} ${flag}${o.value}`);
  };
  size('heap', '-Xmx');
  size('initialHeap', '-Xms');
  size('maxRam', '-XX:MaxRAM=');
  size('directMemory', '-XX:MaxDirectMemorySize=');
  size('codeCache', '-XX:ReservedCodeCacheSize=');
  const pct = opts.maxRamPercentage;
  if (pct) {
    const n = Number(pct.value);
    if (Number.isFinite(n) && n >= 0 && n <= 100) {
      r.settings.maxRamPercentage = n;
      r.read.push(`maxRamPercentage ${n} from ${pct.from} -XX:MaxRAMPercentage=${pct.value}`);
    } else r.warnings.push(`-XX:MaxRAMPercentage=${pct.value} (${pct.from}) is not a percentage from 0 to 100: ignored`);
  }
  // The image's own default when nothing set the heap.
  if (!opts.heap && image) {
    const d = image.heapDefault;
    if (d.heap !== undefined) {
      r.settings.heap = `${d.heap}MiB`;
      r.read.push(`heap ${d.heap}MiB: ${d.source}, as ${image.heapVar.name} is not set`);
    } else if (d.maxRamPercentage !== undefined && !pct) {
      r.settings.maxRamPercentage = d.maxRamPercentage;
      r.read.push(`heap ${d.maxRamPercentage}% of the container's memory: ${d.source}`);
    }
  } else if (!opts.heap && !pct) {
    r.read.push("heap: no -Xmx, so 25% of the container's memory (the JVM's default MaxRAMPercentage)");
  }
}

/** The variable holding the effective -Xmx (the last source that sets it), or null. */
function heapSource(ctx: Pick<EditContext, 'command' | 'environment'>, image: JvmImage | undefined): string | null {
  let last: string | null = null;
  for (const [from, words] of sources(ctx, image)) if (words.some((w) => /^-Xmx|^-XX:MaxHeapSize=/.test(w))) last = from;
  return last;
}

/** `opts` with its -Xmx (and -Xms, when it had one or `xms`) set to `heap`. */
export function withHeap(opts: string, heap: number, xms: boolean): string {
  const words = shellSplit(opts).filter((w) => !/^-Xmx|^-XX:MaxHeapSize=|^-XX:(?:Max|Min|Initial)RAMPercentage=/.test(w));
  const hadXms = words.some((w) => /^-Xms|^-XX:InitialHeapSize=/.test(w));
  const rest = words.filter((w) => !/^-Xms|^-XX:InitialHeapSize=/.test(w));
  const size = jvmSize(heap);
  return [...(xms || hadXms ? [`-Xms${size}`] : []), `-Xmx${size}`, ...rest].join(' ');
}

export const JVM_PORT = 8080; // assumed: the usual HTTP port of a Java service; Kafka's 9092 and Elasticsearch's 9200 are the images' own

export const jvm: KindFormat<'jvm'> = {
  kind: 'jvm',
  recognise: {
    images: [...JVM_IMAGES.map((i) => ({ re: i.re, label: i.label })), ...catalogueImages('jvm')],
    environment: (env) => {
      const image = imageOfEnvironment(env);
      return image ? `it sets ${image.heapVar.name}, the heap variable only ${image.label} reads` : null;
    },
    command: (command, words) => {
      const i = words.indexOf('java');
      if (i < 0) return null;
      const jar = command.slice(i + 1).find((_w, k, all) => all[k - 1] === '-jar');
      return `command runs java${jar ? ` -jar ${jar}` : ''}: a JVM`;
    },
    read: jvmRead,
  },
  edit: {
    env: (s, old, ctx) => {
      if (!ctx.changed(s.settings.heap, old.settings.heap) || s.settings.heap === 0) return [];
      const image = imageOf(ctx.image);
      const from = heapSource(ctx, image);
      if (from === 'command') {
        ctx.notes.push(`${s.name}: set -Xmx${jvmSize(s.settings.heap)} in its command by hand (the command's -Xmx wins over every variable)`);
        return [];
      }
      const name = from ? from.replace(/^environment /, '') : image?.heapVar.name ?? 'JAVA_TOOL_OPTIONS';
      if (image && name === image.heapVar.name && image.heapVar.form === 'mib') return [[name, String(Math.floor(s.settings.heap))]];
      const xms = image !== undefined && name === image.heapVar.name && image.heapVar.xms;
      return [[name, withHeap(ctx.environment[name] ?? '', s.settings.heap, xms)]];
    },
  },
  oomScoreAdj: 450, // (the non-negative scale of kinds/kind.ts) between the app (killed first) and the data stores: a JVM restarts slowly but holds no primary data, Kafka and Elasticsearch excepted (their volumes do)
  port: JVM_PORT,
  // The image depends on the service: only the operator knows it.
  addImage: () => null,
  compose: ({ stack, service: s, svc, note }) => {
    const heap = jvmMaxHeap(s, stack.plan.host.ram);
    svc.image = `${s.name.toLowerCase()}:latest`;
    svc.container_name = s.name;
    // JAVA_TOOL_OPTIONS is read by every JVM (java command docs), whatever the image's own script.
    svc.environment = { JAVA_TOOL_OPTIONS: withHeap('', heap, s.settings.initialHeap > 0) };
    note.push(`Your JVM image. Its heap: -Xmx${jvmSize(heap)} through JAVA_TOOL_OPTIONS (or the image's own variable, e.g. KAFKA_HEAP_OPTS, ES_JAVA_OPTS).`);
  },
};

