import { describe, expect, it } from 'vitest';
import { presetGet } from '../../engine/index.ts';
import { HOST_FIELDS, LIMIT_FIELD, SERVICE_FIELDS } from './fields.ts';
import { evaluate } from '../../engine/evaluate.ts';
import { plannerStoreCreate } from './store.ts';
import { composeSourceOf } from './composeSource.ts';
import { parseOf } from '../derive/engine.ts';

const open = () => plannerStoreCreate({ input: presetGet('4gb'), past: [], notices: [] });
const limit = ['services', 0, 'limit'] as const;

describe('the planner store', () => {
  it('keeps a valid edit in the plan, as typed', () => {
    const store = open();
    store.getState().actions.fieldEdit(limit, LIMIT_FIELD, '1g', 'fastapi limit');
    expect(store.getState().input.services[0]?.limit).toBe('1g');
    expect(store.getState().drafts['services[0].limit']).toEqual({ text: '1g', message: null });
  });

  it('a keystroke parses the service it edits; the others keep their parsed objects (derive/engine.ts)', () => {
    const store = open();
    const before = parseOf(store.getState().input);
    store.getState().actions.fieldEdit(limit, LIMIT_FIELD, '1g', 'fastapi limit');
    const after = parseOf(store.getState().input);
    if (!before.ok || !after.ok) throw new Error('both plans should parse');
    expect(after.plan.services[0]!.limit).toBe(1024);
    expect(after.plan.services[0]).not.toBe(before.plan.services[0]);
    after.plan.services.slice(1).forEach((s, j) => expect(s).toBe(before.plan.services[j + 1]));
  });

  it.each([
    ['abc', 'expected a size like'],
    ['-5', 'expected a size like'],
    ['1e30', 'expected a size like'],
    ['99TiB', 'up to 64 TiB'],
    ['', 'none for no limit'],
  ])('refuses %j, keeping the last good plan and the text', (text, reason) => {
    const store = open();
    const before = store.getState().input;
    store.getState().actions.fieldEdit(limit, LIMIT_FIELD, text, 'fastapi limit');
    const s = store.getState();
    expect(s.input).toBe(before);
    expect(s.drafts['services[0].limit']?.text).toBe(text);
    expect(s.drafts['services[0].limit']?.message).toMatch(new RegExp(`^fastapi limit: .*${reason}`));
    expect(s.past).toHaveLength(0);
  });

  it('host vCPUs: a number is kept, blank falls back to the default, and bad text is refused naming the field', () => {
    const store = open();
    const cpus = ['host', 'cpus'] as const;
    const { fieldEdit } = store.getState().actions;
    fieldEdit(cpus, HOST_FIELDS.cpus, '4', 'host vCPUs');
    expect(store.getState().input.host.cpus).toBe(4);
    const good = store.getState().input;
    for (const [text, reason] of [['abc', 'expected a number'], ['0', 'at least 0.1 vCPU'], ['5000', 'at most 1024 vCPUs'], ['-2', 'at least 0.1 vCPU']] as const) {
      fieldEdit(cpus, HOST_FIELDS.cpus, text, 'host vCPUs');
      expect(store.getState().input).toBe(good);
      expect(store.getState().drafts['host.cpus']?.message).toMatch(new RegExp(`^host vCPUs: .*${reason}`));
    }
    fieldEdit(cpus, HOST_FIELDS.cpus, '', 'host vCPUs');
    expect('cpus' in store.getState().input.host).toBe(false);
    const parsed = parseOf(store.getState().input);
    if (!parsed.ok) throw new Error('blank vCPUs should parse');
    expect(parsed.plan.host.cpus).toBeUndefined();
  });

  it('a service\'s CPU cap: kept as typed, its effect in the report at once, refused by the plan schema\'s bounds naming the field, blank back to none', () => {
    const store = open();
    const cpus = ['services', 0, 'cpus'] as const;
    const { fieldEdit } = store.getState().actions;
    const report = () => {
      const p = parseOf(store.getState().input);
      if (!p.ok) throw new Error('the plan should parse');
      return evaluate(p.plan);
    };
    expect(report().findings.some((f) => f.id === 'cpu-over-limit')).toBe(false);
    fieldEdit(cpus, SERVICE_FIELDS.cpus, '0.2', 'fastapi CPU cap');
    expect(store.getState().input.services[0]?.cpus).toBe(0.2);
    // Under its cap the app's CPU is over it: the finding says so, with the cap to set.
    expect(report().findings.find((f) => f.id === 'cpu-over-limit')?.fix.changes).toEqual([{ service: 'fastapi', key: 'cpus', value: 0.5 }]);
    const good = store.getState().input;
    for (const [text, reason] of [['abc', 'expected a number'], ['0', 'at least 0.01 CPU'], ['2000', 'at most 1024 CPUs'], ['none', 'expected a number']] as const) {
      fieldEdit(cpus, SERVICE_FIELDS.cpus, text, 'fastapi CPU cap');
      expect(store.getState().input).toBe(good);
      expect(store.getState().drafts['services[0].cpus']?.message).toMatch(new RegExp(`^fastapi CPU cap: .*${reason}`));
    }
    fieldEdit(cpus, SERVICE_FIELDS.cpus, '', 'fastapi CPU cap');
    expect('cpus' in store.getState().input.services[0]!).toBe(false);
    expect(report().findings.some((f) => f.id === 'cpu-over-limit')).toBe(false);
  });

  it('a service\'s replicas: all its containers counted at once, a whole 1–64 or refused naming the field, blank back to one', () => {
    const store = open();
    const replicas = ['services', 4, 'replicas'] as const;
    const { fieldEdit } = store.getState().actions;
    const grafana = () => {
      const p = parseOf(store.getState().input);
      if (!p.ok) throw new Error('the plan should parse');
      return evaluate(p.plan).services.find((s) => s.name === 'grafana')!;
    };
    const one = grafana();
    expect(one.replicas).toBe(1);
    fieldEdit(replicas, SERVICE_FIELDS.replicas, '2', 'grafana replicas');
    expect(store.getState().input.services[4]?.replicas).toBe(2);
    const two = grafana();
    expect(two.replicas).toBe(2);
    expect(two.usageMiB.high).toBeCloseTo(one.usageMiB.high * 2, 6);
    const good = store.getState().input;
    for (const text of ['0', '1.5', '65', 'two']) {
      fieldEdit(replicas, SERVICE_FIELDS.replicas, text, 'grafana replicas');
      expect(store.getState().input).toBe(good);
      expect(store.getState().drafts['services[4].replicas']?.message).toMatch(/^grafana replicas: expected (a whole number from 1 to 64|a number)/);
    }
    fieldEdit(replicas, SERVICE_FIELDS.replicas, '', 'grafana replicas');
    expect('replicas' in store.getState().input.services[4]!).toBe(false);
    expect(grafana().replicas).toBe(1);
  });

  it('a duplicate name is refused with the schema’s reason', () => {
    const store = open();
    store.getState().actions.fieldEdit(['services', 1, 'name'], { key: 'name', label: 'name', type: 'text' }, 'FastAPI', 'service 2 name');
    expect(store.getState().drafts['services[1].name']?.message).toContain('duplicate service name');
  });

  it('a typing run is one undo step; leaving the field ends it and drops the draft', () => {
    const store = open();
    const { fieldEdit, fieldEnd, undo } = store.getState().actions;
    for (const t of ['6', '60', '600']) fieldEdit(limit, LIMIT_FIELD, t, 'fastapi limit');
    fieldEnd(limit);
    expect(store.getState().past).toHaveLength(1);
    expect(store.getState().drafts).toEqual({});
    undo();
    expect(store.getState().input.services[0]?.limit).toBe('500MiB');
  });

  it('a refused draft stays after the field loses focus; Escape drops it', () => {
    const store = open();
    const { fieldEdit, fieldEnd, fieldRevert } = store.getState().actions;
    fieldEdit(limit, LIMIT_FIELD, 'abc', 'fastapi limit');
    fieldEnd(limit);
    expect(store.getState().drafts['services[0].limit']?.text).toBe('abc');
    fieldRevert(limit);
    expect(store.getState().drafts).toEqual({});
  });

  it('undo first takes back refused text, then plan steps', () => {
    const store = open();
    const { fieldEdit, fieldEnd, undo } = store.getState().actions;
    fieldEdit(limit, LIMIT_FIELD, '1g', 'fastapi limit');
    fieldEnd(limit);
    fieldEdit(limit, LIMIT_FIELD, '1gx', 'fastapi limit');
    undo();
    expect(store.getState().drafts).toEqual({});
    expect(store.getState().input.services[0]?.limit).toBe('1g');
    undo();
    expect(store.getState().input.services[0]?.limit).toBe('500MiB');
  });

  it('a fix applies as one undoable step', () => {
    const store = open();
    store.getState().actions.fixApply({ service: 'redis', key: 'settings.maxmemory', value: '104MiB' });
    expect(store.getState().input.services[2]?.settings).toMatchObject({ maxmemory: '104MiB' });
    store.getState().actions.undo();
    expect(store.getState().input.services[2]?.settings).toMatchObject({ maxmemory: '256MiB' });
  });

  it('a fix that would break the plan is refused with a notice', () => {
    const store = open();
    store.getState().actions.fixApply({ service: 'redis', key: 'limit', value: 'lots' });
    expect(store.getState().input).toEqual(presetGet('4gb'));
    expect(store.getState().notices[0]?.text).toContain('services[2].limit');
  });

  it('loading a preset is undoable and clears drafts', () => {
    const store = open();
    const { fieldEdit, planReplace, undo } = store.getState().actions;
    fieldEdit(limit, LIMIT_FIELD, 'abc', 'fastapi limit');
    planReplace(presetGet('8gb'));
    expect(store.getState().drafts).toEqual({});
    expect(store.getState().input.name).toBe('production-8gb');
    undo();
    expect(store.getState().input.name).toBe('production-4gb');
  });
});

