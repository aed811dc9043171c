import { describe, expect, it } from 'vitest';
import { composeImport, type ComposeImportResult } from './index.ts';
import { composeSizeParse, postgresSizeParse, redisSizeParse } from './size.ts';
import { envTextParse, interpolate } from './interpolate.ts';
import { commandWords, imageRepository, shellSplit } from './words.ts';

const MiB = 1;
const ok = (r: ComposeImportResult) => {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
};
const bad = (r: ComposeImportResult) => {
  if (r.ok) throw new Error('expected a failure');
  return r;
};
const svc = (r: ComposeImportResult, name: string) => ok(r).input.services.find((s) => s.name === name)!;

describe('compose sizes (bare number = bytes)', () => {
  it.each([
    ['512m', 512], ['512M', 512], ['512mb', 512], ['512 MB', 512], ['1g', 1024], ['1.5gb', 1536], ['1GiB', 1024],
    ['65536k', 64], ['2t', 2 * 1048576], [268435456, 256], ['268435456', 256], ['1048576b', 1], [0, 0], ['.5g', 512],
  ] as const)('%s is %d MiB', (input, mib) => {
    const r = composeSizeParse(input);
    expect(r.ok && r.value).toBeCloseTo(mib * MiB, 9);
  });
  it.each(['512Q', '-1', 'm', '1i', '1.2.3m', '', 'lots'])('%s is refused with a readable message', (input) => {
    const r = composeSizeParse(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/expected a size/);
  });
  it('PostgreSQL: bare shared_buffers are 8 kB pages, bare work_mem is kB, units are binary', () => {
    expect(postgresSizeParse('16384', 8 / 1024)).toEqual({ ok: true, value: 128 });
    expect(postgresSizeParse('4096', 1 / 1024)).toEqual({ ok: true, value: 4 });
    expect(postgresSizeParse('1GB', 1)).toEqual({ ok: true, value: 1024 });
    expect(postgresSizeParse('512kB', 1)).toEqual({ ok: true, value: 0.5 });
    expect(postgresSizeParse('1XB', 1).ok).toBe(false);
  });
  it('Redis: mb is 2^20, m is 10^6, bare is bytes', () => {
    expect(redisSizeParse('256mb')).toEqual({ ok: true, value: 256 });
    expect(redisSizeParse('1gb')).toEqual({ ok: true, value: 1024 });
    expect(redisSizeParse('1000000m').ok && (redisSizeParse('1m') as { value: number }).value).toBeCloseTo(1e6 / 1048576, 9);
    expect(redisSizeParse('1048576')).toEqual({ ok: true, value: 1 });
  });
});

describe('CPU caps (cpus, deploy.resources.limits.cpus)', () => {
  const one = (extra: string) => composeImport(`services:\n  api:\n    image: python:3.12\n${extra}`);
  it.each([
    ['    cpus: 0.5\n', 0.5, 'cpus 0.5 from cpus'],
    ['    cpus: "1.5"\n', 1.5, 'cpus 1.5 from cpus'],
    ['    deploy:\n      resources:\n        limits:\n          cpus: "0.25"\n', 0.25, 'cpus 0.25 from deploy.resources.limits.cpus'],
    ['    cpus: 2\n    deploy:\n      resources:\n        limits:\n          cpus: "2.0"\n', 2, 'cpus 2 from deploy.resources.limits.cpus (and cpus, equal)'],
  ])('%j is read into the plan as the service\'s cpus, and said', (extra, cpus, read) => {
    const r = ok(one(extra));
    expect(svc(r, 'api').cpus).toBe(cpus);
    expect(r.plan.services[0]!.cpus).toBe(cpus);
    expect(r.services[0]!.read).toContain(read);
  });
  it('no cpus, or 0 (no cap to Docker), imports without one', () => {
    expect('cpus' in svc(one(''), 'api')).toBe(false);
    const zero = ok(one('    cpus: 0\n'));
    expect('cpus' in svc(zero, 'api')).toBe(false);
    expect(zero.services[0]!.warnings.join(' ')).toContain('CPU limit of 0 means no limit');
  });
  it.each([
    ['    cpus: lots\n', 'services.api.cpus', 'expected a number of CPUs like 0.5 or 2, got'],
    ['    cpus: -1\n', 'services.api.cpus', 'expected a number of CPUs'],
    ['    cpus: 1\n    deploy:\n      resources:\n        limits:\n          cpus: "2"\n', 'services.api.cpus', 'disagree'],
    ['    cpus: 5000\n', 'services.api', 'at most 1024 CPUs'],
  ])('%j is refused with its path and what was expected', (extra, path, message) => {
    const r = bad(one(extra));
    const issue = r.issues.find((i) => i.path.startsWith(path));
    expect(issue, JSON.stringify(r.issues)).toBeDefined();
    expect(issue!.message).toContain(message);
  });
});

