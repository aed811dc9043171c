/**
 * The tuning shared by the kinds whose memory rests on one size setting (MySQL's
 * innodb_buffer_pool_size, MongoDB's WiredTiger cache, memcached's -m, RabbitMQ's watermark,
 * ClickHouse's max_server_memory_usage, Dragonfly's maxmemory): the largest value of that
 * setting whose HIGH usage, by the kind's own model, fits the container's limit. The model is
 * asked, never copied: the value is found by bisection over `high(value)`, which every such model
 * keeps monotone (a property test says so), so a tuned value and the finding that advises it are
 * the same number.
 */
import type { ServiceKind, ServiceOf } from '../schema.ts';
import { roundDownSize, roundUpSize, smallestTidy } from '../policy.ts';
import { sizeFormat } from '../units.ts';
import type { KindTuning, TuneUnfit } from './kind.ts';
import type { Finding } from '../report.ts';
import { finding, setSize } from '../findings/context.ts';

export type SettingTune = {
  limit: number | null;
  /** The value the plan gives the server, MiB (the server's default resolved); null when it has none (bounded by nothing). */
  planned: number | null;
  /** The largest value whose high usage fits the limit, MiB; null without a limit. */
  safe: number | null;
  /** `safe` rounded down to policy.ts's tidy steps (null without a limit, or when no value of at least `min` fits). */
  recommended: number | null;
  /** False when the planned value is unbounded or over `safe`. */
  plannedSafe: boolean;
  /** False when not even the smallest value the server accepts fits the limit. */
  fits: boolean;
  /** When it does not fit: the smallest tidy limit that does. */
  minLimit: number | null;
  explain: string;
};

export type SettingModel<K extends ServiceKind> = {
  kind: K;
  /** The settings key tuned (a size in MiB). */
  key: string;
  /** The server's own name for it, for the reasons (`innodb_buffer_pool_size`). */
  label: string;
  /** The smallest value worth advising (and that the server accepts) for this service, MiB. */
  min(s: ServiceOf<K>): number;
  /** The largest value the server accepts, MiB. */
  max: number;
  /** The value the service runs with now, MiB, the default resolved; null when unbounded. */
  planned(s: ServiceOf<K>): number | null;
  /** The model's high usage with the setting at `value` MiB. */
  high(s: ServiceOf<K>, value: number): number;
  /** What else the high usage holds, for the reason. */
  why: string;
};

/** The largest value in [min, max] whose high usage fits `limit` (the model, bisected); `min` when none does. */
export function safeValue<K extends ServiceKind>(m: SettingModel<K>, s: ServiceOf<K>, limit: number): number {
  const min = m.min(s);
  if (m.high(s, min) > limit) return min;
  let lo = min;
  let hi = Math.min(m.max, Math.max(min, limit));
  if (m.high(s, hi) <= limit) return hi;
  for (let i = 0; i < 50 && hi - lo > 1 / 1024; i++) {
    const mid = (lo + hi) / 2;
    if (m.high(s, mid) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The smallest tidy limit whose safe value reaches `value`. */
export function limitFor<K extends ServiceKind>(m: SettingModel<K>, s: ServiceOf<K>, value: number): number {
  return smallestTidy(roundUpSize(Math.max(1, m.high(s, value))), (limit) => m.high(s, value) <= limit);
}

export function tuneSetting<K extends ServiceKind>(m: SettingModel<K>, s: ServiceOf<K>): SettingTune {
  const planned = m.planned(s);
  if (s.limit === null) {
    return { limit: null, planned, safe: null, recommended: null, plannedSafe: planned !== null, fits: true, minLimit: null, explain: `no container limit: ${m.label} cannot be derived` };
  }
  const min = m.min(s);
  const fits = m.high(s, min) <= s.limit;
  const safe = fits ? safeValue(m, s, s.limit) : null;
  const rec = safe === null ? null : Math.max(min, Math.min(m.max, roundDownSize(safe)));
  const recommended = rec !== null && rec <= (safe ?? 0) ? rec : safe;
  const minLimit = fits ? null : limitFor(m, s, min);
  return {
    limit: s.limit,
    planned,
    safe,
    recommended,
    plannedSafe: planned !== null && safe !== null && planned <= safe,
    fits,
    minLimit,
    explain: recommended !== null
      ? `${sizeFormat(recommended)} keeps the model's high usage (${m.why}) within the ${sizeFormat(s.limit)} limit`
      : `the ${sizeFormat(s.limit)} limit leaves no room even for ${m.label} ${sizeFormat(min)} (${m.why}): the limit needs to be at least ${sizeFormat(minLimit ?? 0)}`,
  };
}

/** The KindTuning of a one-setting kind, over its SettingModel. */
export function settingTuning<K extends ServiceKind>(m: SettingModel<K>): KindTuning<K, SettingTune> {
  return {
    tune: (_plan, s) => tuneSetting(m, s),
    apply: (s, t) => (t.recommended === null ? s : ({ ...s, settings: { ...s.settings, [m.key]: t.recommended } } as ServiceOf<K>)),
    unfit: (s, t): TuneUnfit[] => (t.fits ? [] : [{ service: s.name, kind: m.kind, reason: 'limit', limitMiB: s.limit, minLimitMiB: t.minLimit, message: `${s.name}: ${t.explain}` }]),
    settle: (_plan, s, t) => {
      const planned = m.planned(s);
      return { ...t, planned, plannedSafe: planned !== null && t.safe !== null && planned <= t.safe };
    },
    minLimit: (s) => limitFor(m, s, Math.max(m.min(s), m.planned(s) ?? m.min(s))),
  };
}

/** The finding for a limit too small for even the least of the setting (the tuner's "unfit", said on the page too): raise the limit to `minLimit`. */
export function limitTooSmall<K extends ServiceKind>(m: SettingModel<K>, s: ServiceOf<K>, t: SettingTune): Finding[] {
  if (s.limit === null || t.fits || t.minLimit === null) return [];
  return [finding(`${m.kind}-limit-too-small`, 'critical', s.name,
    `${s.name}: ${t.explain}.`,
    `Raise ${s.name}'s limit to ${sizeFormat(t.minLimit)}.`, [setSize(s.name, 'limit', t.minLimit)])];
}
