/**
 * What the output formats of `check` and `plan` render: the report, its verdict, and the file it
 * came from (for positions). Built once by the command; the renderers are pure.
 */
import type { Finding, Report } from '../engine/index.ts';
import type { ServiceNote } from '../formats/compose-import/index.ts';
import { SourceLocator, type SourceKind, type Where } from './locations.ts';
import type { Verdict } from './verdict.ts';
import { planChangesText, type ChangesText } from './fix-words.ts';

/** How SARIF names the file: a URI relative to a base (`%SRCROOT%`, the working folder) or absolute. */
export type Artifact = { uri: string; uriBaseId?: string; baseUri?: string };

export type Checked = {
  command: 'check' | 'plan';
  /** The file as given (`docker-compose.yml`), `stdin`, or `preset 4gb`. */
  label: string;
  report: Report;
  verdict: Verdict;
  /** The file's kind and text, when the plan came from one (stdin included); null for a preset. */
  source: { kind: SourceKind; text: string } | null;
  /** The file as SARIF names it; null for stdin and presets. */
  artifact: Artifact | null;
  /** The compose import's notes per service (empty for a plan file). */
  notes: ServiceNote[];
  /** Headroom's version, for the tool entry of SARIF and JUnit. */
  version: string;
  /** Where each finding's fix goes in the file; empty when there is no file. */
  where: (f: Finding) => Where[];
  /** The line of a service itself; null when there is no file. */
  serviceAt: (name: string) => Where | null;
  /** A fix's changes as an instruction in the file's own terms (fix-words.ts): plan-file keys, or the compose file's. */
  changesText: ChangesText;
};

export function checkedOf(c: Omit<Checked, 'where' | 'serviceAt' | 'changesText'> & { changesText?: ChangesText }): Checked {
  const locator = c.source ? new SourceLocator(c.source.text, c.source.kind, c.notes) : null;
  const cache = new Map<Finding, Where[]>();
  const where = (f: Finding) => {
    if (!locator) return [];
    if (!cache.has(f)) cache.set(f, locator.finding(f));
    return cache.get(f)!;
  };
  return { ...c, where, serviceAt: (name) => locator?.service(name) ?? null, changesText: c.changesText ?? planChangesText };
}
