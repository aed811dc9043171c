/** Anything else: a service whose memory Headroom does not model, with usage set by hand or observed. */
import * as z from 'zod/mini';
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { settingsObject, sizeSchema } from '../schema-blocks.ts';
import { processUsage } from '../usage.ts';
import { finding, fmt, servicesOf, type Rule } from '../findings/context.ts';
import { severityOf } from '../policy.ts';
import { exporterKindOf } from '../exporters.ts';
import { field, type KindEngine } from './kind.ts';

// low ≤ typical ≤ high, or the plan is refused with the path (issue 17: low above high was
// accepted and silently sorted).
const usageSchema = z.strictObject({ low: sizeSchema, typical: sizeSchema, high: sizeSchema }).check(
  z.refine((u: { low: number; typical: number; high: number }) => u.low <= u.typical && u.typical <= u.high, { message: 'expected low ≤ typical ≤ high', path: ['low'] }),
);

const settings = settingsObject({
  usage: z.optional(usageSchema),
  image: z.optional(z.string({ error: 'expected an image name (text)' }).check(z.maxLength(200, 'expected an image name of at most 200 characters'))),
});

/** A generic service without measured usage. Assumed: a small sidecar, 32 / 64 / 128 MiB. */
export const GENERIC_DEFAULT_MIB = { low: 32, typical: 64, high: 128 } as const;

export function genericUsage(s: ServiceOf<'generic'>): Usage {
  // Usage set in the plan wins; else what docker stats saw (typical, or the peak alone); else the guess.
  const seen = s.observed ? { low: s.observed.typical ?? s.observed.peak, typical: s.observed.typical ?? s.observed.peak, high: s.observed.peak } : null;
  const u = s.settings.usage ?? seen ?? GENERIC_DEFAULT_MIB;
  // Keep the three points ordered even when a user wrote them out of order.
  const [low, typical, high] = [u.low, u.typical, u.high].sort((a, b) => a - b) as [number, number, number];
  const note = s.settings.usage ? 'as set in the plan' : seen ? 'observed (docker stats)' : 'assumed: no usage set';
  return processUsage({ low, typical, high }, note);
}

export const genericGuesses: Rule = ({ plan }) => {
  const out: Finding[] = [];
  const guess = `${GENERIC_DEFAULT_MIB.low}–${GENERIC_DEFAULT_MIB.high} MiB`;
  for (const g of servicesOf(plan, 'generic')) {
    if (g.settings.usage || g.observed) continue; // measured: set in the plan, or observed by docker stats
    out.push(finding('generic-usage-assumed', severityOf({ p: 1 }, 'advice'), g.name,
      g.limit === null
        ? `${g.name} is a generic service without measured usage or a limit: Headroom guesses ${guess}, so nothing it says about ${g.name} or the host's memory rests on a measure.`
        : `${g.name} is a generic service without measured usage: Headroom guesses ${guess}. Its ${fmt(g.limit)} limit bounds it on the host, but its own chance of an OOM kill is unknown.`,
      `Measure ${g.name}: its usage (low/typical/high) in the plan (\`x-headroom: {settings: {usage: …}}\` in compose), or \`check --stats\` with \`docker stats\` from the running host${g.limit === null ? ', or give it a limit' : ''}.`));
  }
  return out;
};

export const generic: KindEngine<'generic', typeof settings> = {
  kind: 'generic',
  settings,
  usage: genericUsage,
  // assumed: a small sidecar until the user measures it
  starter: { name: 'service', limit: '256MiB', settings: { usage: { low: '64MiB', typical: '128MiB', high: '192MiB' } } },
  summary: ({ settings: st }) => (st.usage ? `usage given by hand${st.image ? ` · ${st.image}` : ''}` : 'no usage given'),
  fields: [field.size('usage.low', 'usage low'), field.size('usage.typical', 'usage typical'), field.size('usage.high', 'usage high')],
  findings: [genericGuesses],
  // The exporters the alert rules read open at most one connection each (counted as the
  // exporter's, postgres/settings.ts); anything else is an app Headroom cannot count.
  connections: (s) => (exporterKindOf(s) !== null ? 'counted' : 'unknown'),
  // Usage stated in the plan is its model; docker stats is evidence; else the 32–128 MiB guess.
  basis: (s) => (s.settings.usage ? 'modelled' : s.observed ? 'observed' : 'assumed'),
};
