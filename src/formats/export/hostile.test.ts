/**
 * A catalogue of hostile service names, given to each generator directly (bypassing the schema):
 * the output, parsed as its tool reads it, must be the output for a plain name with only the name
 * changed. A name a format cannot carry (a line break in pgbouncer.ini) must be refused with an
 * ExportError, never written.
 */
import { describe, expect, it } from 'vitest';
import { parse as yamlParse } from 'yaml';
import { planParse, type Plan, type Service } from '../../engine/schema.ts';
import { presetGet } from '../../engine/presets.ts';
import { composeLiteral, ExportError, hasControl, mdCode, promqlString, shellQuote } from './common.ts';
import { composeYml } from './compose.ts';
import { postgresqlConf } from '../kinds/postgres.ts';
import { redisConf } from '../kinds/redis.ts';
import { connstringValue, pgbouncerIni, userlistTemplate } from '../kinds/pgbouncer.ts';
import { prometheusYml } from '../kinds/prometheus.ts';
import { alertsYml } from './alerts.ts';
import { alertsTestYml } from './alerts-test.ts';
import { alertmanagerYml } from '../kinds/alertmanager.ts';
import { runbookMd } from './runbook.ts';
import { tuningsOf } from '../../engine/tune.ts';
import { stackOf, type Stack } from './stack.ts';
import { exportFiles } from './index.ts';

/** Each payload is wrapped in zq…qz so that it is never a substring of the rest of a file. */
const PAYLOADS = [
  'a\nb: injected',
  'x\r\nmaxmemory 0',
  '\nshared_buffers = 64GB',
  '"quoted"',
  "'single'",
  "' OR 1=1 --",
  '$HOME',
  '${PWD}',
  '$$',
  '#comment',
  'a #b',
  ': b',
  '- item',
  '{flow: 1}',
  '[list]',
  '&anchor *alias !tag',
  '| >',
  '`rm -rf /`',
  '$(reboot)',
  'a;b && c',
  '{{ .Foo }}',
  '{{ query "up" }}',
  'a\u2028b\u2029c\u0085d',
  'nul\u0000tab\t',
  'host=evil port=1 dbname=x',
  '%include /etc/passwd',
  '[pgbouncer]',
  'back\\slash',
  '```\n# heading',
  'ünïcødé ✓',
];
const HOSTILE = PAYLOADS.map((p) => `zq${p}qz`);
const PLAIN = 'zqplainqz';

const KINDS_TO_RENAME: Service['kind'][] = ['postgres', 'redis', 'fastapi', 'pgbouncer', 'prometheus', 'alertmanager', 'grafana'];

function basePlan(): Plan {
  const r = planParse(presetGet('8gb')); // has every kind, pgBouncer and AlertManager on
  if (!r.ok) throw new Error('preset');
  return r.plan;
}

/** The preset with one service renamed, bypassing the schema. */
function renamed(kind: Service['kind'], name: string): Stack {
  const plan = basePlan();
  const s = plan.services.find((x) => x.kind === kind)!;
  s.name = name;
  return stackOf(plan);
}

/** Replaces every encoding of `from` by the same encoding of `to`, longest first. */
function swap(text: string, from: string, to: string): string {
  const enc = [
    (s: string) => mdCode(s),
    (s: string) => shellQuote(s),
    (s: string) => promqlString(s),
    (s: string) => promqlString(s).slice(1, -1),
    (s: string) => JSON.stringify(s).slice(1, -1),
    (s: string) => composeLiteral(s),
    (s: string) => {
      try {
        return connstringValue(s);
      } catch {
        return s;
      }
    },
    (s: string) => s,
  ];
  const pairs = enc.map((e) => [e(from), e(to)] as const).sort((a, b) => b[0].length - a[0].length);
  let out = text;
  for (const [a, b] of pairs) out = out.split(a).join(b);
  return out;
}

function swapDeep(v: unknown, from: string, to: string): unknown {
  if (typeof v === 'string') return swap(v, from, to);
  if (Array.isArray(v)) return v.map((x) => swapDeep(x, from, to));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [swap(k, from, to), swapDeep(x, from, to)]));
  return v;
}

/** Directive lines of a conf/ini file: everything but comments and blank lines. */
const directives = (text: string, comment: RegExp) => text.split('\n').filter((l) => l.trim() !== '' && !comment.test(l));

type Generator = { file: string; kinds: Service['kind'][]; run: (s: Stack) => string | null; compare: (hostile: string, plain: string, name: string) => void };

const yamlCompare = (hostile: string, plain: string, name: string) => {
  const h = swapDeep(yamlParse(hostile), name, PLAIN);
  expect(h).toEqual(yamlParse(plain));
};

