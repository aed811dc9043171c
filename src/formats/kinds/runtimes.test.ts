/**
 * Recognition and compose edits of the runtime and proxy kinds (jvm, python, node, native, proxy),
 * on services taken from the corpus (test/corpus/…, cited per case) and small variations of them.
 */
import { describe, expect, it } from 'vitest';
import { composeImport } from '../compose-import/index.ts';
import { composeEdit } from '../compose-import/edit.ts';
import type { Plan, Service } from '../../engine/schema.ts';
import { nginxDirectives, nginxSizeParse } from './proxy.ts';
import { jvmSizeParse, withHeap } from './jvm.ts';
import { withMaxOldSpace } from './node.ts';
import { basisOf } from '../../engine/kinds/index.ts';

function imported(text: string, files: Record<string, string> = {}) {
  const r = composeImport(text, { readFile: (p) => files[p] });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}
function one(text: string, files: Record<string, string> = {}) {
  const r = imported(text, files);
  const s = r.plan.services[0]!;
  return { note: r.services[0]!, service: { kind: s.kind, settings: s.settings as Record<string, unknown> }, plan: r.plan };
}
const compose = (svc: string) => `services:\n${svc}`;
const settingsOf = (s: Service) => s.settings as Record<string, unknown>;

describe('jvm: recognised from the corpus images, heap read from each image\'s variable', () => {
  it('Kafka (confluent-kafka/cp-all-in-one-community, broker): cp-kafka without KAFKA_HEAP_OPTS runs kafka-server-start.sh\'s 1 GiB', () => {
    const { note, service } = one(compose(`  broker:\n    image: confluentinc/cp-kafka:8.2.0\n    environment:\n      KAFKA_NODE_ID: 1\n      KAFKA_PROCESS_ROLES: 'broker,controller'\n`));
    expect(service.kind).toBe('jvm');
    expect(service.settings.heap).toBe(1024);
    expect(note.read.join('\n')).toMatch(/kafka-server-start\.sh/);
  });

  it('Elasticsearch (elk): ES_JAVA_OPTS -Xms512m -Xmx512m', () => {
    const { note, service } = one(compose(`  elasticsearch:\n    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0\n    environment:\n      node.name: elasticsearch\n      ES_JAVA_OPTS: -Xms512m -Xmx512m\n`));
    expect(service.kind).toBe('jvm');
    expect(service.settings.heap).toBe(512);
    expect(service.settings.initialHeap).toBe(512);
    expect(note.read).toContain('heap 512MiB from environment ES_JAVA_OPTS -Xmx512m');
  });

  it('Elasticsearch without ES_JAVA_OPTS: 50% of the container (7.11+ auto heap)', () => {
    const { service } = one(compose(`  es:\n    image: elasticsearch:8.15.0\n    mem_limit: 2g\n`));
    expect(service.settings.heap).toBe(0);
    expect(service.settings.maxRamPercentage).toBe(50);
  });

  it('Keycloak: MaxRAMPercentage 70 from the image; JAVA_OPTS_KC_HEAP overrides it', () => {
    expect(one(compose(`  kc:\n    image: quay.io/keycloak/keycloak:26.0\n    command: start-dev\n`)).service.settings.maxRamPercentage).toBe(70);
    const { service } = one(compose(`  kc:\n    image: quay.io/keycloak/keycloak:26.0\n    environment:\n      JAVA_OPTS_KC_HEAP: -XX:MaxRAMPercentage=50 -Xmx700m\n`));
    expect(service.settings.heap).toBe(700);
  });

  it('java -jar in the command, -Xmx there wins over JAVA_TOOL_OPTIONS', () => {
    const { service, note } = one(compose(`  app:\n    image: eclipse-temurin:21-jre\n    environment:\n      JAVA_TOOL_OPTIONS: -Xmx1g\n    command: ["java", "-Xmx300m", "-jar", "/app.jar"]\n`));
    expect(service.kind).toBe('jvm');
    expect(service.settings.heap).toBe(300);
    expect(note.read.join('\n')).toMatch(/from command -Xmx300m/);
  });

  it('Bitnami ZooKeeper: ZOO_HEAP_SIZE in MiB', () => {
    expect(one(compose(`  zk:\n    image: bitnami/zookeeper:3.9\n    environment:\n      ZOO_HEAP_SIZE: 256\n`)).service.settings.heap).toBe(256);
  });

  it('a -Xmx the JVM refuses is a warning, not a setting', () => {
    const { note, service } = one(compose(`  app:\n    image: eclipse-temurin:21\n    environment:\n      JAVA_OPTS: -Xmx12q\n`));
    expect(service.settings.heap).toBe(0);
    expect(note.warnings.join('\n')).toMatch(/-Xmx12q .* not a JVM size/);
  });

  it.each([['512m', 512], ['1G', 1024], ['1073741824', 1024], ['2048k', 2], ['1t', 1048576], ['12q', null], ['', null]])('jvmSizeParse(%s) = %s', (v, mib) => {
    expect(jvmSizeParse(v)).toBe(mib);
  });

  it('withHeap replaces -Xmx (and -Xms when it had one), keeps the other options', () => {
    expect(withHeap('-Xms1g -Xmx1g -XX:+UseG1GC', 700, false)).toBe('-Xms700m -Xmx700m -XX:+UseG1GC');
    expect(withHeap('-Dfoo=bar', 256, false)).toBe('-Xmx256m -Dfoo=bar');
    expect(withHeap('', 256, true)).toBe('-Xms256m -Xmx256m');
  });
});

