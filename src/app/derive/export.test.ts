import { describe, expect, it } from 'vitest';
import { applyChange, presetGet } from '../../engine/index.ts';
import { planOf, presetPlan } from '../../engine/testing.ts';
import { exportOf, linesText, zipName } from './export.ts';
import { composeEdit, composeImport } from '../../formats/compose-import/index.ts';
import { composeEditedFiles, fromPlanNote } from '../../formats/export/edited.ts';
import { exportOf as exportPlan } from '../../formats/export/index.ts';

describe('exportOf', () => {
  const plan = presetPlan('4gb');

  it('returns every file of the plan, memoised per plan and mode', () => {
    const s = exportOf(plan, false);
    expect(exportOf(plan, false)).toBe(s);
    expect(s.status).toBe('ok');
    if (s.status !== 'ok') return;
    expect(s.files.map((f) => f.path)).toContain('docker-compose-4gb.yml');
    expect(s.files.map((f) => f.path)).toContain('postgresql.conf');
  });

  it('the target picks the stack file (the page’s “Runs on”), memoised per target; the zip is named after it', () => {
    const swarm = exportOf(plan, false, 'swarm');
    const k8s = exportOf(plan, false, 'kubernetes');
    expect(exportOf(plan, false, 'swarm')).toBe(swarm);
    if (swarm.status !== 'ok' || k8s.status !== 'ok') throw new Error('export failed');
    expect(swarm.files[0]!.path).toBe('docker-stack-4gb.yml');
    expect(k8s.files[0]!.path).toBe('kubernetes-4gb.yaml');
    expect(zipName(swarm.files)).toBe('headroom-4gb-swarm.zip');
    expect(zipName(k8s.files)).toBe('headroom-4gb-kubernetes.zip');
    const compose = exportOf(plan, false);
    if (compose.status !== 'ok') throw new Error('export failed');
    expect(zipName(compose.files)).toBe('headroom-4gb.zip');
  });

  it('tuned mode changes postgresql.conf', () => {
    const plain = exportOf(plan, false);
    const tuned = exportOf(plan, true);
    if (plain.status !== 'ok' || tuned.status !== 'ok') throw new Error('export failed');
    const conf = (files: typeof plain.files) => files.find((f) => f.path === 'postgresql.conf')!.content;
    expect(conf(tuned.files)).not.toBe(conf(plain.files));
  });

  it('names the service and the smallest limit that fits when the tuner refuses, with the change that fixes it', () => {
    const input = presetGet('4gb');
    const tiny = applyChange(input, { service: 'postgres', key: 'limit', value: '60MiB' });
    const p = planOf(tiny);
    expect(exportOf(p, false).status).toBe('ok');
    const s = exportOf(p, true);
    expect(s.status).toBe('refused');
    if (s.status !== 'refused') return;
    const r = s.refusals.find((x) => x.service === 'postgres')!;
    expect(r.text).toMatch(/^postgres: its 60 MiB limit is too small for any tuned settings; the smallest limit that fits is \d/);
    expect(r.minLimitMiB).toBeGreaterThan(60);
    expect(r.fix).toEqual({ service: 'postgres', key: 'limit', value: expect.any(String) });
    // Applying the fix makes the tuned export work.
    const fixed = planOf(applyChange(tiny, r.fix!));
    expect(exportOf(fixed, true).status).toBe('ok');
  });
});

describe('names and counts', () => {
  it('names the zip after the compose file', () => {
    expect(zipName([{ path: 'docker-compose-4gb.yml', content: '', description: '' }])).toBe('headroom-4gb.zip');
    expect(zipName([])).toBe('headroom-export.zip');
  });
  it('counts lines', () => {
    expect(linesText('')).toBe('0 lines');
    expect(linesText('a\n')).toBe('1 line');
    expect(linesText('a\nb')).toBe('2 lines');
  });
});

describe('exportOf a plan imported from a compose file (state/composeSource.ts)', () => {
  // A JVM service the plan writes with its own image name when it writes the file anew, and keys the plan does not model.
  const text = [
    'services:',
    '  search:',
    '    image: elasticsearch:8.15.0 # pinned',
    '    environment:',
    '      - discovery.type=single-node',
    '      - ES_JAVA_OPTS=-Xms512m -Xmx512m',
    '    volumes: [esdata:/usr/share/elasticsearch/data]',
    '  db:',
    '    image: postgres:16',
    '    mem_limit: 512m',
    'volumes:',
    '  esdata: {}',
    '',
  ].join('\n');
  const source = { text, envText: '', label: 'docker-compose.yml' };
  const imported = composeImport(text, { host: '4GiB' });
  if (!imported.ok) throw new Error(JSON.stringify(imported.issues));

  it('writes the user’s file with the plan’s memory settings, every other key and comment kept, and reports each edit', () => {
    const input = applyChange(imported.input, { service: 'db', key: 'limit', value: '768MiB' });
    const plan = planOf(input);
    const s = exportOf(plan, false, 'compose', source);
    if (s.status !== 'ok') throw new Error(s.message);
    expect(s.edited).toBe('docker-compose.yml');
    const compose = s.files[0]!;
    expect(compose.description).toMatch(/^docker-compose\.yml with the plan's memory settings \(1 change;/);
    expect(compose.content).toContain('image: elasticsearch:8.15.0 # pinned');
    expect(compose.content).toContain('discovery.type=single-node');
    expect(compose.content).toContain('esdata:/usr/share/elasticsearch/data');
    expect(compose.content).toMatch(/mem_limit: 768m/);
    expect(s.changes).toEqual([expect.stringMatching(/^changed services\.db\.mem_limit: 512m → 768m/)]);
    // The file the CLI's `export docker-compose.yml` writes for the same plan: one edit, two callers.
    const cli = composeEditedFiles(exportPlan(plan, { composeEdited: true }).files, (p) => {
      const e = composeEdit(text, p);
      if (!e.ok) throw new Error('edit failed');
      return e;
    }, plan, 'docker-compose.yml');
    expect(s.files).toEqual(cli.files);
    expect(s.changes).toEqual(cli.notes);
  });

  it('writes a new file for a plan without a source, and for Swarm or Kubernetes (as the CLI does)', () => {
    const plan = planOf(imported.input);
    const fresh = exportOf(plan, false);
    const swarm = exportOf(plan, false, 'swarm', source);
    if (fresh.status !== 'ok' || swarm.status !== 'ok') throw new Error('export failed');
    expect(fresh.edited).toBeNull();
    expect(fresh.files[0]!.content).not.toContain('discovery.type=single-node');
    expect(swarm.edited).toBeNull();
    expect(swarm.files[0]!.path).toMatch(/^docker-stack-/);
    // …and says what its stack file does not carry over from the user's file.
    expect(swarm.fromPlan).toBe(fromPlanNote('docker-compose.yml', 'swarm'));
    expect(swarm.fromPlan).toContain('environment, volumes, commands');
    expect(fresh.fromPlan).toBeNull();
  });
});
