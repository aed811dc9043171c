/**
 * Local images without a registry (the recipe: image-recipe.ts). One Debian bookworm root
 * filesystem with every package the stack needs, made by mmdebstrap in one apt transaction
 * (`--variant=essential --include=…`, written straight to a tarball), becomes the single layer of
 * a docker-save archive whose image configs (one per service) all point at it: `docker load`
 * extracts it once and creates every image, and no `docker build` runs. The archive is kept in a
 * cache folder named by the hash of its recipe (a second run on the machine, or the second test
 * file of one run, reuses it; CI starts clean and builds it once per run).
 *
 * Also a tiny image for the toolkit's own tests, made in a second from the host: an empty root
 * whose /usr is the host's, bind-mounted read-only (../shared/docs/environment.md), so that
 * those tests need no build at all and can run while the archive is being made.
 */
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, createReadStream, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { arch, homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCmd, sleep, type DockerEngine } from './engine.ts';
import { DPKG_OPTIONS, IMAGE_NAMES, SERVICE_IMAGES, USERS, type ImageName } from './image-recipe.ts';
import { requireDockerTool } from './tools.ts';

export { IMAGE_NAMES, type ImageName };

const HERE = dirname(fileURLToPath(import.meta.url));
export const IMAGES_DIR = join(HERE, 'images');
const SUITE = 'bookworm';

/** Exported image (repository, any tag) → the local image that stands in for it. */
export const LOCAL_IMAGES: readonly { match: RegExp; image: ImageName }[] = [
  { match: /^(docker\.io\/)?(library\/)?postgres(:|$)/, image: 'postgres' },
  { match: /^(docker\.io\/)?(library\/)?redis(:|$)/, image: 'redis' },
  { match: /^(docker\.io\/)?(edoburu\/pgbouncer|bitnami\/pgbouncer|pgbouncer\/pgbouncer)(:|$)/, image: 'pgbouncer' },
  { match: /^((docker\.io|quay\.io)\/)?prom\/prometheus(:|$)/, image: 'prometheus' },
  { match: /^((docker\.io|quay\.io)\/)?prom\/alertmanager(:|$)/, image: 'alertmanager' },
  { match: /^app(:|$)/, image: 'app' },
];

/** Images no Debian package provides (a service using one cannot run in this test). */
export const NOT_PACKAGED: readonly { match: RegExp; why: string }[] = [
  { match: /^(docker\.io\/)?grafana\/grafana/, why: 'Grafana is not packaged in Debian and no registry is reachable' },
  { match: /cadvisor/, why: 'cAdvisor is not packaged in Debian and no registry is reachable' },
];

export const localTag = (name: ImageName) => `headroom-local/${name}:test`;

/** The local image for an exported image name, or null. */
export function localImageFor(exported: string): ImageName | null {
  return LOCAL_IMAGES.find((m) => m.match.test(exported))?.image ?? null;
}

/** Why an exported image has no local stand-in (null when it has one or is unknown). */
export function notPackagedReason(exported: string): string | null {
  return NOT_PACKAGED.find((m) => m.match.test(exported))?.why ?? null;
}

export type Timed = { what: string; seconds: number; cached?: boolean };

/**
 * Where the archive and the downloaded packages are kept, outside the clone (a clean clone on
 * the same machine reuses them): $HEADROOM_DOCKER_CACHE, else $XDG_CACHE_HOME/headroom/docker
 * (~/.cache/headroom/docker).
 */
export function cacheDir(): string {
  const d = process.env.HEADROOM_DOCKER_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'headroom', 'docker');
  mkdirSync(d, { recursive: true });
  return d;
}

/**
 * mmdebstrap's PATH: Debian's own tools first. Its helpers are Python scripts (mmtarfilter runs
 * once per essential package, with the dpkg path filters); a python3 earlier on PATH (pyenv's
 * shims here: a bash wrapper per call) made every one of them start through it.
 */
const MMDEBSTRAP_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The candidate version of each package in the host's apt lists (the same mirror and suites as
 * the root filesystem): a new Debian point release changes the cache key. Empty where the host
 * has no lists (the key then rests on the package names and the recipe alone).
 */
