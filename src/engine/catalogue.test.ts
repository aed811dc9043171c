/** The application catalogue (catalogue.ts): every figure sourced, and how a catalogued service is modelled and based. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { APP_CATALOGUE, catalogueBasis, catalogueEntry, catalogueOf, catalogueParts, partsFootprint } from './catalogue.ts';
import { planOf } from './testing.ts';
import { evaluate } from './evaluate.ts';
import { PYTHON_DEFAULTS, tunePython } from './kinds/python.ts';
import type { ServiceOf } from './schema.ts';
import type { PlanInput } from './schema.ts';

/** A source names where the figure is: a URL, `owner/repo@commit:path`, or a project's docs or README. */
const SOURCE = /https:\/\/\S+|[\w.-]+\/[\w.-]+@[0-9a-f]{40}:\S+|\b(docs|README)\b/;

describe('the application catalogue', () => {
  it('has unique ids, a runtime for every entry and a source for every figure', () => {
    expect(new Set(APP_CATALOGUE.map((e) => e.id)).size).toBe(APP_CATALOGUE.length);
    for (const e of APP_CATALOGUE) {
      expect(e.runtime.length, e.id).toBeGreaterThan(5);
      if (e.kind === 'native') expect(e.language, e.id).toBeDefined();
      for (const f of [e.memory?.typical, e.memory?.low, e.memory?.high]) {
        if (!f) continue;
        expect(f.mib, e.id).toBeGreaterThan(0);
        expect(f.source, e.id).toMatch(SOURCE);
      }
      if (e.memory?.low) expect(e.memory.low.mib, e.id).toBeLessThanOrEqual(e.memory.typical.mib);
      if (e.memory?.high) expect(e.memory.high.mib, e.id).toBeGreaterThanOrEqual(e.memory.typical.mib);
    }
  });

  it("reads one figure for one server wherever it runs: mailcow's ClamAV and Rspamd images take docker-mailserver's ClamAV and Rspamd parts' figures", () => {
    const dms = catalogueOf('docker-mailserver/docker-mailserver')!;
    const part = (id: string) => dms.parts!.find((p) => p.id === id)!;
    for (const [image, id] of [['mailcow/clamd', 'clamav'], ['ghcr.io/mailcow/rspamd', 'rspamd']] as const) {
      const e = catalogueOf(image.replace(/^ghcr\.io\//, ''))!;
      expect(e.kind, image).toBe('native');
      expect(e.memory?.typical, image).toBe(part(id).memory);
      expect(e.memory?.high, image).toBe(part(id).high);
      // Documented: the figures settle the verdict as a model does (a source, not this host's measure).
      expect(catalogueBasis(e.id, e.memory!.typical.mib, 32), image).toBe('documented');
    }
  });

  it.each([
    ['getsentry/snuba', 'snuba'], ['sentry-self-hosted-local', 'sentry'], ['getsentry/relay', 'sentry-relay'], ['immich-app/immich-machine-learning', 'immich-machine-learning'],
    ['goauthentik/server', 'authentik'], ['n8nio/n8n', 'n8n'], ['go-gitea/gitea', 'gitea'], ['gitea/gitea', 'gitea'], ['mattermost/mattermost-enterprise-edition', 'mattermost'],
    ['grafana/loki', 'loki'], ['grafana/promtail', 'loki'], ['zulip/zulip-server', 'zulip'], ['nats', 'nats'],
  ])('%s is %s', (repo, id) => expect(catalogueOf(repo)?.id).toBe(id));

  it('claims no data store or proxy image the kinds know themselves', () => {
    for (const repo of ['postgres', 'redis', 'valkey/valkey', 'mysql', 'mariadb', 'mongo', 'clickhouse/clickhouse-server', 'rabbitmq', 'memcached', 'minio/minio', 'nginx', 'traefik', 'caddy', 'grafana/grafana', 'prom/prometheus', 'python', 'node']) {
      expect(catalogueOf(repo), repo).toBeNull();
    }
  });
});

describe('a catalogued service: its kind\'s model of the figure, and its basis', () => {
  const input = (settings: Record<string, unknown>): PlanInput => ({ host: { ram: '8GiB' }, services: [{ name: 'ml', kind: 'python', limit: '3GiB', settings }] });
  const budget = (settings: Record<string, unknown>) => evaluate(planOf(input(settings))).services.find((s) => s.name === 'ml')!;

  it('a documented figure: the typical is the figure, the basis documented', () => {
    const b = budget({ app: 'immich-machine-learning', perProcess: '1280MiB', master: false });
    expect(b.usageMiB.typical).toBeCloseTo(1280, 0);
    expect(b.basis).toBe('documented');
  });

  it('no figure: the kind\'s default, the basis assumed', () => {
    expect(budget({ app: 'redash' }).basis).toBe('assumed');
  });

  it('the plan\'s own value replaces the figure: modelled', () => {
    expect(budget({ app: 'immich-machine-learning', perProcess: '900MiB' }).basis).toBe('modelled');
    expect(budget({ app: 'redash', perProcess: '300MiB' }).basis).toBe('modelled');
    expect(budget({}).basis).toBe('modelled');
  });

  it('catalogueBasis follows the same rule', () => {
    expect(catalogueBasis('snuba', 250, PYTHON_DEFAULTS.perProcess)).toBe('documented');
    expect(catalogueBasis('gitea', 150, 32)).toBe('assumed'); // Gitea's ~150 MiB is Headroom's reading of a rough word
    expect(catalogueBasis('redash', PYTHON_DEFAULTS.perProcess, PYTHON_DEFAULTS.perProcess)).toBe('assumed');
    // Airflow's per-process figure is a published PSS (apache/airflow#56641), no longer the python default.
    expect(catalogueBasis('airflow', 87, PYTHON_DEFAULTS.perProcess)).toBe('documented');
    expect(catalogueBasis('airflow', PYTHON_DEFAULTS.perProcess, PYTHON_DEFAULTS.perProcess)).toBeNull();
    expect(catalogueBasis(undefined, 90, 90)).toBeNull();
  });

  it('rejects an id the catalogue does not have, naming the field', () => {
    expect(() => planOf(input({ app: 'no-such-app' }))).toThrow(/app/);
  });
});

describe('catalogued figures in their kinds\' models (properties)', () => {
  const withFigure = APP_CATALOGUE.filter((e) => e.memory && (e.kind === 'python' || e.kind === 'node' || e.kind === 'native'));
  const service = (id: string, mib: number, limit: string | null = null, processes = 1): PlanInput['services'][number] => {
    const e = APP_CATALOGUE.find((x) => x.id === id)!;
    const key = e.kind === 'native' ? 'memory' : 'perProcess';
    const settings: Record<string, unknown> = { app: id, [key]: `${mib}MiB`, ...(e.kind === 'native' ? { language: e.language } : { processes }), ...(e.kind === 'python' ? { master: false } : {}) };
    return { name: 'app', kind: e.kind as 'python', limit, settings };
  };
  const usageOf = (svc: PlanInput['services'][number]) => evaluate(planOf({ host: { ram: '16GiB' }, services: [svc] })).services[0]!.usageMiB;

  it('usage is monotone in the figure, and the figure is the typical of one process', () => {
    fc.assert(fc.property(fc.constantFrom(...withFigure.map((e) => e.id)), fc.integer({ min: 8, max: 4000 }), (id, mib) => {
      const a = usageOf(service(id, mib));
      const b = usageOf(service(id, mib + 1));
      expect(b.typical).toBeGreaterThan(a.typical);
      expect(b.high).toBeGreaterThanOrEqual(a.high);
      expect(a.low).toBeLessThanOrEqual(a.typical);
      expect(a.typical).toBeLessThanOrEqual(a.high);
    }));
    for (const e of withFigure.filter((x) => x.kind !== 'node')) expect(usageOf(service(e.id, e.memory!.typical.mib)).typical, e.id).toBeCloseTo(e.memory!.typical.mib, 0);
  });

  it("python entries: the tuned process count's high usage fits the limit", () => {
    const python = withFigure.filter((e) => e.kind === 'python');
    fc.assert(fc.property(fc.constantFrom(...python.map((e) => e.id)), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 256, max: 16384 }), (id, n, limit) => {
      const e = APP_CATALOGUE.find((x) => x.id === id)!;
      const svc = service(id, e.memory!.typical.mib, `${limit}MiB`, n);
      const plan = planOf({ host: { ram: '32GiB' }, services: [svc] });
      const t = tunePython(plan, plan.services[0] as ServiceOf<'python'>);
      if (t.recommendedProcesses === null) return;
      expect(usageOf({ ...svc, settings: { ...svc.settings, processes: t.recommendedProcesses } }).high).toBeLessThanOrEqual(limit);
    }));
  });
});