describe('python: server, process count and preload from command and environment', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['gunicorn --workers 4 (a WSGI app)', `    image: python:3.12\n    command: gunicorn --workers 4 mysite.wsgi:application\n`, { server: 'gunicorn', processes: 4 }],
    ['gunicorn -w 3 --preload', `    image: python:3.12\n    command: gunicorn -w 3 --preload app:app\n`, { server: 'gunicorn', processes: 3, preload: true }],
    ['GUNICORN_CMD_ARGS', `    image: python:3.12\n    command: gunicorn app:app\n    environment:\n      GUNICORN_CMD_ARGS: "--workers=5 --bind=0.0.0.0:8000"\n`, { server: 'gunicorn', processes: 5 }],
    ['WEB_CONCURRENCY', `    image: python:3.12\n    command: gunicorn app:app\n    environment:\n      WEB_CONCURRENCY: "6"\n`, { server: 'gunicorn', processes: 6 }],
    // airflow / netbox / paperless style workers
    ['celery -c 8', `    image: python:3.12\n    command: celery -A proj worker -l info -c 8\n`, { server: 'celery', processes: 8 }],
    ['celery --autoscale=10,3', `    image: python:3.12\n    command: celery -A proj worker --autoscale=10,3\n`, { server: 'celery', processes: 10 }],
    ['celery --pool gevent', `    image: python:3.12\n    command: celery -A proj worker --pool gevent -c 100\n`, { server: 'celery', processes: 1, master: false }],
    ['manage.py rqworker (netbox housekeeping style)', `    image: python:3.12\n    command: python manage.py rqworker high default low\n`, { server: 'rq', processes: 1 }],
    ['Django runserver', `    image: python:3.12\n    command: python manage.py runserver 0.0.0.0:8000\n`, { server: 'django', processes: 1 }],
    ['Django ASGI under uvicorn is python, not FastAPI', `    image: python:3.12\n    command: uvicorn config.asgi:application --workers 2\n`, { server: 'uvicorn', processes: 2 }],
    // a scaled Python service counts its containers (issue 10), as fastapi does
    ['celery with deploy.replicas: 3', `    image: python:3.12\n    command: celery -A proj worker -c 2\n    deploy: {replicas: 3}\n`, { server: 'celery', processes: 2, replicas: 3 }],
    ['gunicorn with scale: 2', `    image: python:3.12\n    command: gunicorn -w 4 app.wsgi\n    scale: 2\n`, { server: 'gunicorn', processes: 4, replicas: 2 }],
  ])('%s', (_name, body, settings) => {
    const { service, note } = one(compose(`  web:\n${body}`));
    expect(service.kind).toBe('python');
    expect(service.settings).toMatchObject(settings);
    expect(note.warnings.join('\n')).not.toMatch(/count the others by hand/);
  });

  it.each([
    ['uvicorn main:app', 'command: uvicorn main:app --host 0.0.0.0 --workers 2'],
    ['gunicorn with uvicorn workers', 'command: gunicorn -k uvicorn.workers.UvicornWorker -w 2 main:app'],
    ['fastapi run', 'command: fastapi run main.py'],
  ])('an ASGI server stays FastAPI: %s', (_name, cmd) => {
    expect(one(compose(`  api:\n    image: python:3.12\n    ${cmd}\n`)).service.kind).toBe('fastapi');
  });

  it('a process count that is not a whole number is a warning', () => {
    const { note } = one(compose(`  web:\n    image: python:3.12\n    command: gunicorn --workers lots app:app\n`));
    expect(note.warnings.join('\n')).toMatch(/"lots" .* not a whole number/);
  });
});