function candidateVersions(packages: string[]): Record<string, string> {
  const r = spawnSync('apt-cache', ['policy', ...packages], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const out: Record<string, string> = {};
  let pkg = '';
  for (const line of (r.stdout ?? '').split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) pkg = head[1]!;
    const cand = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (cand && pkg && cand[1] !== '(none)') out[pkg] = cand[1]!;
  }
  return out;
}

/** The host's apt sources (deb822 or one-line): the root filesystem uses the same mirror and suites. */
function hostSources(): { path: string; text: string } {
  for (const path of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      const text = readFileSync(path, 'utf8');
      if (/\S/.test(text.replace(/^#.*$/gm, ''))) return { path, text };
    } catch {
      // next
    }
  }
  return { path: '/etc/apt/sources.list', text: `deb http://deb.debian.org/debian ${SUITE} main\n` };
}

/** Every file the images copy in, hashed (paths, modes, contents). */
function filesHash(): string {
  const h = createHash('sha256');
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) if (e !== '__pycache__') walk(join(p, e));
    } else if (!p.endsWith('.pyc')) h.update(`${relative(IMAGES_DIR, p)}\0${st.mode & 0o111}\0`).update(readFileSync(p));
  };
  for (const img of Object.values(SERVICE_IMAGES)) for (const src of Object.values(img.files).sort()) walk(join(IMAGES_DIR, src));
  return h.digest('hex');
}

/** Everything the archive is made of; its hash names the cached archive. */
export function recipe() {
  const sources = hostSources();
  const mm = spawnSync('mmdebstrap', ['--version'], { encoding: 'utf8' });
  const packages = [...new Set(Object.values(SERVICE_IMAGES).flatMap((i) => i.packages))].sort();
  return {
    version: 4,
    arch: arch(),
    suite: SUITE,
    sources: sources.text,
    mmdebstrap: (mm.stdout ?? '').trim(),
    packages,
    versions: candidateVersions(packages),
    dpkg: DPKG_OPTIONS,
    users: USERS,
    images: SERVICE_IMAGES,
    files: filesHash(),
  };
}

export const imagesKey = () => createHash('sha256').update(JSON.stringify(recipe())).digest('hex').slice(0, 16);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A lock folder (atomic mkdir) held by this process; a lock whose holder died is taken over. */
async function withLock<T>(path: string, timeoutMs: number, f: () => Promise<T>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(join(path, 'pid'), String(process.pid));
      break;
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(join(path, 'pid'), 'utf8'));
      } catch {
        // being created
      }
      // A dead holder, or none written a minute after the lock was made (its maker was killed in between).
      let ageMs: number;
      try {
        ageMs = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue; // just removed
      }
      if ((holder && !alive(holder)) || (!holder && ageMs > 60_000)) {
        rmSync(path, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${path} (held by process ${holder})`);
      await sleep(500);
    }
  }
  try {
    return await f();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The hook scripts mmdebstrap runs: users before any package (essential hook), files and setup after (customize hook). */
function hookScripts(staging: string): { essential: string; customize: string } {
  const passwd = USERS.map((u) => `${u.name}:x:${u.uid}:${u.uid}:${u.gecos}:${u.home}:${u.shell}`);
  const group = USERS.map((u) => `${u.name}:x:${u.uid}:`);
  const essential = [
    'set -eu',
    'R="$1"',
    ...passwd.map((l) => `printf '%s\\n' ${sh(l)} >> "$R/etc/passwd"`),
    ...group.map((l) => `printf '%s\\n' ${sh(l)} >> "$R/etc/group"`),
    ...USERS.map((u) => `if [ -e "$R/etc/shadow" ]; then printf '%s\\n' ${sh(`${u.name}:*:19000:0:99999:7:::`)} >> "$R/etc/shadow"; fi`),
    ...USERS.map((u) => `if [ -e "$R/etc/gshadow" ]; then printf '%s\\n' ${sh(`${u.name}:!::`)} >> "$R/etc/gshadow"; fi`),
    // As the official postgres Dockerfile: no cluster is created at install (the entrypoint runs initdb).
    'mkdir -p "$R/etc/postgresql-common/createcluster.d"',
    `printf '%s\\n' 'create_main_cluster = false' > "$R/etc/postgresql-common/createcluster.d/headroom.conf"`,
    '',
  ].join('\n');
  const setup = Object.entries(SERVICE_IMAGES).flatMap(([name, img]) => [`# ${name}`, ...img.setup]);
  const customize = [
    'set -eu',
    'R="$1"',
    `cp -a ${sh(staging)}/. "$R/"`,
    `chroot "$R" sh -eu -c ${sh(setup.join('\n'))}`,
    'rm -rf "$R"/var/log/*.log "$R"/var/log/apt "$R"/var/cache/debconf/*-old "$R"/var/lib/dpkg/*-old',
    '',
  ].join('\n');
  return { essential, customize };
}

function imageConfigJson(name: ImageName, diffId: string, created: string): string {
  return JSON.stringify({
    architecture: arch() === 'x64' ? 'amd64' : arch() === 'arm64' ? 'arm64' : arch(),
    os: 'linux',
    created,
    config: SERVICE_IMAGES[name].config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: `mmdebstrap --variant=essential ${SUITE} with every stand-in's packages (test/docker/image-recipe.ts); ${name}: config only` }],
  });
}