describe('interpolation (compose-spec)', () => {
  const env = { SET: 'yes', EMPTY: '', NUM: '3' };
  it.each([
    ['${SET}', 'yes'], ['$SET', 'yes'], ['${UNSET:-dflt}', 'dflt'], ['${EMPTY:-dflt}', 'dflt'], ['${EMPTY-dflt}', ''],
    ['${UNSET-dflt}', 'dflt'], ['${SET:+alt}', 'alt'], ['${EMPTY:+alt}', ''], ['${EMPTY+alt}', 'alt'], ['${UNSET+alt}', ''],
    ['$$SET', '$SET'], ['cost $$5', 'cost $5'], ['${UNSET:-${NUM}}', '3'], ['${UNSET:-${ALSO:-deep}}', 'deep'], ['a $ b', 'a $ b'],
    ['${NUM}00m', '300m'], ['${UNSET}', ''],
  ])('%s → %s', (text, value) => {
    const r = interpolate(text, env);
    expect(r.ok && r.value).toBe(value);
  });
  it('reports unset variables', () => {
    expect(interpolate('${A}${B:-x}$C', {})).toEqual({ ok: true, value: 'x', unset: ['A', 'C'] });
  });
  it.each([
    ['${UNSET:?set it please}', /UNSET is required: set it please/],
    ['${EMPTY:?}', /EMPTY is required/],
    ['${SET', /unclosed/],
    ['${1BAD}', /invalid variable name/],
    ['${SET:x}', /invalid interpolation/],
  ])('%s fails: %s', (text, pattern) => {
    const r = interpolate(text, env);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(pattern);
  });
  it('reads .env text: export, quotes, comments, references', () => {
    const { env: e, issues } = envTextParse('# c\nexport A=1\nB="two words\\n"\nC=\'${A} literal\'\nD=${A}0 # note\nnot a line\n');
    expect(e).toEqual({ A: '1', B: 'two words\n', C: '${A} literal', D: '10' });
    expect(issues).toEqual([{ line: 6, message: expect.stringContaining('expected NAME=value') }]);
  });
});

describe('images and commands', () => {
  it.each([
    ['postgres:16', 'postgres'], ['docker.io/library/postgres:16@sha256:ab', 'postgres'], ['registry.local:5000/team/app:1', 'team/app'],
    ['localhost/x', 'x'], ['bitnami/redis', 'bitnami/redis'], ['GHCR.IO/Org/Img:Tag', 'org/img'],
  ])('%s → %s', (image, repo) => expect(imageRepository(image)).toBe(repo));
  it('splits commands as a shell would, and looks inside sh -c', () => {
    expect(shellSplit(`redis-server --save '' --x "a b" c\\ d`)).toEqual(['redis-server', '--save', '', '--x', 'a b', 'c d']);
    expect(commandWords(['sh', '-c'], 'exec redis-server --maxmemory 1mb')).toEqual(['exec', 'redis-server', '--maxmemory', '1mb']);
    expect(commandWords('/bin/bash -c "uvicorn a:b --workers 2"', undefined)).toEqual(['uvicorn', 'a:b', '--workers', '2']);
  });
});

