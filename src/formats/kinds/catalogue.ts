/**
 * The application catalogue (engine/catalogue.ts) in compose import: the image rules it adds to
 * each runtime kind, and what a catalogued image's service is read with — the entry's id, its
 * documented memory as the kind's own memory setting, the language or server inside, and each
 * figure's source in what the import says it read.
 */
import { APP_CATALOGUE, catalogueOf, catalogueParts, partsFootprint, type CatalogueKind } from '../../engine/catalogue.ts';
import type { ImageRule, Recognised } from './kind.ts';

/** The catalogue's image rules for one kind (each kind's `recognise.images` lists them after its own). */
export function catalogueImages(kind: CatalogueKind): ImageRule[] {
  return APP_CATALOGUE.filter((e) => e.kind === kind).map((e) => ({ re: e.re, label: `${e.label}, in Headroom's catalogue of application images` }));
}

/** The setting a kind's memory figure goes to. */
const MEMORY_SETTING: Partial<Record<CatalogueKind, string>> = { python: 'perProcess', node: 'perProcess', ruby: 'perProcess', php: 'perProcess', native: 'memory', beam: 'memory' };

/**
 * Reads a catalogued image's service into `r` (after the kind's own reader): its entry, its
 * figure and where each number comes from. Returns true when the catalogue gave the memory (the
 * kind's "Headroom's default" warning is then not true and is dropped).
 */
export function catalogueRead(r: Recognised, repo: string, environment: Readonly<Record<string, string>> = {}): boolean {
  const e = catalogueOf(repo);
  if (!e || e.kind !== r.kind) return false;
  if (e.language) r.settings.language = e.language;
  if (e.server) r.settings.server = e.server;
  r.read.push(`runtime ${e.kind}: ${e.runtime}`);
  const key = MEMORY_SETTING[e.kind];
  if (!key) return false;
  r.settings.app = e.id;
  const per = e.kind === 'native' || e.kind === 'beam' ? '' : ' per process';
  if (e.parts) {
    // A supervised image (docker-mailserver): the footprint is the parts its flags start, each with its source.
    const states = catalogueParts(e, environment);
    const total = partsFootprint(states);
    r.settings[key] = `${total}MiB`;
    r.read.push(`${key} ${total}MiB: the sum of the services its environment starts`);
    for (const st of states) {
      if (st.invalid) r.warnings.push(st.invalid);
      r.read.push(`  ${st.on ? `${st.part.memory.mib} MiB` : 'off'}: ${st.part.label} (${st.why})${st.on ? `: ${st.part.memory.source}${st.part.memory.assumed ? ' (assumed)' : ''}` : ''}`);
      if (st.on && st.part.high) r.read.push(`    reported high ${st.part.high.mib} MiB: ${st.part.high.source}`);
    }
    const assumed = states.filter((st) => st.on && st.part.memory.assumed).map((st) => st.part.label);
    if (assumed.length > 0) r.warnings.push(`memory of ${assumed.join('; ')} in ${e.label} is assumed (no published figure); check it against docker stats`);
    return true;
  }
  if (!e.memory) {
    r.warnings.push(`memory${per} is Headroom's default for ${e.kind}: no published figure for ${e.label} in the catalogue (assumed); check it against docker stats`);
    return false;
  }
  const { typical, low, high } = e.memory;
  r.settings[key] = `${typical.mib}MiB`;
  r.read.push(`${key} ${typical.mib}MiB${per ? ' (typical)' : ''}: ${typical.source}${typical.assumed ? ' (assumed)' : ''}`);
  if (low) r.read.push(`reported low ${low.mib} MiB: ${low.source}`);
  if (high) r.read.push(`reported high ${high.mib} MiB: ${high.source}`);
  return true;
}