/**
 * The docker-save archive (a folder: layer.tar, one config per image, manifest.json) for the
 * current recipe: from the cache, or made now (mmdebstrap: about 1.5 min on an idle 2-core
 * machine, 4–5 min when it is shared). Concurrent callers (another test file, another checkout)
 * wait for one build. `signal` aborts it (mmdebstrap is stopped and its temp folder removed).
 */
export async function imageArchive(log: (s: string) => void = () => {}, opts: { signal?: AbortSignal } = {}): Promise<{ dir: string; key: string; timings: Timed[] }> {
  const key = imagesKey();
  const cache = cacheDir();
  const dir = join(cache, `images-${key}`);
  const t0 = Date.now();
  const done = (waitedS: number): { dir: string; key: string; timings: Timed[] } => {
    const built = JSON.parse(readFileSync(join(dir, 'timing.json'), 'utf8')) as { timings: Timed[] };
    const now = new Date();
    utimesSync(dir, now, now); // in use: pruneCache keeps it
    return { dir, key, timings: [...built.timings.map((t) => ({ ...t, cached: true })), ...(waitedS >= 1 ? [{ what: 'waiting for the image build (another test file or process)', seconds: waitedS }] : [])] };
  };
  if (existsSync(join(dir, 'manifest.json'))) return done(0);
  const tool = spawnSync('sh', ['-c', 'command -v mmdebstrap'], { encoding: 'utf8' }).stdout.trim();
  if (!tool) throw new Error('mmdebstrap is not installed (Debian package mmdebstrap): apt-get update && apt-get install -y --no-install-recommends mmdebstrap');
  return withLock(join(cache, `images-${key}.lock`), 20 * 60_000, async () => {
    if (existsSync(join(dir, 'manifest.json'))) return done((Date.now() - t0) / 1000);
    const work = join(cache, `build-${key}-${process.pid}`);
    const partial = join(work, 'archive');
    const staging = join(work, 'files');
    const mmTmp = join(work, 'tmp');
    const debs = join(cache, 'debs');
    const debsNew = join(work, 'debs');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    mkdirSync(mmTmp, { recursive: true });
    mkdirSync(debsNew, { recursive: true });
    try {
      // The files the images copy in, at their paths in the root filesystem.
      for (const img of Object.values(SERVICE_IMAGES)) {
        for (const [to, from] of Object.entries(img.files)) {
          mkdirSync(dirname(join(staging, to)), { recursive: true });
          const r = spawnSync('cp', ['-a', join(IMAGES_DIR, from), join(staging, to)], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`cp ${from}: ${r.stderr}`);
        }
      }
      spawnSync('find', [staging, '-name', '__pycache__', '-prune', '-exec', 'rm', '-rf', '{}', '+']);
      spawnSync('chown', ['-R', '0:0', staging]);
      const hooks = hookScripts(staging);
      writeFileSync(join(work, 'essential.sh'), hooks.essential);
      writeFileSync(join(work, 'customize.sh'), hooks.customize);
      const src = hostSources();
      const sourcesFile = join(work, src.path.endsWith('.sources') ? 'debian.sources' : 'sources.list');
      writeFileSync(sourcesFile, src.text);
      const packages = recipe().packages;
      log(`mmdebstrap: one Debian ${SUITE} root filesystem with ${packages.length} packages for every stand-in (cached as ${relative(process.cwd(), dir)})`);
      const tm = Date.now();
      const args = [
        '--mode=root',
        '--variant=essential',
        '--format=tar',
        ...DPKG_OPTIONS.map((o) => `--dpkgopt=${o}`),
        '--aptopt=APT::Install-Recommends "false"',
        '--aptopt=Acquire::Retries "3"',
        // The packages downloaded last time (debs/, beside the archives) are offered to apt
        // first: a changed recipe downloads only what changed. apt checks each against the
        // lists' hashes; the build's own packages go back out, pruned to those still current.
        '--skip=essential/unlink',
        `--setup-hook=mkdir -p "$1/var/cache/apt/archives/partial"`,
        ...(existsSync(debs) ? [`--setup-hook=sync-in ${debs} /var/cache/apt/archives/`] : []),
        `--essential-hook=sh ${join(work, 'essential.sh')} "$1"`,
        `--customize-hook=sh ${join(work, 'customize.sh')} "$1"`,
        // apt from outside, on the root filesystem (mmdebstrap's own apt configuration); pruning is best effort.
        `--customize-hook=env APT_CONFIG="$MMDEBSTRAP_APT_CONFIG" apt-get -qq autoclean || echo 'apt-get autoclean failed: the package cache is kept unpruned'`,
        `--customize-hook=sync-out /var/cache/apt/archives ${debsNew}`,
        `--include=${packages.join(',')}`,
        SUITE,
        join(partial, 'layer.tar'),
        sourcesFile,
      ];
      const r = await runCmd(tool, args, { timeoutMs: 20 * 60_000, env: { ...process.env, PATH: MMDEBSTRAP_PATH, TMPDIR: mmTmp }, signal: opts.signal, killSignal: 'SIGTERM' });
      if (r.code !== 0) throw new Error(`mmdebstrap failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-4000)}`);
      const mmSeconds = (Date.now() - tm) / 1000;
      const th = Date.now();
      const diffId = `sha256:${await sha256File(join(partial, 'layer.tar'))}`;
      const created = new Date().toISOString();
      const manifest = IMAGE_NAMES.map((name) => {
        const cfg = imageConfigJson(name, diffId, created);
        const id = createHash('sha256').update(cfg).digest('hex');
        writeFileSync(join(partial, `${id}.json`), cfg);
        return { Config: `${id}.json`, RepoTags: [localTag(name)], Layers: ['layer.tar'] };
      });
      writeFileSync(join(partial, 'manifest.json'), JSON.stringify(manifest));
      const sizeMiB = Math.round(statSync(join(partial, 'layer.tar')).size / 1048576);
      const timings: Timed[] = [
        { what: `mmdebstrap: root filesystem with ${packages.length} packages (${sizeMiB} MiB tar)`, seconds: Math.round(mmSeconds * 10) / 10 },
        { what: 'hash the layer, write the image configs', seconds: Math.round((Date.now() - th) / 100) / 10 },
      ];
      writeFileSync(join(partial, 'timing.json'), JSON.stringify({ builtAt: created, sizeMiB, timings }));
      renameSync(partial, dir);
      log(`image archive: ${sizeMiB} MiB in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      pruneCache(key);
      return { dir, key, timings };
    } finally {
      // The packages go to the cache also when the build failed after downloading them (a
      // timeout on a saturated machine): the next try skips the download. apt checks every one
      // against the lists' hashes, so a partial set is harmless.
      if (existsSync(debsNew) && readdirSync(debsNew).some((f) => f.endsWith('.deb'))) {
        rmSync(join(debsNew, 'partial'), { recursive: true, force: true });
        rmSync(join(debsNew, 'lock'), { force: true });
        rmSync(debs, { recursive: true, force: true });
        renameSync(debsNew, debs);
      }
      // mmdebstrap unmounts and removes its temp root on failure or SIGTERM; anything it left is ours.
      for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const mp = line.split(' ')[4];
        if (mp && mp.startsWith(work + '/')) spawnSync('umount', ['-l', mp]);
      }
      rmSync(work, { recursive: true, force: true });
    }
  });
}

/** Removes cached archives and builds of other recipes not used for a day (another checkout may still use a recent one). */
function pruneCache(keep: string): void {
  const cache = cacheDir();
  for (const name of readdirSync(cache)) {
    if (name.includes(keep) || name.endsWith('.lock') || name === 'debs') continue;
    const p = join(cache, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > 24 * 3600_000) rmSync(p, { recursive: true, force: true });
    } catch {
      // gone
    }
  }
}

/** `tar -c` of the archive folder piped into `docker load`: one extraction of the layer, every image. */
export async function loadImages(engine: DockerEngine, log: (s: string) => void = () => {}, opts: { signal?: AbortSignal } = {}): Promise<{ timings: Timed[] }> {
  const archive = await imageArchive(log, opts);
  const t0 = Date.now();
  const files = readdirSync(archive.dir).filter((f) => f !== 'timing.json');
  await new Promise<void>((resolve, reject) => {
    const tar = spawn(requireDockerTool('tar'), ['-C', archive.dir, '-cf', '-', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    const load = spawn(requireDockerTool('docker'), ['load', '-q'], { env: engine.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    tar.stderr.on('data', (d) => (err += d));
    load.stderr.on('data', (d) => (err += d));
    load.stdout.on('data', () => {});
    tar.stdout.pipe(load.stdin);
    load.stdin.on('error', () => {});
    const timer = setTimeout(() => {
      tar.kill('SIGKILL');
      load.kill('SIGKILL');
    }, 10 * 60_000);
    let tarCode: number | null = null;
    tar.on('close', (c) => (tarCode = c));
    load.on('close', (c) => {
      clearTimeout(timer);
      if (c === 0 && tarCode === 0) resolve();
      else reject(new Error(`docker load of ${archive.dir} failed (tar ${tarCode}, docker ${c}): ${err.slice(-3000)}`));
    });
    load.on('error', reject);
    tar.on('error', reject);
  });
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  log(`images ${IMAGE_NAMES.join(', ')} loaded in ${seconds} s`);
  return { timings: [...archive.timings, { what: `docker load (${IMAGE_NAMES.length} images, one layer)`, seconds }] };
}

/** docker run arguments that give the host-/usr image its programs. */
export const HOST_USR_RUN_ARGS = ['-v', '/usr:/usr:ro'] as const;

/**
 * A tiny image for the toolkit's tests: an empty root (etc, tmp, proc, sys, dev, and the
 * merged-/usr links bin, sbin, lib, lib64) imported in a second; run it with HOST_USR_RUN_ARGS.
 */
export async function hostUsrImage(engine: DockerEngine, tag = 'headroom-local/hostusr:test'): Promise<string> {
  for (const l of ['bin', 'sbin', 'lib']) {
    if (!lstatSync(`/${l}`).isSymbolicLink()) throw new Error(`/${l} is not a link into /usr: the toolkit's host-/usr image needs a merged-/usr host (Debian 12 is)`);
  }
  const root = join(tmpdir(), `headroom-hostusr-${process.pid}-${Date.now().toString(36)}`);
  try {
    for (const d of ['etc', 'tmp', 'proc', 'sys', 'dev', 'usr', 'root']) mkdirSync(join(root, d), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    for (const l of ['bin', 'sbin', 'lib', 'lib64']) if (existsSync(`/${l}`)) symlinkSync(`usr/${l}`, join(root, l));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tarFile = `${root}.tar`;
    const t = spawnSync(requireDockerTool('tar'), ['--numeric-owner', '-C', root, '-cf', tarFile, '.'], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`tar: ${t.stderr}`);
    await engine.dockerOk(['import', '--change', 'CMD ["/bin/sh"]', tarFile, tag], { timeoutMs: 60_000 });
    rmSync(tarFile, { force: true });
    return tag;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A throwaway folder for one test (removed by the caller). */
export function testDir(prefix: string): string {
  const d = join(tmpdir(), `headroom-${prefix}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(d, { recursive: true });
  return d;
}