describe('composeImport', () => {
  it('tells kinds from images and commands, each with a why', () => {
    const r = ok(composeImport(`services:
  a: {image: "timescale/timescaledb:latest-pg16"}
  b: {image: redis/redis-stack-server:7.2.0-v9}
  c: {image: python:3.12, command: "python -m uvicorn app:app"}
  d: {image: "grafana/loki:3"}
  e: {image: "prom/alertmanager"}
  f: {image: "ubuntu", command: ["postgres", "-c", "shared_buffers=1GB"]}
  g: {image: "quay.io/prometheuscommunity/postgres-exporter"}
`));
    expect(r.services.map((s) => [s.service, s.kind])).toEqual([['a', 'postgres'], ['b', 'redis'], ['c', 'fastapi'], ['d', 'native'], ['e', 'alertmanager'], ['f', 'postgres'], ['g', 'generic']]);
    expect(r.services[2]!.why).toMatch(/uvicorn/);
    expect(r.services[3]!.why).toMatch(/Loki .*catalogue/); // an application image in the catalogue (engine/catalogue.ts)
    expect(svc(r, 'f').settings).toEqual({ sharedBuffers: '1GiB', user: 'postgres', database: 'postgres' });
    expect(r.services[0]!.warnings.join()).toMatch(/timescaledb-tune/);
  });

  it('uses the host size given, and the compose name', () => {
    const r = ok(composeImport('name: shop\nservices:\n  a: {image: nginx}\n', { host: '2GiB' }));
    expect(r.input.host.ram).toBe('2GiB');
    expect(r.input.name).toBe('shop');
    expect(r.plan.host.ram).toBe(2048);
  });

  it('the shell environment wins over .env', () => {
    const text = 'services:\n  a: {image: nginx, mem_limit: "${M}"}\n';
    expect(svc(composeImport(text, { envText: 'M=300m' }), 'a').limit).toBe('300MiB');
    expect(svc(composeImport(text, { envText: 'M=300m', environment: { M: '200m' } }), 'a').limit).toBe('200MiB');
  });

  it('activates profiles from options and COMPOSE_PROFILES', () => {
    const text = 'services:\n  a: {image: nginx}\n  b: {image: nginx, profiles: [x]}\n  c: {image: nginx, profiles: [y]}\n';
    expect(ok(composeImport(text)).input.services.map((s) => s.name)).toEqual(['a']);
    expect(ok(composeImport(text, { profiles: ['x'] })).input.services.map((s) => s.name)).toEqual(['a', 'b']);
    expect(ok(composeImport(text, { environment: { COMPOSE_PROFILES: 'x,y' } })).input.services.map((s) => s.name)).toEqual(['a', 'b', 'c']);
  });

  it('gives line and column for YAML syntax errors', () => {
    const r = bad(composeImport('services:\n  a:\n    image: [nginx\n'));
    expect(r.notCompose).toBe(false);
    expect(r.issues[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number), path: expect.stringMatching(/^line \d+, column \d+$/) });
  });

  it('gives the path and position of a bad value, also through an anchor', () => {
    const r = bad(composeImport('x-l: &l\n  mem_limit: 12Q\nservices:\n  web:\n    image: nginx\n    <<: *l\n  db:\n    image: postgres\n    mem_limit: lots\n'));
    expect(r.issues).toEqual([
      { path: 'services.web.mem_limit (line 2, column 14)', line: 2, column: 14, message: expect.stringMatching(/expected a size/) },
      { path: 'services.db.mem_limit (line 9, column 16)', line: 9, column: 16, message: expect.stringMatching(/"lots"/) },
    ]);
  });

  it('refuses mem_limit and deploy limits that disagree, as compose does', () => {
    const r = bad(composeImport('services:\n  a:\n    image: nginx\n    mem_limit: 512m\n    deploy: {resources: {limits: {memory: 1g}}}\n'));
    expect(r.issues[0]!.message).toMatch(/disagree/);
  });

  it.each([
    ['', /empty/, true],
    ['host: {ram: 4g}\nservices: []\n', /no top-level services|services must be a mapping/, true],
    ['apiVersion: v1\nkind: Pod\n', /not a compose file: no top-level services: mapping \(keys found: apiVersion, kind\)/, false],
    ['- a\n- b\n', /got a list/, false],
    ['services: [a, b]\n', /services must be a mapping/, true],
  ])('says when YAML is not a compose file: %j', (text, pattern, planLike) => {
    const r = bad(composeImport(text));
    expect(r.notCompose).toBe(true);
    expect(r.planLike).toBe(planLike);
    expect(r.issues[0]!.message).toMatch(pattern);
  });

  it.each([
    ['a required variable', 'services:\n  a: {image: "${IMG:?set IMG}"}\n', /services\.a\.image \(line 2, column 14\)/, /IMG is required: set IMG/],
    ['a service that is not a mapping', 'services:\n  a: nginx\n', /services\.a/, /expected a mapping/],
    ['an unknown x-headroom kind', 'services:\n  a: {image: nginx, x-headroom: {kind: oracle}}\n', /services\.a\.x-headroom\.kind/, /expected one of fastapi/],
    ['a bad x-headroom setting', 'services:\n  a: {image: redis, x-headroom: {settings: {maxmemory: lots}}}\n', /services\.a/, /settings\.maxmemory/],
    ['an extends cycle', 'services:\n  a: {image: x, extends: b}\n  b: {image: x, extends: a}\n', /services\.[ab]\.extends/, /cycle/],
    ['extends of nothing', 'services:\n  a: {image: x, extends: zz}\n', /services\.a\.extends/, /no service "zz"/],
    ['a name the plan cannot take', 'services:\n  _hidden: {image: x}\n', /services\._hidden/, /name/],
    ['bad replicas', 'services:\n  a: {image: x, deploy: {replicas: many}}\n', /services\.a\.deploy/, /replicas/],
    ['a duplicate key', 'services:\n  a: {image: x}\n  a: {image: y}\n', /line 3, column 3/, /unique/],
  ])('reports %s with its path', (_label, text, path, message) => {
    const r = bad(composeImport(text));
    expect(r.issues[0]!.path).toMatch(path);
    expect(r.issues[0]!.message).toMatch(message);
  });

  it('x-headroom sets the kind and settings compose cannot say', () => {
    const r = ok(composeImport('services:\n  api:\n    build: .\n    mem_limit: 1g\n    x-headroom: {kind: fastapi, settings: {workers: 4, perWorker: 150MiB}}\n'));
    expect(svc(r, 'api')).toEqual({ name: 'api', kind: 'fastapi', limit: '1GiB', settings: { workers: 4, perWorker: '150MiB' } });
    expect(r.services[0]!.why).toMatch(/x-headroom\.kind says fastapi/);
  });

  it('notes unset variables, the obsolete version key and reservations', () => {
    const r = ok(composeImport('version: "3"\nservices:\n  a: {image: "nginx:${TAG}", mem_reservation: 64m}\n'));
    expect(r.notes.join('\n')).toMatch(/version: 3 is obsolete/);
    expect(r.notes.join('\n')).toMatch(/\$\{TAG\}/);
    expect(r.services[0]!.warnings.join()).toMatch(/reservation 64MiB/);
  });

  it('calls out a bare number under 6 MiB as bytes ("512 bytes: did you mean 512m?"), not a silent 1 KiB limit', () => {
    for (const [doc, key] of [['mem_limit: 512', 'mem_limit'], ['mem_limit: "512"', 'mem_limit'], ['deploy: {resources: {limits: {memory: 512}}}', 'deploy.resources.limits.memory']] as const) {
      const r = ok(composeImport(`services:\n  a:\n    image: nginx\n    ${doc}\n`));
      expect(r.services[0]!.warnings.join('\n'), doc).toContain(`${key}: 512 bytes: did you mean 512m?`);
    }
    // A bare number that is a real size (here 512 MiB in bytes), or a size with a unit, is not called out.
    for (const doc of ['mem_limit: 536870912', 'mem_limit: 512m', 'mem_limit: 512k']) {
      const r = ok(composeImport(`services:\n  a:\n    image: nginx\n    ${doc}\n`));
      expect(r.services[0]!.warnings.join('\n'), doc).not.toMatch(/did you mean/);
    }
  });

  it('does not follow extends into another file, and says so', () => {
    const r = ok(composeImport('services:\n  a: {image: nginx, extends: {file: base.yml, service: web}}\n'));
    expect(r.notes.join()).toMatch(/another file: not followed/);
  });

  it('refuses more than the input policy\'s 4 MiB of text before parsing', () => {
    const r = bad(composeImport('#'.repeat(4 * 1024 * 1024 + 1)));
    expect(r.issues[0]!.message).toMatch(/at most 4 MiB/);
  });

  it('survives alias bombs with a readable error', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    bomb.push('services: {s: {image: x, labels: *i}}');
    const r = bad(composeImport(bomb.join('\n')));
    expect(r.issues[0]!.message).toMatch(/alias/i);
  });
});

