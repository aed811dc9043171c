/** One door from a command's report to the format asked for (`--format`), for `check` and `plan`. */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Report } from '../engine/index.ts';
import { checkedOf, type Artifact, type Checked } from './checked.ts';
import type { Format } from './format.ts';
import type { PlanSource } from './io.ts';
import { reportJunit } from './junit.ts';
import { reportMarkdown } from './markdown.ts';
import { reportSarif } from './sarif.ts';
import { verdictOf } from './verdict.ts';
import type { VerdictOptions } from '../engine/verdict.ts';
import { HEADROOM_VERSION } from './version.ts';
import { composeChangesText } from './fix-words.ts';

/**
 * How SARIF names a file: relative to the working folder (`%SRCROOT%`, where CI checks the
 * repository out, so code scanning finds it in the repository) or, outside it, as a file: URI.
 */
export function artifactOf(file: string, cwd = process.cwd()): Artifact {
  const rel = relative(cwd, resolve(cwd, file));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(resolve(cwd, file)).href };
  const uri = rel.split(sep).map(encodeURIComponent).join('/');
  return { uri, uriBaseId: '%SRCROOT%', baseUri: pathToFileURL(cwd + sep).href };
}

/** The report with its verdict and its file, ready for any format. */
export function checkedFrom(command: Checked['command'], source: PlanSource, file: string | undefined, report: Report, opts: VerdictOptions = {}): Checked {
  const fromFile = file !== undefined && source.text !== undefined;
  return checkedOf({
    command,
    label: source.label,
    report,
    verdict: verdictOf(report, opts),
    source: fromFile ? { kind: source.compose ? 'compose' : 'plan', text: source.text! } : null,
    artifact: fromFile && file !== '-' ? artifactOf(file) : null,
    notes: source.compose?.services ?? [],
    version: HEADROOM_VERSION,
    ...(source.compose ? { changesText: composeChangesText(source.compose, source.plan, source.label) } : {}),
  });
}

/** The text of `format`; `text` and `json` are the command's own. */
export function renderAs(format: Format, c: Checked, own: { text: () => string; json: () => string }): string {
  switch (format) {
    case 'text':
      return own.text();
    case 'json':
      return own.json();
    case 'markdown':
      return reportMarkdown(c);
    case 'sarif':
      return reportSarif(c);
    case 'junit':
      return reportJunit(c);
  }
}
