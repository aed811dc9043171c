/**
 * Which kind of service a compose service is, told from its image and command, and the settings
 * its command, environment and mounted config files give away. Every decision says why. The
 * image rules, command detection and readers are each kind's (formats/kinds/); this module
 * tries them in the registry's order.
 */
import type { ServiceKind } from '../../engine/schema.ts';
import { formatOf, KIND_FORMATS } from '../kinds/index.ts';
import type { Recognised, ServiceFacts } from '../kinds/kind.ts';
import { base, imageRepository } from './words.ts';
import { catalogueCommandKind } from '../../engine/catalogue.ts';

export type { Recognised, ServiceFacts } from '../kinds/kind.ts';

const kinds = Object.keys(KIND_FORMATS) as ServiceKind[];

/** The kind of one service, with why, and the settings it gives away. */
export function recognise(f: ServiceFacts): Recognised {
  const repo = f.image ? imageRepository(f.image) : null;
  const words = f.command.map(base);
  const byImage = repo ? imageKind(repo) : null;
  let kind: ServiceKind | null = byImage?.kind ?? null;
  let why = byImage ? `image ${f.image} is ${byImage.label}` : '';
  // No kind from the image, or one whose image says little (an app server): the command may tell.
  if (!kind || formatOf(kind).recognise?.commandAfterImage) {
    const byCommand = kindFromCommand(f.command, words);
    // A runtime's image (python, node) says less than the server its command runs: the command wins between two such kinds.
    const bothRuntimes = kind !== null && byCommand !== null && formatOf(kind).recognise?.commandAfterImage === true && formatOf(byCommand.kind).recognise?.commandAfterImage === true;
    if (byCommand && (!kind || byCommand.kind === kind || bothRuntimes)) {
      why = kind ? `${why}; ${byCommand.why}` : byCommand.why;
      kind = byCommand.kind;
    }
  }
  // No image and nothing from the command: a variable only one server reads may tell (a service built from source).
  // Nor from the environment: a config file mounted where only one image keeps it (the image it was built FROM).
  let builtFrom: string | null = null;
  if (!kind && !repo) {
    const byEnv = kindFromEnvironment(f.environment);
    if (byEnv) ({ kind, why } = byEnv);
    else {
      const byMount = kindFromMounted(Object.keys(f.mounted));
      if (byMount) ({ kind, why, repo: builtFrom } = byMount);
    }
  }
  // The server's image running something else (a helper): not the server. A script whose text
  // the compose file does not show (`bash /entrypoint.sh`) may start the server: given the benefit of the doubt.
  const server = kind ? formatOf(kind).recognise?.server : undefined;
  if (kind && server && f.command.length && !f.command[0]!.startsWith('-') && !words.some((w) => server.test(w) || /\.sh$/.test(w))) {
    // Unless the project's own command starts another kind's server on its image (the catalogue says which).
    const other = repo ? catalogueCommandKind(repo, words) : null;
    if (other) {
      why = `${why}; its command ${other.word} starts ${other.server} (${other.source})`;
      kind = other.kind;
    } else {
      why = `${why}, but its command runs ${words[0]}, not the server`;
      kind = null;
    }
  }
  const r: Recognised = { kind: kind ?? 'generic', why, settings: {}, read: [], warnings: [] };
  formatOf(r.kind).recognise?.read?.(f, r, repo ?? builtFrom ?? '');
  return r;
}

/** The kind whose image rules match the repository, with what to call it. */
function imageKind(repo: string): { kind: ServiceKind; label: string } | null {
  for (const kind of kinds) {
    const rule = formatOf(kind).recognise?.images?.find((r) => r.re.test(repo));
    if (rule) return { kind, label: rule.label };
  }
  return null;
}

function kindFromEnvironment(environment: Readonly<Record<string, string>>): { kind: ServiceKind; why: string } | null {
  for (const kind of kinds) {
    const why = formatOf(kind).recognise?.environment?.(environment) ?? null;
    if (why !== null) return { kind, why };
  }
  return null;
}

function kindFromMounted(paths: readonly string[]): { kind: ServiceKind; why: string; repo: string } | null {
  for (const kind of kinds) {
    const m = formatOf(kind).recognise?.mounted?.(paths) ?? null;
    if (m !== null) return { kind, ...m };
  }
  return null;
}

function kindFromCommand(command: string[], words: string[]): { kind: ServiceKind; why: string } | null {
  for (const kind of kinds) {
    const why = formatOf(kind).recognise?.command?.(command, words) ?? null;
    if (why !== null) return { kind, why };
  }
  return null;
}
