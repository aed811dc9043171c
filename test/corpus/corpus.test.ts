/**
 * The public compose corpus (test/corpus/README.md): real compose files of self-hosted projects,
 * kept byte for byte with the files they read. For every entry this test
 * - imports the file the way the CLI does (the `.env` beside it, the shell environment, mounted
 *   files read relative to it) and checks it imports, or fails as the manifest expects, with
 *   every problem naming its path;
 * - prints the services with the kind each was recognised as, and the share of `generic` ones;
 * - runs the shipped CLI's `check`, `capacity`, `export` and `export --tuned` on it and checks
 *   that each answers or refuses with a clear message: no crash, no stack trace, no NaN;
 * - prints what looks wrong in those answers (the evidence issues 10 and 11 fix), without
 *   asserting it: those are known bugs, not this test's subject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { evaluate } from '../../src/engine/index.ts';
import { fit } from '../../src/engine/fit.ts';
import type { Plan } from '../../src/engine/schema.ts';
import { fixesThatDoNotClear } from '../../src/engine/findings/fixes.ts';
import { imageRepository } from '../../src/formats/compose-import/index.ts';
import { cliHarness, type CliRun } from '../../src/cli/testing.ts';
import type { CorpusEntry } from './manifest.ts';
import { CORPUS_DIR as DIR, corpusManifest, genericShare, genericShareText, importAsCli, layout, MIN_RAM_BAND, minRamPairs, minRamTable, shellEnv, withDocumentedSwap } from './survey.ts';

const { parsed, entries: ENTRIES } = corpusManifest();

/** Every file under `dir`, relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p, base) : [relative(base, p)];
  });
}

/** A CLI answer is clear: no crash, no stack trace, no NaN/Infinity/undefined printed. */
function expectClear(run: CliRun, what: string, codes: number[]): void {
  const all = `${run.out}\n${run.err}`;
  expect(run.code, `${what} exit code (stderr: ${run.err.slice(0, 500)})`).not.toBeNull();
  expect(codes, `${what}: exit ${run.code}, stderr: ${run.err.slice(0, 500)}`).toContain(run.code);
  expect(all, `${what} printed an internal error`).not.toMatch(/internal error/);
  expect(all, `${what} printed a stack trace`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(all, `${what} printed NaN, Infinity or undefined`).not.toMatch(/\bNaN\b|\bInfinity\b|\bundefined\b/);
  if (run.code === 2) {
    const lines = run.err.trim().split('\n');
    for (const line of lines) expect(line, `${what}: a refusal line without "error: PATH:"`).toMatch(/^error: \S.*: /);
  }
}

/** The images issue 10 names (and its brief's list of the corpus's own), by repository: none may import as generic. */
const NAMED_IMAGES: readonly RegExp[] = [
  /clickhouse-server$/, /(^|\/)(cp-)?(kafka|zookeeper)$/, /(^|\/)memcached$/, /(^|\/)nginx$/, /(^|\/)traefik$/, /(^|\/)minio$/, /(^|\/)caddy$/, /(^|\/)kong$/,
  /zulip-postgresql$/, /(^|\/)(postgres|postgis|pgvector|pgvecto-rs|timescaledb|pgautoupgrade)$/, /(^|\/)(redis|valkey|keydb|redis-stack)$/,
  /immich-(server|machine-learning)$/, /getsentry\/(snuba|relay|symbolicator)$/, /goauthentik\/server$/, /n8nio\/n8n$/, /gitea$/, /mattermost/, /rocket\.chat$/,
  /outline$/, /zulip-server$/, /grafana\/(loki|promtail)$/, /elasticsearch$/, /(^|\/)nats$/, /mysql$|mariadb$/, /(^|\/)mongo(db-community-server)?$/, /rabbitmq$/,
];

/** The generic share measured with the ruby, php and beam kinds (32 of 294, 10.9%; 30 since Kibana is told from its mounted config and zammad-nginx from Zammad's entrypoint, 10.2%), rounded up: it may only fall. Issue 10's target is under 20%. */
const GENERIC_SHARE_CEILING = 11;

/**
 * Projects whose documented minimum RAM the smallest host Headroom says fits is outside the band,
 * and why (the test prints each pair). A project leaves this list when the model is fixed.
 */
const OUTSIDE_THE_BAND: Readonly<Record<string, string>> = {
  'docker-mailserver': "2×: on 512 MiB the host reserve's high end is 357 MiB: the kernel and system 175 of it (measured in a 512 MiB VM, Debian 12 with Docker, unattended-upgrades and fail2ban, plus the kernel memory a running stack adds: calibration/kernel.json, host.ts), dockerd, containerd and the shim the rest (measured here, with margins: calibration/host.json). The container is the sum of the services its mailserver.env starts (catalogue.ts, DMS_PARTS, measured here at rest: Postfix, Dovecot, supervisord, rsyslog and cron 38 MiB, Amavis (ENABLE_AMAVIS=1) 59, OpenDKIM 7, OpenDMARC 2: 106 MiB typical, 159 MiB at its high end, ClamAV off): 516 MiB at the high end, 4 MiB over the RAM; and at typical usage 146 MiB stays free, under the criterion (500 MiB), which no 512 MiB host can meet. So 1 GiB. The FAQ's 512 MB minimum comes with ClamAV off and swap (its recommended setup: 2 GB and swap enabled for the container)",
  elk: "2.7×: the project's own defaults exceed its 1.5 GB: its README caps the heaps at 512 MiB (Elasticsearch) and 256 MiB (Logstash) 'to accommodate … Docker Desktop for Mac has only 2 GB available by default' (deviantony/docker-elk README, JVM tuning); with metaspace, code cache, GC and threads (the jvm kind's model) their limits come to 1.67 GiB, plus the reserve (452 MiB typical, 574 high on 2 GiB: the kernel and system measured in VMs, calibration/kernel.json) over 2 GiB, and Kibana (Node.js) comes on top, so 4 GiB",
  huginn: "4×: the documented 0.5 GB is the manual (non-Docker) install's, with 0.5 GB of swap ('can feel a bit slow due to swapping'; the pair's hosts carry that swap too); the compose file runs MySQL 8 with its defaults (its model: 445 MiB typical, a 784 MiB limit at its high end, performance_schema 211–396 MiB of it) which with the reserve (421 MiB typical on 1 GiB: the kernel and system measured in a 1 GiB VM, calibration/kernel.json) is over 1 GiB alone, plus two Huginn processes at 175 MiB (huginn#2512, assumed): typical usage on 1 GiB is 1.19 GiB, over the RAM whatever the swap, so 2 GiB",
  zammad: "2×: 8 GiB against the documented 4 GiB, since the kernel and system were measured (calibration/kernel.json: 496 MiB typical, 558 high in a 4 GiB VM, against the 200 / 300 assumed before, when zammad fitted 4 GiB). On 4 GiB its high end is 4.47 GiB, 481 MiB over the RAM: Elasticsearch with its compose file's 1 GiB heap (-Xms1g -Xmx1g) 1.51 GiB high with the JVM's own memory, three Rails processes (railsserver, scheduler, websocket) at the ruby kind's 358 MiB high (assumed), memcached -m 256M 297, PostgreSQL 370, Redis without maxmemory 348, and the reserve 796 MiB high (10 containers). At typical usage it fits 4 GiB with 854 MiB free: the documented 4 GB holds while nothing peaks together. Zammad's own hardware page asks 4 GB plus 4 GB for an Elasticsearch on the same server: 8 GB, Headroom's answer",
  sentry: "2×: 32 GiB against the documented 16 GiB: about fifty Python/Snuba containers, each at the catalogue's 250 MiB (self-hosted#3467: 200–300 MB each), 352 MiB limits at their high end, are 16.5 GiB of limits alone. Field reports agree with Headroom, not the minimum: getsentry/self-hosted#3566 (25.1.0): 'the memory usage is about 16GB. It force me must use a 32GB machine to avoid memory crash … 16GB is definitely not enough'",
};

type Row = { id: string; entry: CorpusEntry; plan: Plan; services: Array<{ name: string; kind: string; image: string; why: string }> };
const rows: Row[] = [];
const observations: string[] = [];
const note = (id: string, text: string) => observations.push(`${id}: ${text}`);

describe('the public compose corpus', () => {
  it('has a manifest that matches its schema and its files', () => {
    if (!parsed.success) throw new Error(`manifest.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    expect(ENTRIES.length).toBeGreaterThanOrEqual(35);
    expect(new Set(ENTRIES.map((e) => e.id)).size).toBe(ENTRIES.length);
    // At least 12 projects document a minimum RAM, each quoted with its source.
    expect(ENTRIES.filter((e) => e.ram?.minimumMiB).length).toBeGreaterThanOrEqual(12);
    // The folders are the entries, and each folder holds exactly the files listed.
    const folders = readdirSync(DIR).filter((f) => statSync(join(DIR, f)).isDirectory()).sort();
    expect(folders).toEqual(ENTRIES.map((e) => e.id).sort());
    for (const e of ENTRIES) {
      expect(walk(join(DIR, e.id)).sort(), e.id).toEqual([...e.files].sort());
      expect(e.files, e.id).toContain(e.compose);
      for (const from of Object.values(e.as ?? {})) expect(e.files, `${e.id}: as`).toContain(from);
    }
  });

  describe.each(ENTRIES.map((e) => [e.id, e] as const))('%s', (_id, entry) => {
    let root = '';
    beforeAll(() => {
      root = layout(entry, mkdtempSync(join(tmpdir(), 'headroom-corpus-')));
    });
    afterAll(() => rmSync(dirname(root), { recursive: true, force: true }));

    it('imports as the CLI reads it, or fails as the manifest expects with path-named errors', () => {
      const r = importAsCli(entry, root);
      if (entry.expect === 'imports') {
        if (!r.ok) throw new Error(`${entry.compose}: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
        expect(r.services.length).toBeGreaterThan(0);
        for (const s of r.services) expect(s.why.length, s.service).toBeGreaterThan(10);
        const imageOf = (name: string) => {
          const image = (r.input.services.find((x) => x.name === name)?.settings as { image?: unknown } | undefined)?.image;
          return typeof image === 'string' ? imageRepository(image) : '';
        };
        rows.push({ id: entry.id, entry, plan: r.plan, services: r.services.map((s) => ({ name: s.service, kind: s.kind, image: imageOf(s.service), why: s.why })) });
        const report = evaluate(r.plan);
        expect(JSON.stringify(report)).not.toMatch(/NaN|null,"typical"/);
        // No limit, no headroom of its own (issue 11): its risk is the host's.
        for (const s of report.services.filter((x) => x.limitMiB === null)) expect(s.headroomMiB, s.name).toBeNull();
        // Applying any finding's changes removes that finding and its spike twin (issue 11).
        expect(fixesThatDoNotClear(r.input)).toEqual([]);
      } else {
        expect(r.ok, 'expected the import to fail').toBe(false);
        if (r.ok) return;
        const lines = r.issues.map((i) => `${i.path}: ${i.message}`);
        expect(lines.join('\n')).toMatch(new RegExp(entry.expect.error));
        for (const i of r.issues) expect(i.path.length, i.message).toBeGreaterThan(0);
      }
    });
  });

  // Issue 10's proof. These run after every entry above has imported (vitest runs a file's tests in order).
  it("lands none of the images issue 10 names in generic (a helper run on a server's image is not the server)", () => {
    const generic = rows.flatMap((r) => r.services.filter((s) => s.kind === 'generic' && !/not the server/.test(s.why)).map((s) => ({ ...s, id: r.id })));
    const named = generic.filter((s) => NAMED_IMAGES.some((re) => re.test(s.image)));
    expect(named.map((s) => `${s.id}/${s.name}: ${s.image}`)).toEqual([]);
  });

  it('prints the generic share across the corpus, and keeps it from growing back', () => {
    const share = genericShare(rows);
    console.log(genericShareText(share));
    expect(share.total).toBeGreaterThan(250);
    // A ratchet, not the target: the share measured when the catalogue landed (issue 10), rounded up.
    expect(share.percent).toBeLessThanOrEqual(GENERIC_SHARE_CEILING);
  });

  it(`finds the smallest host each project documenting a minimum RAM fits within ${MIN_RAM_BAND.low.toFixed(2)}–${MIN_RAM_BAND.high}× of that minimum, or names why not`, () => {
    const pairs = minRamPairs(rows.map((r) => ({ entry: r.entry, plan: r.plan, services: r.services })));
    console.log(minRamTable(pairs));
    expect(pairs.length).toBeGreaterThanOrEqual(12);
    const outside = pairs.filter((p) => !p.inBand).map((p) => p.id).sort();
    // Every pair is in the band, or outside for a reason written down here (README, "The corpus proof").
    expect(outside).toEqual(Object.keys(OUTSIDE_THE_BAND).sort());
  });

  it('gives the same smallest host whatever host fit starts from: under it, that host; on it or above, a fit', () => {
    const pairs = minRamPairs(rows.map((r) => ({ entry: r.entry, plan: r.plan, services: r.services })));
    const disagree: string[] = [];
    for (const p of pairs) {
      const row = rows.find((r) => r.id === p.id)!;
      const plan = withDocumentedSwap(row.plan, row.entry);
      for (const ram of [1024, 2048, 4096, 16384, 65536]) {
        const f = fit({ ...plan, host: { ...plan.host, ram } });
        const said = f.fits ? 'fits' : `${f.hostMiB} MiB`;
        const expected = p.headroomMiB !== null && ram >= p.headroomMiB ? 'fits' : `${p.headroomMiB} MiB`;
        if (said !== expected) disagree.push(`${p.id} from ${ram} MiB: ${said}, from 512 MiB: ${expected}`);
      }
    }
    expect(disagree).toEqual([]);
  });

  afterAll(() => {
    const lines = ['', 'services per project, with the kind each was recognised as:'];
    for (const r of [...rows].sort((a, b) => a.id.localeCompare(b.id))) {
      const g = r.services.filter((s) => s.kind === 'generic').length;
      lines.push(`  ${r.id} (${r.services.length} services, ${g} generic)`);
      for (const s of r.services) lines.push(`      ${s.kind.padEnd(12)} ${s.name}`);
    }
    if (rows.length > 0) lines.push(genericShareText(genericShare(rows)));
    console.log(lines.join('\n'));
  });
});