describe('node: heap flag and instances', () => {
  it('n8n-style node image with NODE_OPTIONS --max-old-space-size', () => {
    const { service, note } = one(compose(`  n8n:\n    image: node:20-alpine\n    command: node dist/index.js\n    environment:\n      NODE_OPTIONS: --max-old-space-size=1536 --enable-source-maps\n`));
    expect(service.kind).toBe('node');
    expect(service.settings.maxOldSpace).toBe(1536);
    expect(note.read.join('\n')).toMatch(/NODE_OPTIONS --max-old-space-size=1536/);
  });

  it('the command\'s flag wins over NODE_OPTIONS', () => {
    const { service } = one(compose(`  app:\n    image: node:20\n    command: node --max-old-space-size=300 server.js\n    environment:\n      NODE_OPTIONS: --max-old-space-size=2048\n`));
    expect(service.settings.maxOldSpace).toBe(300);
  });

  it('pm2-runtime -i 4: four processes', () => {
    const { service } = one(compose(`  app:\n    image: node:20\n    command: pm2-runtime -i 4 app.js\n`));
    expect(service.settings.processes).toBe(4);
  });

  it('npm start and next start are Node; npm ci alone is not', () => {
    expect(one(compose(`  web:\n    image: myorg/web:1\n    command: npm start\n`)).service.kind).toBe('node');
    expect(one(compose(`  web:\n    image: myorg/web:1\n    command: ["npx", "next", "start"]\n`)).service.kind).toBe('node');
    expect(one(compose(`  web:\n    image: myorg/web:1\n    command: npm ci\n`)).service.kind).not.toBe('node');
  });

  it('elk (test/corpus/elk): Kibana built from source is told by the kibana.yml it mounts where Elastic\'s image reads it; the catalogue entry, no figure: assumed', () => {
    const text = compose(`  kibana:\n    build:\n      context: kibana/\n    volumes:\n      - ./kibana/config/kibana.yml:/usr/share/kibana/config/kibana.yml:ro,Z\n`);
    const r = imported(text, { './kibana/config/kibana.yml': 'server.name: kibana\n' });
    const s = r.plan.services[0]!;
    expect(s.kind).toBe('node');
    expect(settingsOf(s)).toMatchObject({ app: 'kibana' });
    expect(r.services[0]!.why).toMatch(/mounts \/usr\/share\/kibana\/config\/kibana\.yml/);
    expect(basisOf(s)).toBe('assumed');
    // Without the file (nothing mounted that Headroom reads), nothing tells: generic.
    expect(imported(text).plan.services[0]!.kind).toBe('generic');
    // The image itself is catalogued too.
    expect(one(compose(`  kibana:\n    image: docker.elastic.co/kibana/kibana:8.15.0\n`)).service.settings).toMatchObject({ app: 'kibana' });
  });

  it('withMaxOldSpace keeps other options and replaces the flag', () => {
    expect(withMaxOldSpace('--enable-source-maps --max-old-space-size=2048', 400)).toBe('--enable-source-maps --max-old-space-size=400');
    expect(withMaxOldSpace('', 400)).toBe('--max-old-space-size=400');
  });
});

