/**
 * A compose file's project name and services, as Docker Compose derives them, so that `observe`
 * finds the project's containers by their labels (com.docker.compose.project, …service).
 *
 * The name, first found wins (https://docs.docker.com/compose/how-tos/project-name/):
 * the -p / --project-name flag, COMPOSE_PROJECT_NAME in the environment (or in the .env file
 * beside the compose file, which Compose reads too), the top-level `name:` of the file, else the
 * base name of the compose file's folder. The folder name is normalized as compose-go does
 * (loader.NormalizeProjectName: lower case, only a-z 0-9 _ -, no leading _ or -). Compose v1.29
 * (normalize_name in compose/cli/command.py) keeps a leading _ or -, and v1 before 1.21 dropped
 * every _ and -: those names are tried after it when no container has the first (`alsoTry`).
 */
import { basename, dirname, resolve } from 'node:path';
import { inputParse } from '../formats/input-policy.ts';
import { issuesToLines, readCapped, UsageError } from './io.ts';

export type ComposeProject = {
  /** The project name Compose uses for the labels. */
  name: string;
  /** Where the name came from, for messages. */
  from: string;
  /** Other names older Composes gave the same folder (v1.29 kept a leading _ or -, v1 < 1.21 dropped every _ and -). */
  alsoTry: string[];
  /** The services the compose file declares (in its order). */
  services: string[];
};

/** compose-go's NormalizeProjectName. */
export function normalizeProjectName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

/** Compose v1.29's normalize_name, and v1's before 1.21. */
const normalizeV1 = (s: string) => s.toLowerCase().replace(/[^-_a-z0-9]/g, '');
const normalizeOldV1 = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function envFileValue(text: string | undefined, key: string): string | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === key) return m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return undefined;
}

function readOptional(path: string): string | undefined {
  try {
    return readCapped(path, 'side').text;
  } catch {
    return undefined;
  }
}

/** The project of a compose file's text; `file` is its path (for the folder and .env). */
export function composeProjectOf(text: string, file: string, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ComposeProject {
  // Parsed under the input policy, as every other reader of a compose file (issue 17).
  const parsed = inputParse(text);
  if (!parsed.ok) throw new UsageError(issuesToLines(file, parsed.issues));
  const doc = parsed.parsed.data;
  const top = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : null;
  const services = top?.services;
  if (!top || services === null || typeof services !== 'object' || Array.isArray(services)) {
    throw new UsageError([`error: ${file}: expected a docker-compose.yml with a services: mapping`]);
  }
  const serviceNames = Object.keys(services as Record<string, unknown>);
  const dir = dirname(resolve(file));
  const folder = basename(dir);
  const fromEnvFile = envFileValue(readOptional(resolve(dir, '.env')), 'COMPOSE_PROJECT_NAME');
  const chosen: [string | undefined, string][] = [
    [flag, '-p'],
    [env.COMPOSE_PROJECT_NAME, 'COMPOSE_PROJECT_NAME'],
    [fromEnvFile, 'COMPOSE_PROJECT_NAME in .env'],
    [typeof top.name === 'string' ? top.name : undefined, `name: in ${file}`],
  ];
  for (const [value, from] of chosen) {
    if (value !== undefined && value.trim() !== '') {
      const name = normalizeProjectName(value.trim());
      if (!name) throw new UsageError([`error: ${from}: "${value}" is not a project name (expected lower-case letters, digits, _ and -)`]);
      return { name, from, alsoTry: [], services: serviceNames };
    }
  }
  const name = normalizeProjectName(folder);
  if (!name) throw new UsageError([`error: ${file}: its folder's name "${folder}" gives no project name: give one with -p NAME`]);
  const alsoTry = [...new Set([normalizeV1(folder), normalizeOldV1(folder)])].filter((n) => n && n !== name);
  return { name, from: `the folder's name (${folder})`, alsoTry, services: serviceNames };
}