describe('values of side files in messages', () => {
  // A mounted config with prose and plain words (as signoz's and mailcow's carry) and one secret.
  const files: Record<string, string> = {
    './app.env': 'API_TOKEN=S3cr3t-t0ken\nMODE=default # the usual mode\nGREETING="hello there friend"\nNOTE: this is the file for the setup\n',
  };
  const compose = `services:
  tls-genkeys:
    image: example/genkeys:1
    profiles: [setup]
  app:
    image: example/app:1
    env_file: [./app.env]
    mem_limit: S3cr3t-t0ken
`;
  it('hides a secret wherever a message repeats it', () => {
    const text = JSON.stringify(composeImport(compose, { readFile: (p) => files[p] }));
    expect(text).not.toContain('S3cr3t-t0ken');
    expect(text).toContain('(a value from a file, not shown)');
  });

  it('never hides a plain word of the messages (prose and plain settings of the side file)', () => {
    const r = composeImport(compose.replace('mem_limit: S3cr3t-t0ken', 'mem_limit: 256m'), { readFile: (p) => files[p] });
    expect(r.ok).toBe(true);
    const text = JSON.stringify(r);
    // "the", "for", "setup", "default" come from prose and plain settings: the messages keep them.
    expect(text).not.toContain('not shown');
    expect(text).toMatch(/tls-genkeys: skipped, its profiles \(setup\) are not active \(set COMPOSE_PROFILES to include them\)/);
  });

  it('hides a quoted value with spaces as one value', () => {
    const q = composeImport(`services:\n  app:\n    image: example/app:1\n    env_file: [./app.env]\n    mem_limit: "hello there friend"\n`, { readFile: (p) => files[p] });
    expect(JSON.stringify(q)).not.toContain('hello there friend');
  });
});