const GENERATORS: Generator[] = [
  { file: 'compose', kinds: KINDS_TO_RENAME, run: composeYml, compare: yamlCompare },
  { file: 'prometheus.yml', kinds: KINDS_TO_RENAME, run: (s) => prometheusYml(s, s.prometheus[0]!), compare: yamlCompare },
  { file: 'alerts.yml', kinds: KINDS_TO_RENAME, run: alertsYml, compare: yamlCompare },
  { file: 'alerts.test.yml', kinds: KINDS_TO_RENAME, run: alertsTestYml, compare: yamlCompare },
  { file: 'alertmanager.yml', kinds: KINDS_TO_RENAME, run: (s) => alertmanagerYml(s, s.alertmanager[0]!), compare: yamlCompare },
  {
    file: 'postgresql.conf',
    kinds: KINDS_TO_RENAME,
    run: (s) => postgresqlConf(s, s.postgres[0]!, tuningsOf(s.plan).of(s.postgres[0]!)),
    compare: (h, p) => {
      // Names appear only in comments: the directives are byte for byte the same.
      expect(directives(h, /^#/)).toEqual(directives(p, /^#/));
      expect(h.split('\n').length).toBe(p.split('\n').length);
    },
  },
  {
    file: 'redis.conf',
    kinds: KINDS_TO_RENAME,
    run: (s) => redisConf(s, s.redis[0]!, tuningsOf(s.plan).of(s.redis[0]!)),
    compare: (h, p) => {
      expect(directives(h, /^#/)).toEqual(directives(p, /^#/));
      expect(h.split('\n').length).toBe(p.split('\n').length);
    },
  },
  {
    file: 'pgbouncer.ini',
    kinds: KINDS_TO_RENAME,
    run: (s) => pgbouncerIni(s, s.pgbouncer[0]!, tuningsOf(s.plan).of(s.pgbouncer[0]!)),
    compare: (h, p, name) => {
      expect(directives(h, /^[;#]/).map((l) => swap(l, name, PLAIN))).toEqual(directives(p, /^[;#]/));
      expect(h.split('\n').length).toBe(p.split('\n').length);
    },
  },
  {
    file: 'userlist.txt',
    kinds: KINDS_TO_RENAME,
    run: (s) => userlistTemplate(s, s.pgbouncer[0]!),
    compare: (h, p) => {
      expect(directives(h, /^;/)).toEqual(directives(p, /^;/));
      expect(h.split('\n').length).toBe(p.split('\n').length);
    },
  },
  {
    file: 'RUNBOOK.md',
    kinds: KINDS_TO_RENAME,
    run: (s) => runbookMd(s, tuningsOf(s.plan)),
    compare: (h, p, name) => {
      const hl = h.split('\n');
      const pl = p.split('\n');
      // Same lines: no fence, heading or table row was added or removed.
      expect(hl.length).toBe(pl.length);
      let inCode = false;
      hl.forEach((line, i) => {
        const plain = pl[i]!;
        if (plain.startsWith('```')) {
          expect(line).toBe(plain);
          inCode = !inCode;
          return;
        }
        if (inCode) {
          // A command: the same shell words, the name inside one of them, no operator added.
          expect(shellWords(line).map((w) => w.split(name).join(PLAIN)), line).toEqual(shellWords(plain));
        } else {
          // Prose and tables: the name only inside code spans.
          expect(withoutCodeSpans(line), line).toBe(withoutCodeSpans(plain));
        }
      });
    },
  },
];

describe('hostile service names change nothing but the name', () => {
  for (const g of GENERATORS) {
    it(`${g.file}`, () => {
      let checked = 0;
      let refused = 0;
      for (const kind of g.kinds) {
        const plain = g.run(renamed(kind, PLAIN))!;
        for (const name of HOSTILE) {
          let out: string | null;
          try {
            out = g.run(renamed(kind, name));
          } catch (e) {
            // Only a line-based format may refuse, only for a control character, only with ExportError.
            expect(e, `${g.file} / ${kind} / ${JSON.stringify(name)}`).toBeInstanceOf(ExportError);
            expect(hasControl(name)).toBe(true);
            expect(g.file).toBe('pgbouncer.ini');
            refused++;
            continue;
          }
          try {
            g.compare(out!, plain, name);
          } catch (e) {
            throw new Error(`${g.file}: renaming the ${kind} service to ${JSON.stringify(name)} changed more than the name:\n${(e as Error).message}`, { cause: e });
          }
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
      if (g.file !== 'pgbouncer.ini') expect(refused).toBe(0);
    }, 180_000); // ~200 renamings per file: a few seconds, more on a busy machine
  }

  it('exportFiles refuses a name outside the compose rule, naming it', () => {
    for (const name of HOSTILE) {
      const plan = basePlan();
      plan.services[0]!.name = name;
      expect(() => exportFiles(plan)).toThrow(ExportError);
      expect(() => exportFiles(plan)).toThrow(JSON.stringify(name));
    }
  });
});

/** Inline code spans (any backtick fence) replaced by a marker. */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)(?: ?)([\s\S]*?)(?: ?)\1(?!`)/g, '<code>');
}

/**
 * POSIX shell words as bash reads one line: quotes ('', "", $'') decoded, operators and a comment
 * as their own tokens. Enough to tell that a name stayed inside one quoted word.
 */
function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  let i = 0;
  const push = () => {
    if (cur !== null) out.push(cur);
    cur = null;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      push();
      i++;
    } else if (c === '#' && cur === null) {
      out.push(line.slice(i));
      break;
    } else if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new Error(`unterminated quote in ${line}`);
      cur = (cur ?? '') + line.slice(i + 1, j);
      i = j + 1;
    } else if (c === '$' && line[i + 1] === "'") {
      let v = '';
      i += 2;
      while (i < line.length && line[i] !== "'") {
        if (line[i] === '\\') {
          const n = line[i + 1]!;
          if (n === 'u') {
            v += String.fromCodePoint(parseInt(line.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            v += n;
            i += 2;
          }
        } else v += line[i++];
      }
      cur = (cur ?? '') + v;
      i++;
    } else if (c === '"') {
      let v = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && '"\\$`'.includes(line[i + 1]!)) {
          v += line[i + 1];
          i += 2;
        } else v += line[i++];
      }
      cur = (cur ?? '') + v;
      i++;
    } else if (c === '\\') {
      cur = (cur ?? '') + (line[i + 1] ?? '');
      i += 2;
    } else if ('|&;<>()'.includes(c)) {
      push();
      const op = /^(\|\||&&|>>|[|&;<>()])/.exec(line.slice(i))![1]!;
      out.push(`op:${op}`);
      i += op.length;
    } else {
      cur = (cur ?? '') + c;
      i++;
    }
  }
  push();
  return out;
}
