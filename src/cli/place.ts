/**
 * `headroom place FILE [--hosts 2x4GiB,8GiB:50] [--out FILE] [--json]` (issue 14): where each
 * service runs on the given hosts (or the plan's own `hosts:`), proposed by the engine's place()
 * by host-fit.ts's rule — the one the upgrade path's tiers use — as a table, or the JSON; `--out`
 * writes the plan with `hosts:` and each service's `host:` filled. Exit codes like `check`: 0 a
 * placement fits, 1 none does (the reason printed), 2 bad input.
 */
import { writeFileSync } from 'node:fs';
import { evaluate, sizeFormat, sizeParse } from '../engine/index.ts';
import { place } from '../engine/place.ts';
import { hostFitChecks } from '../engine/host-fit.ts';
import { FREE_CRITERION_FORMULA } from '../engine/policy.ts';
import type { NamedHost, Plan } from '../engine/schema.ts';
import { planToInput, planToText } from '../formats/plan-file.ts';
import { loadPlan, UsageError } from './io.ts';
import { reportJson } from './render.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };

const USAGE = 'place FILE [--hosts 2x4GiB,8GiB:50] [--out FILE] [--json]';

/** `2x4GiB,8GiB:50` → hosts host-1, host-2 (4 GiB) and host-3 (8 GiB, $50/month), with the plan's reserve and swap. */
export function hostsParse(text: string, plan: Plan): NamedHost[] {
  const errors: string[] = [];
  const hosts: NamedHost[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(?:(\d+)\s*[x×]\s*)?([^:]+?)(?::([^:]*))?$/i.exec(part);
    const count = m?.[1] === undefined ? 1 : Number(m[1]);
    const ram = m ? sizeParse(m[2]!.trim()) : null;
    const price = m?.[3] === undefined || m[3].trim() === '' ? null : Number(m[3]);
    if (!m || !ram) errors.push(`error: --hosts: "${part}": expected [COUNTx]SIZE[:PRICE], like 2x4GiB or 8GiB:50`);
    else if (!ram.ok) errors.push(`error: --hosts: "${part}": ${ram.error}`);
    else if (ram.value < 64) errors.push(`error: --hosts: "${part}": expected a host of at least 64 MiB`);
    else if (!(count >= 1 && count <= 64)) errors.push(`error: --hosts: "${part}": expected from 1 to 64 hosts of a size`);
    else if (price !== null && !(Number.isFinite(price) && price >= 0)) errors.push(`error: --hosts: "${part}": expected a price in USD per month ≥ 0, like 8GiB:50`);
    else {
      for (let i = 0; i < count; i++) {
        hosts.push({ name: `host-${hosts.length + 1}`, ram: ram.value, reserve: plan.host.reserve, swap: plan.host.swap, labels: [], ...(price === null ? {} : { pricePerMonth: price }) });
      }
    }
  }
  if (errors.length === 0 && hosts.length === 0) errors.push('error: --hosts: expected at least one host, like 2x4GiB');
  if (errors.length) throw new UsageError(errors);
  return hosts;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

export const placeCommand = {
  usage: USAGE,
  summary: 'where each service runs on several hosts: the proposed placement, or why none fits',
  options: { hosts: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } } as Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
  run: ({ positionals, values }: Args): number => {
    if (positionals.length !== 1) throw new UsageError([`error: place needs one plan or compose FILE (got ${positionals.length})`, `usage: headroom ${USAGE}`]);
    const source = loadPlan(positionals[0], undefined);
    const plan = source.plan;
    const hosts = typeof values.hosts === 'string' ? hostsParse(values.hosts, plan) : plan.hosts;
    if (!hosts) throw new UsageError([`error: ${source.label}: no hosts to place on: give --hosts (like 2x4GiB) or a plan with hosts:`, `usage: headroom ${USAGE}`]);
    const p = place(plan, hosts);
    const out = typeof values.out === 'string' ? values.out : null;
    if (p.fits && out) {
      try {
        writeFileSync(out, planToText(planToInput(p.plan)));
      } catch (e) {
        throw new UsageError([`error: cannot write ${out}: ${(e as Error).message}`]);
      }
    }
    // Each host as the engine budgets it with the placement: the figures the rule judged.
    const budgets = p.fits ? evaluate(p.plan).hosts ?? [] : [];
    if (values.json) {
      process.stdout.write(reportJson(p.fits
        ? {
          fits: true,
          databaseAlone: p.databaseAlone,
          replicasTogether: p.replicasTogether,
          hosts: p.hosts.map((h) => {
            const b = budgets.find((x) => x.name === h.name)!;
            return { ...h, freeLeastMiB: b.freeMiB.low, freeCriterionMiB: b.freeCriterionMiB, risk: b.risk.level, checks: hostFitChecks(b) };
          }),
          written: p.fits && out ? out : null,
          plan: planToInput(p.plan),
        }
        : { fits: false, reason: p.reason, written: null }));
      return p.fits ? 0 : 1;
    }
    const lines = [`Headroom placement: ${source.label} on ${hosts.length} host${hosts.length === 1 ? '' : 's'} (${hosts.map((h) => `${h.name} ${sizeFormat(h.ram)}`).join(', ')})`];
    if (!p.fits) {
      lines.push(`NO PLACEMENT: ${p.reason}`);
    } else {
      const rows = p.hosts.map((h) => {
        const b = budgets.find((x) => x.name === h.name)!;
        return [h.name, sizeFormat(h.ramMiB), sizeFormat(b.reserveMiB), sizeFormat(b.setLimitsMiB), sizeFormat(b.freeMiB.low), b.risk.level, h.services.map((s) => (s.replicas > 1 ? `${s.name} ×${s.replicas}` : s.name)).join(', ') || '—'];
      });
      lines.push(...table([['HOST', 'RAM', 'RESERVE', 'LIMITS', 'LEAST FREE', 'RISK', 'SERVICES'], ...rows]));
      lines.push(`each host keeps ${FREE_CRITERION_FORMULA} free at high usage and its limits plus reserve within its RAM${p.databaseAlone ? '; the database on a host of its own' : ''}${p.replicasTogether.length ? `; replicas sharing a host (no other had room): ${p.replicasTogether.join(', ')}` : ''}`);
      if (out) lines.push(`wrote ${out} (the plan with hosts: and each service's host:)`);
      lines.push('PLACED');
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return p.fits ? 0 : 1;
  },
};
