/**
 * Small native binaries in the formats: the Go, Rust and C servers Headroom knows by image (the
 * application catalogue, engine/catalogue.ts: Gitea, NATS, Mattermost, Sentry's Relay, mailcow's
 * mail servers…) with their published footprints, GOMEMLIMIT and GOGC from the environment, and
 * the GOMEMLIMIT a compose edit writes when the plan changes it.
 */
import { sizeToPlan } from '../../engine/units.ts';
import { goMemLimit } from '../export/common.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { catalogueImages, catalogueRead } from './catalogue.ts';

/** GOMEMLIMIT's syntax: an integer with an optional B, KiB, MiB, GiB or TiB suffix (Go runtime docs); `off` is none. */
export function goMemLimitParse(v: string): number | null {
  const m = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/.exec(v.trim());
  if (!m) return null;
  const mult: Record<string, number> = { '': 1 / 1048576, B: 1 / 1048576, KiB: 1 / 1024, MiB: 1, GiB: 1024, TiB: 1048576 };
  return Number(m[1]) * mult[m[2] ?? '']!;
}

function nativeRead(f: ServiceFacts, r: Recognised, repo: string): void {
  catalogueRead(r, repo, f.environment);
  const lim = f.environment.GOMEMLIMIT;
  if (lim !== undefined && lim !== '' && lim !== 'off') {
    const mib = goMemLimitParse(lim);
    if (mib !== null && mib > 0) {
      r.settings.goMemLimit = sizeToPlan(mib);
      r.read.push(`goMemLimit ${sizeToPlan(mib)} from environment GOMEMLIMIT=${lim}`);
    } else r.warnings.push(`GOMEMLIMIT=${lim} is not a size Go accepts (e.g. 512MiB): ignored`);
  }
  const gogc = f.environment.GOGC;
  if (gogc !== undefined && gogc !== '') {
    const n = gogc.toLowerCase() === 'off' ? -1 : Number(gogc);
    if (Number.isInteger(n) && n >= -1) {
      r.settings.gogc = n;
      r.read.push(`gogc ${gogc} from environment GOGC`);
    } else r.warnings.push(`GOGC=${gogc} is not a whole number or off: ignored`);
  }
}

export const native: KindFormat<'native'> = {
  kind: 'native',
  recognise: { images: catalogueImages('native'), read: nativeRead },
  edit: {
    env: (s, old, { changed }) => (s.settings.language === 'go' && s.settings.goMemLimit > 0 && changed(s.settings.goMemLimit, old.settings.goMemLimit) ? [['GOMEMLIMIT', goMemLimit(s.settings.goMemLimit)]] : []),
  },
  oomScoreAdj: 600, // (the non-negative scale of kinds/kind.ts) like the generic services: after the apps, before the data stores
  addImage: () => null,
  compose: ({ service: s, svc, note, goEnv }) => {
    svc.image = `${s.name.toLowerCase()}:latest`;
    svc.container_name = s.name;
    if (s.settings.language === 'go') svc.environment = s.settings.goMemLimit > 0 ? { GOMEMLIMIT: goMemLimit(s.settings.goMemLimit) } : goEnv();
    note.push(`Your ${s.settings.language === 'c' ? 'C' : s.settings.language === 'go' ? 'Go' : 'Rust'} image.`);
  },
};