describe("supervised images: the footprint is the parts their flags start (docker-mailserver)", () => {
  const dms = catalogueEntry('docker-mailserver')!;
  const flags = (dms.parts ?? []).flatMap((p) => (p.env ? [p.env] : []));
  const sum = (env: Record<string, string>) => partsFootprint(catalogueParts(dms, env));
  const on = (env: Record<string, string>) => catalogueParts(dms, env).filter((s) => s.on).map((s) => s.part.id);

  it('every part has a figure with a source, or says why it is assumed', () => {
    expect(dms.parts!.length).toBeGreaterThanOrEqual(6);
    for (const p of dms.parts!) {
      expect(p.memory.mib, p.id).toBeGreaterThan(0);
      // A measurement here names its date and method; anything else its source, or why it is assumed.
      expect(p.memory.source, p.id).toMatch(p.memory.assumed ? /^assumed: \S/ : new RegExp(`${SOURCE.source}|^measured here \\d{4}-\\d{2}-\\d{2} \\(`));
      if (p.high) expect(p.high.mib, p.id).toBeGreaterThan(p.memory.mib);
    }
  });

  it("its defaults: Amavis, OpenDKIM and OpenDMARC on, ClamAV, Rspamd, Fail2ban and Postgrey off (DMS's variables-stack.sh)", () => {
    expect(on({})).toEqual(['core', 'amavis', 'opendkim', 'opendmarc']);
    // Unset and empty are the same (mailserver.env writes `ENABLE_POP3=`).
    expect(on({ ENABLE_AMAVIS: '', ENABLE_CLAMAV: ' ' })).toEqual(on({}));
  });

  it("ClamAV adds the FAQ's 850 MiB; Rspamd the reported 250 MiB and its Redis follows ENABLE_RSPAMD unless set", () => {
    expect(sum({ ENABLE_CLAMAV: '1' }) - sum({})).toBe(850);
    expect(on({ ENABLE_RSPAMD: '1' })).toEqual(expect.arrayContaining(['rspamd', 'rspamd-redis']));
    expect(on({ ENABLE_RSPAMD: '1', ENABLE_RSPAMD_REDIS: '0' })).not.toContain('rspamd-redis');
    expect(on({ ENABLE_RSPAMD_REDIS: '1' })).toContain('rspamd-redis');
    expect(sum({ ENABLE_AMAVIS: '0' })).toBeLessThan(sum({}));
  });

  it('a value that is not 0 or 1 is read as the default and named', () => {
    const st = catalogueParts(dms, { ENABLE_CLAMAV: 'yes' }).find((s) => s.part.id === 'clamav')!;
    expect(st.on).toBe(false);
    expect(st.invalid).toMatch(/ENABLE_CLAMAV=yes is not 0 or 1/);
  });

  it('the footprint is monotone in its flags: switching any one on never lowers it (property)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('0', '1', ''), { minLength: flags.length, maxLength: flags.length }), fc.integer({ min: 0, max: flags.length - 1 }), (values, i) => {
      const env = Object.fromEntries(flags.map((f, j) => [f, values[j]!]));
      return sum({ ...env, [flags[i]!]: '1' }) >= sum({ ...env, [flags[i]!]: '0' });
    }));
  });

  it("its defaults are measured here (Postfix, Dovecot and the rest 38 MiB, Amavis 59, OpenDKIM 7, OpenDMARC 2: 106 MiB)", () => {
    expect(sum({})).toBe(106);
    expect(dms.parts!.find((p) => p.id === 'amavis')!.memory.source).toMatch(/^measured here .*master 25\.1 MiB, each virgin child 17\.1/);
  });

  it('its basis: documented while every part in the sum is sourced, assumed with an assumed one (Postgrey), the plan\'s own value modelled (null)', () => {
    expect(catalogueBasis('docker-mailserver', sum({}), 32)).toBe('documented');
    expect(catalogueBasis('docker-mailserver', sum({ ENABLE_CLAMAV: '1' }), 32)).toBe('documented');
    expect(catalogueBasis('docker-mailserver', sum({ ENABLE_POSTGREY: '1' }), 32)).toBe('assumed');
    expect(catalogueBasis('docker-mailserver', 7, 32)).toBeNull();
  });

  it("Mattermost's footprint is the in-Docker reading (assumed), the bare VM's its low, not the native default", () => {
    const mm = catalogueEntry('mattermost')!;
    expect(mm.memory?.typical.mib).toBe(500);
    expect(mm.memory?.typical.assumed).toBe(true);
    expect(mm.memory?.typical.source).toMatch(/mattermost\/mattermost\/issues\/8741/);
    expect(mm.memory?.low?.mib).toBe(116);
    expect(mm.memory?.low?.source).toMatch(/mattermost\/mattermost\/issues\/8450/);
    expect(catalogueBasis('mattermost', 500, 32)).toBe('assumed');
  });
});