describe('proxy: nginx.conf, haproxy.cfg and Kong\'s variables', () => {
  const sentryConf = `worker_processes auto;\nevents {\n  worker_connections 1024;\n}\nhttp {\n  proxy_cache_path /var/cache/nginx keys_zone=sentry:10m;\n  limit_req_zone $binary_remote_addr zone=api:5m rate=10r/s;\n  server { listen 80; location / { proxy_pass http://web:9000; } }\n}\n`;

  it('sentry-style nginx with a mounted nginx.conf: workers auto, worker_connections, zones', () => {
    const { service, note } = one(compose(`  nginx:\n    image: "nginx:1.31.3-alpine"\n    volumes:\n      - type: bind\n        read_only: true\n        source: ./nginx.conf\n        target: /etc/nginx/nginx.conf\n`), { './nginx.conf': sentryConf });
    expect(service.kind).toBe('proxy');
    expect(service.settings).toMatchObject({ server: 'nginx', workers: 0, workerConnections: 1024, sharedZones: 15 });
    expect(note.read.join('\n')).toMatch(/worker_connections 1024/);
  });

  it('the real sentry nginx.conf (test/corpus/sentry/nginx.conf) is read', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync('test/corpus/sentry/nginx.conf', 'utf8');
    const d = nginxDirectives(text);
    expect(d.some(([n]) => n === 'worker_processes' || n === 'worker_connections' || n === 'server')).toBe(true);
  });

  it('the tokenizer handles comments, quotes and nesting', () => {
    expect(nginxDirectives('# c\nworker_processes 2; # two\nevents { worker_connections "4096"; }\nhttp { server { listen 80; } }')).toEqual([
      ['worker_processes', ['2']], ['events', []], ['worker_connections', ['4096']], ['http', []], ['server', []], ['listen', ['80']],
    ]);
  });

  it.each([['10m', 10], ['512k', 0.5], ['1g', 1024], ['1048576', 1], ['ten', null]])('nginxSizeParse(%s) = %s', (v, mib) => {
    expect(nginxSizeParse(v)).toBe(mib);
  });

  it('Traefik, Caddy, Envoy, HAProxy images (traefik is a proxy, not a native binary)', () => {
    for (const [image, server] of [['traefik:v3.1', 'traefik'], ['caddy:2', 'caddy'], ['envoyproxy/envoy:v1.31-latest', 'envoy'], ['haproxy:3.0', 'haproxy']] as const) {
      const { service } = one(compose(`  p:\n    image: ${image}\n`));
      expect(service.kind, image).toBe('proxy');
      expect(service.settings.server, image).toBe(server);
    }
  });

  it('Kong (test/corpus/kong): KONG_NGINX_WORKER_PROCESSES', () => {
    const { service } = one(compose(`  kong:\n    image: kong:3.9\n    environment:\n      KONG_DATABASE: postgres\n      KONG_NGINX_WORKER_PROCESSES: "2"\n`));
    expect(service.kind).toBe('proxy');
    expect(service.settings).toMatchObject({ server: 'kong', workers: 2 });
  });
});

describe('native: Go settings from the environment', () => {
  it('Gitea with GOMEMLIMIT and GOGC', () => {
    const { service } = one(compose(`  gitea:\n    image: gitea/gitea:1.22\n    environment:\n      GOMEMLIMIT: 200MiB\n      GOGC: "50"\n`));
    expect(service.kind).toBe('native');
    expect(service.settings).toMatchObject({ language: 'go', goMemLimit: 200, gogc: 50 });
  });
});

