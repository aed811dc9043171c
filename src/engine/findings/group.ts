/**
 * Findings repeated over many services, read as one: a 57-service stack without limits says "no
 * limit" once with the list, not 57 times. The report keeps one finding per service (SARIF and
 * JUnit place each at its own line); the CLI's text and Markdown and the page show the groups.
 */
import type { Basis, Change, ReportFinding, Severity } from '../report.ts';

/** This many findings of one id (same severity and basis) read as one line. Assumed: two still read well apart. */
export const GROUP_MIN = 3;

export type FindingGroup = {
  id: string;
  severity: Severity;
  basis: Basis;
  /** The services, in the findings' order; empty for a host finding. */
  services: string[];
  /** The findings it stands for (one when it is not a group). */
  findings: ReportFinding[];
  /** One line for people: the finding's own message, or the group's with the list. */
  message: string;
  fixSummary: string;
  /** Every member's changes: applying them all clears every member. */
  changes: Change[];
};

const list = (names: readonly string[]) => names.join(', ');

/** Group wording for the ids that repeat over services; others use the first member's words. */
const GROUP_TEXT: Record<string, (names: readonly string[], basis: Basis) => { message: string; fix: string }> = {
  'no-limit': (names, basis) => basis === 'assumed'
    ? {
      message: `${names.length} services have no memory limit and no measure of their usage: ${list(names)}. Each can take the whole host, and the kernel may kill another service instead.`,
      fix: 'Measure them (docker stats from the running host: check --stats) and set each limit to its peak + 15%; Headroom’s guess is not a measurement to size a limit by.',
    }
    : {
      message: `${names.length} services have no memory limit: ${list(names)}. Each can take the whole host, and the kernel may kill another service instead.`,
      fix: 'Set each one’s limit to its high usage + 15% (the changes list each value).',
    },
  'generic-usage-assumed': (names) => ({
    message: `${names.length} generic services have no measured usage: ${list(names)}. Headroom guesses their usage, so nothing it says about them rests on a measure.`,
    fix: 'Measure them: each one’s usage in the plan (x-headroom: {settings: {usage: …}} in compose), or check --stats with docker stats from the running host.',
  }),
};

function groupOf(members: ReportFinding[]): FindingGroup {
  const first = members[0]!;
  const services = members.map((f) => f.service).filter((s): s is string => s !== null);
  const changes = members.flatMap((f) => f.fix.changes);
  if (members.length === 1) {
    return { id: first.id, severity: first.severity, basis: first.basis, services, findings: members, message: first.message, fixSummary: first.fix.summary, changes };
  }
  const text = GROUP_TEXT[first.id]?.(services, first.basis) ?? {
    message: `${services.length} services: ${list(services)}. For ${first.service}: ${first.message}`,
    fix: `${first.fix.summary} (and likewise for each of the other ${services.length - 1})`,
  };
  return { id: first.id, severity: first.severity, basis: first.basis, services, findings: members, message: text.message, fixSummary: text.fix, changes };
}

/** A finding's message with its own service's name taken out: repeated findings read the same. */
const pattern = (f: ReportFinding) => (f.service === null ? f.message : f.message.split(f.service).join('\u0001'));

/**
 * The findings as people read them, in the findings' order: those repeated over GROUP_MIN or more
 * services (same id, severity and basis, and the same words but for the service's name, or an id
 * with group wording of its own) as one group.
 */
export function findingGroups(findings: readonly ReportFinding[]): FindingGroup[] {
  const key = (f: ReportFinding) => `${f.id}\u0000${f.severity}\u0000${f.basis}${f.id in GROUP_TEXT ? '' : `\u0000${pattern(f)}`}`;
  const counts = new Map<string, number>();
  for (const f of findings) if (f.service !== null) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1);
  const groups = new Map<string, ReportFinding[]>();
  const order: ReportFinding[][] = [];
  for (const f of findings) {
    const k = key(f);
    if (f.service !== null && (counts.get(k) ?? 0) >= GROUP_MIN) {
      let g = groups.get(k);
      if (!g) {
        g = [];
        groups.set(k, g);
        order.push(g);
      }
      g.push(f);
    } else {
      order.push([f]);
    }
  }
  return order.map(groupOf);
}
