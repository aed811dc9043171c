import { describe, expect, it } from 'vitest';
import { enumOptions, HOST_FIELDS, kindFields, LIMIT_FIELD, textToValue, WORKLOAD_FIELDS } from './fields.ts';
import { SERVICE_KINDS, SETTINGS_SCHEMAS } from '../../engine/index.ts';

describe('textToValue', () => {
  it.each([
    ['512m', { kind: 'set', value: '512m' }],
    [' 1.5GiB ', { kind: 'set', value: '1.5GiB' }],
    ['none', { kind: 'set', value: null }],
    ['', { kind: 'invalid' }],
  ])('limit %j', (text, expected) => {
    expect(textToValue(LIMIT_FIELD, text)).toMatchObject(expected);
  });

  it.each([
    ['3', 3],
    ['1e30', 1e30],
    ['-5', -5],
    ['2.5', 2.5],
  ])('numbers are converted for the schema to judge: %s', (text, value) => {
    expect(textToValue(WORKLOAD_FIELDS.spike, text)).toEqual({ kind: 'set', value });
  });

  it('text that is no number is refused with the reason', () => {
    expect(textToValue(WORKLOAD_FIELDS.activeUsers, 'abc')).toEqual({ kind: 'invalid', message: 'expected a number, got "abc"' });
  });

  it('blank optional settings fall back to the default', () => {
    expect(textToValue(HOST_FIELDS.swap, '  ')).toEqual({ kind: 'delete' });
  });

  it('auto and booleans', () => {
    expect(textToValue(HOST_FIELDS.reserve, 'AUTO')).toEqual({ kind: 'set', value: 'auto' });
    expect(textToValue({ key: 'preload', label: 'preload', type: 'bool' }, 'true')).toEqual({ kind: 'set', value: true });
  });
});

describe('field table', () => {
  it('every setting field names a key of its kind’s schema', () => {
    for (const kind of SERVICE_KINDS) {
      const fields = kindFields(kind);
      const shape = (SETTINGS_SCHEMAS[kind as keyof typeof SETTINGS_SCHEMAS] as unknown as { shape: Record<string, unknown> }).shape;
      for (const f of fields) expect(shape, `${kind}.${f.key}`).toHaveProperty(f.key.split('.')[0]!);
    }
  });

  it('enum choices come from the schema', () => {
    expect(enumOptions('redis', 'persistence')).toEqual(['none', 'rdb', 'aof']);
    expect(enumOptions('pgbouncer', 'poolMode')).toContain('transaction');
  });
});