describe('the compose file a plan was imported from (composeSource.ts)', () => {
  const source = { text: 'services:\n  db:\n    image: postgres:16\n', envText: '', label: 'docker-compose.yml' };
  const imported = { version: 1, host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'postgres', limit: null }] } as unknown as ReturnType<typeof presetGet>;

  it('goes with the imported plan through its edits, undo and redo; a preset has none, and undo brings it back', () => {
    const store = open();
    const a = store.getState().actions;
    expect(composeSourceOf(store.getState().input)).toBeNull();
    a.planReplace(imported, undefined, source);
    expect(composeSourceOf(store.getState().input)).toBe(source);
    // An edit of the imported plan keeps it: the export edits the same file.
    a.fieldEdit(['services', 0, 'limit'], LIMIT_FIELD, '1g', 'db limit');
    a.fieldEnd(['services', 0, 'limit']);
    expect(store.getState().input).not.toBe(imported);
    expect(composeSourceOf(store.getState().input)).toBe(source);
    // Back past the import: the preset's plan never had one.
    a.undo();
    a.undo();
    expect(composeSourceOf(store.getState().input)).toBeNull();
    a.redo();
    expect(composeSourceOf(store.getState().input)).toBe(source);
    // A preset loaded over it has none; undo returns to the imported plan, and to its file.
    a.planReplace(presetGet('8gb'));
    expect(composeSourceOf(store.getState().input)).toBeNull();
    a.undo();
    expect(composeSourceOf(store.getState().input)).toBe(source);
  });

  it('a plan file or preset that is the same object as an imported one does not keep its file', () => {
    const store = open();
    const a = store.getState().actions;
    const same = structuredClone(imported);
    a.planReplace(same, undefined, source);
    a.planReplace(presetGet('4gb'));
    a.planReplace(same);
    expect(composeSourceOf(store.getState().input)).toBeNull();
  });
});