/** The corpus's own scrape jobs (a mounted prometheus.yml) the exports kept, printed at the end. */
const scrapeJobsKept: string[] = [];

/** Each corpus file's check verdict, and how many of its services are generic (printed at the end). */
const verdicts: { id: string; outcome: string; generic: number; services: number }[] = [];

/** The CLI commands run on every entry; `export` writes into a folder beside the entry's copy. */
const COMMANDS = {
  check: (e: CorpusEntry, file: string) => ['check', file, '--host', e.host],
  capacity: (e: CorpusEntry, file: string) => ['capacity', file, '--host', e.host],
  export: (e: CorpusEntry, file: string, out: string) => ['export', file, '--host', e.host, '--out', join(out, 'export')],
  'export --tuned': (e: CorpusEntry, file: string, out: string) => ['export', file, '--host', e.host, '--out', join(out, 'export-tuned'), '--tuned'],
} as const;
type CommandName = keyof typeof COMMANDS;

/** Runs the bundled CLI without blocking, so that several runs share the two cores. */
function runAsync(bundle: string, args: string[], cwd: string, env: Record<string, string>): Promise<CliRun> {
  return new Promise((done) => {
    execFile('node', [bundle, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, out: stdout, err: stderr });
    });
  });
}

describe('the CLI on the public compose corpus', () => {
  const cli = cliHarness('corpus');
  const entries = ENTRIES.filter((e) => e.expect === 'imports');
  const results = new Map<string, CliRun>();
  const roots = new Map<string, string>();
  // One hook runs every command on every entry, four at a time (measured here: 208 s one at a
  // time, the CLI spends most of it starting up); the tests below read the answers.
  beforeAll(async () => {
    cli.build();
    const jobs: Array<() => Promise<void>> = [];
    for (const e of entries) {
      const root = layout(e, mkdtempSync(join(tmpdir(), 'headroom-corpus-cli-')));
      roots.set(e.id, root);
      const dir = dirname(join(root, e.compose));
      for (const name of Object.keys(COMMANDS) as CommandName[]) {
        jobs.push(async () => {
          results.set(`${e.id} ${name}`, await runAsync(cli.bundle, COMMANDS[name](e, join(root, e.compose), dirname(root)), dir, shellEnv(e, dir)));
        });
      }
    }
    const next = async (): Promise<void> => {
      const job = jobs.shift();
      if (!job) return;
      await job();
      return next();
    };
    await Promise.all([next(), next(), next(), next()]);
  }, 600_000);
  afterAll(() => {
    rmSync(cli.dir, { recursive: true, force: true });
    for (const root of roots.values()) rmSync(dirname(root), { recursive: true, force: true });
    if (verdicts.length > 0) {
      const count = (o: string) => verdicts.filter((v) => v.outcome === o);
      const share = (list: typeof verdicts) => {
        const services = list.reduce((n, v) => n + v.services, 0);
        return services ? `${Math.round((100 * list.reduce((n, v) => n + v.generic, 0)) / services)}% generic` : '—';
      };
      console.log(['', `check verdicts on ${verdicts.length} corpus files:`, ...['PASS', 'FAIL', 'CANNOT TELL'].map((o) => `  ${o}: ${count(o).length} (${share(count(o))})`)].join('\n'));
    }
    console.log(['', `scrape jobs of a mounted prometheus.yml kept by the exports: ${scrapeJobsKept.length ? '' : 'none (no entry mounts a prometheus.yml that Headroom reads)'}`, ...scrapeJobsKept.map((k) => `  ${k}`)].join('\n'));
    if (observations.length > 0) console.log(['', 'answers that look wrong (evidence for issues 10 and 11, not asserted here):', ...observations.map((o) => `  - ${o}`)].join('\n'));
  });

  describe.each(entries.map((e) => [e.id, e] as const))('%s', (_id, entry) => {
    const answer = (name: CommandName) => results.get(`${entry.id} ${name}`)!;
    const file = () => join(roots.get(entry.id)!, entry.compose);

    it('check answers or refuses clearly', () => {
      const r = answer('check');
      expectClear(r, 'check', [0, 1, 2, 3]);
      const outcome = /^(FAIL|PASS|CANNOT TELL): /m.exec(r.out)?.[1];
      if (r.code !== 2) {
        // The verdict line says the outcome the exit code says (0 PASS, 1 FAIL, 3 CANNOT TELL).
        expect(outcome, 'check printed no verdict').toBe({ 0: 'PASS', 1: 'FAIL', 3: 'CANNOT TELL' }[r.code ?? -1]);
        verdicts.push({ id: entry.id, outcome: outcome!, generic: 0, services: 0 });
      }
      const imported = rows.find((x) => x.id === entry.id)?.services ?? [];
      const generic = imported.filter((s) => s.kind === 'generic').length;
      const verdict = /^(FAIL|PASS|CANNOT TELL):.*$/m.exec(r.out)?.[0];
      const row = verdicts.find((v) => v.id === entry.id);
      if (row) Object.assign(row, { generic, services: imported.length });
      if (r.code === 0 && verdict?.startsWith('PASS') && generic * 2 > imported.length) note(entry.id, `check says "${verdict}" on ${entry.host} with ${generic} of ${imported.length} services guessed (generic)`);
      else if (entry.ram?.minimumMiB && verdict) note(entry.id, `on its documented minimum (${entry.host}) check says: ${verdict}`);
      const findings = (r.out.match(/^\S+ +(info|warning|critical) +\S/gm) ?? []).length;
      if (findings > 40) note(entry.id, `check prints ${findings} findings`);
      const free = /(free|fall to) (−|-)\s?[\d.,]+ ?[GM]iB/.exec(r.out);
      if (free) note(entry.id, `check prints "${free[0]}"`);
    });

    it('capacity answers or refuses clearly', () => {
      const r = answer('capacity');
      expectClear(r, 'capacity', [0, 2]);
      if (r.code === 0) {
        // Finite and named, or null with its reason (issue 11): never "no check breaks up to 100,000,000 users".
        expect(r.out).not.toMatch(/no check breaks up to 100,000,000 users/);
        const normal = /^normal traffic: (.*)$/m.exec(r.out)?.[1] ?? '';
        expect(normal, 'capacity names no normal-traffic answer').toMatch(/^(carries [\d,]+ active users|fails even with no users|no user count: .{20,})/);
        if (normal.startsWith('carries')) {
          // The first check to break, in words (finding-words.ts), then its message; ids stay in --json.
          expect(r.out).toMatch(/✖ first \S.*?: \S/);
          expect(r.out).not.toMatch(/✖ first [a-z-]+ \[/);
        }
        if (normal.startsWith('fails even')) expect(r.out).toMatch(/^fix first/m);
      }
      const idle = /fails even with no users[^\n]*\n[^\n]*$/m.exec(r.out);
      if (idle) note(entry.id, `capacity says "${idle[0].replace(/\s+/g, ' ').trim()}"`);
      const cheap = /\$0\.0\d\b.*$/m.exec(r.out);
      if (cheap) note(entry.id, `capacity prints "${cheap[0].trim()}"`);
    });

    for (const name of ['export', 'export --tuned'] as const) {
      it(`${name} answers or refuses clearly, and writes a compose file that still parses with every service`, () => {
        const r = answer(name);
        expectClear(r, name, [0, 2]);
        if (r.code !== 0) return;
        const out = join(dirname(roots.get(entry.id)!), name === 'export' ? 'export' : 'export-tuned');
        const written = readdirSync(out).filter((f) => /compose.*\.ya?ml$/.test(f));
        expect(written.length, 'the export names no compose file').toBeGreaterThan(0);
        const input = readFileSync(file(), 'utf8');
        const output = readFileSync(join(out, written[0]!), 'utf8');
        const before = parse(input, { merge: true, maxAliasCount: -1 }) as { services: Record<string, unknown> };
        const after = parse(output, { merge: true, maxAliasCount: -1 }) as { services: Record<string, unknown> };
        for (const svc of Object.keys(before.services)) expect(Object.keys(after.services), `export dropped ${svc}`).toContain(svc);
        if (name === 'export --tuned') {
          const userMax = [...JSON.stringify(before).matchAll(/max_connections[=: ]+(\d+)/g)].map((m) => Number(m[1]));
          const newMax = [...JSON.stringify(after).matchAll(/max_connections[=: ]+(\d+)/g)].map((m) => Number(m[1]));
          if (newMax.length > 0) note(entry.id, `export --tuned writes max_connections=${newMax.join(', ')}${userMax.length ? ` (the file had ${userMax.join(', ')})` : ' (the file set none: the server default is 100)'}`);
          const changes = /\((\d+) changes?; every other key/.exec(r.out);
          if (changes?.[1] === '0' && output !== input) note(entry.id, 'export --tuned reports "0 changes" but the compose file it wrote differs from the input');
        }
        // The scrape jobs of a prometheus.yml the stack mounts are kept, as written, in the exported one (issue 11).
        const imported = importAsCli(entry, roots.get(entry.id)!);
        if (!imported.ok) return;
        const proms = imported.plan.services.filter((s) => s.kind === 'prometheus');
        for (const p of proms) {
          if (p.kind !== 'prometheus' || !p.settings.scrapeJobs?.length) continue;
          const yml = join(out, proms.length === 1 ? 'prometheus.yml' : `prometheus-${p.name}.yml`);
          const jobs = (parse(readFileSync(yml, 'utf8')) as { scrape_configs?: Array<Record<string, unknown>> }).scrape_configs ?? [];
          for (const j of p.settings.scrapeJobs) {
            const kept = jobs.find((x) => x.job_name === j.job);
            expect(kept, `${name} dropped ${p.name}'s scrape job ${j.job}`).toBeDefined();
            // As written, but for the relabel rules appended after the user's own (they fill the service label).
            const { relabel_configs: relabel, ...rest } = kept!;
            const { relabel_configs: written, ...writtenRest } = j.config;
            expect(rest).toEqual({ ...writtenRest, job_name: j.job });
            expect(((relabel ?? []) as unknown[]).slice(0, Array.isArray(written) ? written.length : 0)).toEqual(written ?? []);
          }
          scrapeJobsKept.push(`${entry.id} (${name}): ${p.name} ${p.settings.scrapeJobs.length} job(s) kept`);
        }
      });
    }
  });
});