describe('compose edits write the runtime\'s own memory setting', () => {
  function edited(text: string, change: (s: Service) => Service) {
    const r = imported(text);
    const plan: Plan = { ...r.plan, services: r.plan.services.map(change) };
    const e = composeEdit(text, plan);
    if (!e.ok) throw new Error(JSON.stringify(e.issues));
    return { e, again: imported(e.text) };
  }

  it('Kafka: KAFKA_HEAP_OPTS added with -Xms and -Xmx, the rest of the file untouched, and it imports back', () => {
    const text = compose(`  broker:\n    image: confluentinc/cp-kafka:8.2.0\n    mem_limit: 1g\n    environment:\n      KAFKA_NODE_ID: 1 # the broker\n`);
    const { e, again } = edited(text, (s) => ({ ...s, settings: { ...s.settings, heap: 600 } }) as Service);
    expect(e.text).toContain('KAFKA_HEAP_OPTS: -Xms600m -Xmx600m');
    expect(e.text).toContain('KAFKA_NODE_ID: 1 # the broker');
    expect(settingsOf(again.plan.services[0]!).heap).toBe(600);
  });

  it('Elasticsearch: ES_JAVA_OPTS in a list keeps its other options and ${VAR:-default} form', () => {
    const text = compose(`  es:\n    image: elasticsearch:8.15.0\n    environment:\n      - discovery.type=single-node\n      - ES_JAVA_OPTS=\${ES_OPTS:--Xms512m -Xmx512m}\n`);
    const { e } = edited(text, (s) => ({ ...s, settings: { ...s.settings, heap: 384 } }) as Service);
    expect(e.text).toMatch(/ES_JAVA_OPTS=\$\{ES_OPTS:--Xms384m -Xmx384m\}/);
    expect(e.text).toContain('discovery.type=single-node');
  });

  it('Node: NODE_OPTIONS gets --max-old-space-size, other options kept', () => {
    const text = compose(`  web:\n    image: node:20\n    command: node server.js\n    environment:\n      NODE_OPTIONS: --enable-source-maps\n`);
    const { e, again } = edited(text, (s) => ({ ...s, settings: { ...s.settings, maxOldSpace: 200 } }) as Service);
    expect(e.text).toContain('NODE_OPTIONS: --enable-source-maps --max-old-space-size=200');
    expect(settingsOf(again.plan.services[0]!).maxOldSpace).toBe(200);
  });

  it('gunicorn: --workers in the command is rewritten in place; without it WEB_CONCURRENCY is set', () => {
    const a = edited(compose(`  web:\n    image: python:3.12\n    command: gunicorn --workers 8 app.wsgi\n`), (s) => ({ ...s, settings: { ...s.settings, processes: 3 } }) as Service);
    expect(a.e.text).toContain('gunicorn --workers 3 app.wsgi');
    expect(settingsOf(a.again.plan.services[0]!).processes).toBe(3);
    const b = edited(compose(`  web:\n    image: python:3.12\n    command: gunicorn app.wsgi\n`), (s) => ({ ...s, settings: { ...s.settings, processes: 3 } }) as Service);
    expect(b.e.text).toMatch(/WEB_CONCURRENCY: "?3"?/);
    expect(settingsOf(b.again.plan.services[0]!).processes).toBe(3);
  });

  it('a heap set in the command is left for the person, with a note', () => {
    const text = compose(`  app:\n    image: eclipse-temurin:21\n    command: java -Xmx2g -jar app.jar\n`);
    const { e } = edited(text, (s) => ({ ...s, settings: { ...s.settings, heap: 512 } }) as Service);
    expect(e.notes.join('\n')).toMatch(/-Xmx512m in its command by hand/);
    expect(e.text).toContain('java -Xmx2g -jar app.jar');
  });
});
