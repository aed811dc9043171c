/**
 * Node.js in the formats: how compose shows it (the node image, Kibana, `node`, `npm start`,
 * `next start`, pm2-runtime), the heap limit from --max-old-space-size in NODE_OPTIONS or the
 * command, pm2's instances, and the NODE_OPTIONS a compose edit writes when the plan changes it.
 */
import { sizeToPlan } from '../../engine/units.ts';
import { base, shellSplit } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { catalogueImages, catalogueRead } from './catalogue.ts';

const RUNNERS = new Set(['node', 'nodejs', 'npm', 'yarn', 'pnpm', 'npx', 'next', 'pm2-runtime', 'pm2', 'ts-node', 'tsx', 'nest']);
const HEAP_FLAG = /^--max[-_]old[-_]space[-_]size=(\d+(?:\.\d+)?)$/;

/** --max-old-space-size in a list of words (the last wins, as in Node), in MiB. */
function heapFlag(words: readonly string[]): string | null {
  let out: string | null = null;
  for (let i = 0; i < words.length; i++) {
    const m = HEAP_FLAG.exec(words[i]!);
    if (m) out = m[1]!;
    else if (/^--max[-_]old[-_]space[-_]size$/.test(words[i]!) && words[i + 1] !== undefined) out = words[i + 1]!;
  }
  return out;
}

/** NODE_OPTIONS with --max-old-space-size set to `mib` (other options kept). */
export function withMaxOldSpace(options: string, mib: number): string {
  const words = shellSplit(options).filter((w, i, all) => !HEAP_FLAG.test(w) && !/^--max[-_]old[-_]space[-_]size$/.test(w) && !/^--max[-_]old[-_]space[-_]size$/.test(all[i - 1] ?? ''));
  return [...words, `--max-old-space-size=${Math.floor(mib)}`].join(' ');
}

function nodeRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const fromEnv = f.environment.NODE_OPTIONS ? heapFlag(shellSplit(f.environment.NODE_OPTIONS)) : null;
  const at = f.command.findIndex((w) => base(w) === 'node' || base(w) === 'nodejs');
  const fromCommand = at >= 0 ? heapFlag(f.command.slice(at + 1)) : null;
  // Node: options on the command line win over NODE_OPTIONS (Node docs, NODE_OPTIONS).
  const v = fromCommand ?? fromEnv;
  if (v !== null) {
    const n = Number(v);
    if (Number.isFinite(n) && n > 0) {
      r.settings.maxOldSpace = sizeToPlan(n);
      r.read.push(`maxOldSpace ${sizeToPlan(n)} from ${fromCommand !== null ? 'command' : 'environment NODE_OPTIONS'} --max-old-space-size=${v}`);
    } else r.warnings.push(`--max-old-space-size=${v} is not a positive number of MiB: ignored`);
  } else r.read.push('heap limit: no --max-old-space-size, so V8 sizes it from the container limit (a quarter, 256 MiB to 4 GiB)');
  // pm2-runtime -i N / --instances N: N processes (cluster mode).
  const pm2 = f.command.findIndex((w) => base(w) === 'pm2-runtime' || base(w) === 'pm2');
  if (pm2 >= 0) {
    const words = f.command.slice(pm2 + 1);
    const i = words.findIndex((w) => w === '-i' || w === '--instances' || /^--instances=/.test(w));
    const raw = i < 0 ? null : words[i]!.includes('=') ? words[i]!.split('=')[1]! : words[i + 1];
    if (raw !== undefined && raw !== null) {
      const n = Number(raw);
      if (Number.isInteger(n) && n >= 1) {
        r.settings.processes = n;
        r.read.push(`processes ${n} from command pm2 ${words[i]} ${raw}`);
      } else r.warnings.push(`pm2 instances "${raw}" is not a whole number (max and 0 mean one per core): set processes in the plan`);
    }
  }
  if (catalogueRead(r, repo)) return;
  if (!r.warnings.some((w) => w.includes('catalogue'))) r.warnings.push('memory per process is Headroom\'s default (80 MiB): check it against docker stats');
}

export const NODE_PORT = 3000; // the usual port of Node apps (Express, Next.js)

export const node: KindFormat<'node'> = {
  kind: 'node',
  recognise: {
    images: [
      { re: /^(?:[^/]+\/)*node$/, label: 'Node.js' },
      ...catalogueImages('node'),
    ],
    commandAfterImage: true,
    // docker-elk builds Kibana FROM Elastic's image and mounts its kibana.yml where that image reads it.
    mounted: (paths) => {
      const p = paths.find((x) => x.startsWith('/usr/share/kibana/'));
      return p ? { why: `it mounts ${p}, where Elastic's Kibana image reads its config: built from that image`, repo: 'kibana' } : null;
    },
    command: (command, words) => {
      const i = words.findIndex((w) => RUNNERS.has(w));
      if (i < 0) return null;
      const w = words[i]!;
      // npm/yarn/pnpm only when they start something (start, run, exec, a script name), not `npm ci` in a one-off.
      if ((w === 'npm' || w === 'yarn' || w === 'pnpm') && /^(ci|install|i|add)$/.test(words[i + 1] ?? '')) return null;
      return `command runs ${w} (${command.slice(i, i + 3).join(' ')}): Node.js`;
    },
    read: nodeRead,
  },
  edit: {
    env: (s, old, ctx) => {
      if (!ctx.changed(s.settings.maxOldSpace, old.settings.maxOldSpace) || s.settings.maxOldSpace === 0) return [];
      const at = ctx.command.findIndex((w) => base(w) === 'node' || base(w) === 'nodejs');
      if (at >= 0 && heapFlag(ctx.command.slice(at + 1)) !== null) {
        ctx.notes.push(`${s.name}: set --max-old-space-size=${Math.floor(s.settings.maxOldSpace)} in its command by hand (the command's flag wins over NODE_OPTIONS)`);
        return [];
      }
      return [['NODE_OPTIONS', withMaxOldSpace(ctx.environment.NODE_OPTIONS ?? '', s.settings.maxOldSpace)]];
    },
  },
  oomScoreAdj: 1000, // (the non-negative scale of kinds/kind.ts) an app process: killed first, it restarts fastest and holds no data
  port: NODE_PORT,
  addImage: () => null,
  compose: ({ service: s, svc, note }) => {
    svc.image = `${s.name.toLowerCase()}:latest`;
    svc.container_name = s.name;
    if (s.settings.maxOldSpace > 0) svc.environment = { NODE_OPTIONS: withMaxOldSpace('', s.settings.maxOldSpace) };
    note.push('Your Node.js image.' + (s.settings.processes > 1 ? ` It runs ${s.settings.processes} processes (cluster or pm2 -i).` : ''));
  },
};
