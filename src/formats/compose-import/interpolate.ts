/**
 * Compose's variable interpolation and its `.env` file, as the compose spec defines them
 * (compose-spec interpolation.md): `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, nested defaults, `$$` for `$`.
 */

export type Env = Readonly<Record<string, string>>;

/** What one interpolation did: the text, the variables it read, those it found unset. */
export type Interpolated = { ok: true; value: string; unset: string[] } | { ok: false; error: string };

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Substitutes every variable in `text` from `env`. An unset variable without a default becomes
 * "" (compose warns and does the same); `${VAR:?msg}` on an unset variable is an error. */
export function interpolate(text: string, env: Env): Interpolated {
  if (!text.includes('$')) return { ok: true, value: text, unset: [] };
  const unset: string[] = [];
  try {
    const [value] = expand(text, 0, env, unset, false);
    return { ok: true, value, unset };
  } catch (e) {
    if (e instanceof InterpolationError) return { ok: false, error: e.message };
    throw e;
  }
}

class InterpolationError extends Error {}

/** Expands from `i` to the end, or (inside braces) to the closing `}`; returns [text, next index]. */
function expand(text: string, start: number, env: Env, unset: string[], nested: boolean): [string, number] {
  let out = '';
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (nested && c === '}') return [out, i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const [value, end] = braced(text, i + 2, env, unset);
      out += value;
      i = end + 1;
    } else if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
      const name = text.slice(i + 1, j);
      out += lookup(name, env, unset);
      i = j;
    } else {
      // A lone `$` (end of text or before a space) stays as it is.
      out += '$';
      i++;
    }
  }
  if (nested) throw new InterpolationError(`unclosed "\${" in "${clip(text)}"`);
  return [out, i];
}

/** `${...}` from just after the brace; returns [text, index of the closing brace]. */
function braced(text: string, start: number, env: Env, unset: string[]): [string, number] {
  let j = start;
  while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
  const name = text.slice(start, j);
  if (!name || !NAME_START.test(name[0]!)) throw new InterpolationError(`invalid variable name in "${clip(text)}": expected \${NAME}`);
  if (text[j] === '}') return [lookup(name, env, unset), j];
  if (j >= text.length) throw new InterpolationError(`unclosed "\${" in "${clip(text)}"`);
  const op = text[j] === ':' ? text.slice(j, j + 2) : text.slice(j, j + 1);
  if (![':-', '-', ':?', '?', ':+', '+'].includes(op)) throw new InterpolationError(`invalid interpolation "${clip(text.slice(start - 2))}": expected \${${name}}, \${${name}:-default} or \${${name}:?error}`);
  const [arg, end] = expand(text, j + op.length, env, unset, true);
  const isSet = Object.hasOwn(env, name);
  const value = isSet ? env[name]! : '';
  const present = op.startsWith(':') ? value !== '' : isSet;
  switch (op.replace(':', '')) {
    case '-':
      return [present ? value : arg, end];
    case '+':
      return [present ? arg : '', end];
    default:
      if (!present) throw new InterpolationError(`variable ${name} is required${arg ? `: ${arg}` : ''} (\${${name}${op}...})`);
      return [value, end];
  }
}

function lookup(name: string, env: Env, unset: string[]): string {
  if (Object.hasOwn(env, name)) return env[name]!;
  if (!unset.includes(name)) unset.push(name);
  return '';
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** A `.env` file's problems: a line that is not `NAME=value`. */
export type EnvIssue = { line: number; message: string };

/**
 * Parses `.env` text as compose does: `NAME=value` lines, `export NAME=value`, `#` comments,
 * single quotes literal, double quotes with `\n`-style escapes, an unquoted value ending at ` #`.
 * Values may use variables defined above them.
 */
export function envTextParse(text: string, base: Env = {}): { env: Record<string, string>; issues: EnvIssue[] } {
  // A null-prototype map: a variable named `__proto__` is an ordinary name.
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  const issues: EnvIssue[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      // The line is not echoed: env files hold secrets, and this message reaches CI logs (issue 17).
      issues.push({ line: index + 1, message: `expected NAME=value (a name of letters, digits and _ . -), got a line that is not one (not shown: it may hold a secret)` });
      return;
    }
    const [, name, rest] = m as unknown as [string, string, string];
    let value: string;
    if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      value = end < 0 ? rest.slice(1) : rest.slice(1, end);
    } else if (rest.startsWith('"')) {
      const end = closingQuote(rest);
      value = unescape(end < 0 ? rest.slice(1) : rest.slice(1, end));
      value = interpolateOr(value, { ...base, ...env });
    } else {
      value = interpolateOr(rest.replace(/\s+#.*$/, '').trim(), { ...base, ...env });
    }
    env[name] = value;
  });
  return { env, issues };
}

function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function interpolateOr(s: string, env: Env): string {
  const r = interpolate(s, env);
  return r.ok ? r.value : s;
}
