/**
 * Local images without a registry. One Debian base made with debootstrap (minbase bookworm from
 * the mirror in the host's apt sources), kept as a tarball in a cache folder keyed by its recipe
 * (a second run in the same checkout reuses it), imported into the test's engine; then one image
 * per service from Debian's packages (test/docker/images/<name>/Dockerfile, `FROM $BASE`, built
 * with `docker build --network host`, several at once).
 *
 * Each image stands in for the official one the export names, where the export relies on it
 * (entrypoint, default command, user, the env vars and mounts the compose file uses): see each
 * Dockerfile's header. LOCAL_IMAGES maps the exported image names to them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCmd, sleep, type DockerEngine } from './engine.ts';
import { requireDockerTool } from './tools.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const IMAGES_DIR = join(HERE, 'images');

/** The images this toolkit builds (folders under test/docker/images). */
export const IMAGE_NAMES = ['postgres', 'redis', 'pgbouncer', 'prometheus', 'alertmanager', 'app'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

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

// ---------------------------------------------------------------------------------------------
// The base

/** The first Debian mirror in the host's apt sources (deb822 or one-line), for debootstrap. */
export function debianMirror(): string {
  const files = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    if (deb822) return deb822[1]!;
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\b/m.exec(text);
    if (line) return line[1]!;
  }
  return 'http://deb.debian.org/debian';
}

/** The host's apt sources, copied into the base so that builds use the same mirror and suites. */
function hostSources(): { path: string; text: string } {
  for (const path of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch {
      // next
    }
  }
  return { path: '/etc/apt/sources.list', text: 'deb http://deb.debian.org/debian bookworm main\n' };
}

/** dpkg leaves out documentation, man pages, translations and moment-timezone's 214 MB of data
 * (a dependency of Prometheus's classic console pages, which nothing here opens), as Debian's
 * slim images do; vfs copies every byte of every layer. apt skips fsync (the image is rebuilt,
 * never repaired). */
const DPKG_EXCLUDES = [
  'path-exclude /usr/share/doc/*',
  'path-exclude /usr/share/man/*',
  'path-exclude /usr/share/info/*',
  'path-exclude /usr/share/locale/*',
  'path-include /usr/share/locale/locale.alias',
  'path-exclude /usr/share/javascript/moment-timezone/*',
  'force-unsafe-io',
  '',
].join('\n');

/** What the base is made of; its hash names the cached tarball. */
export function baseRecipe() {
  const sources = hostSources();
  return {
    version: 2,
    suite: 'bookworm',
    variant: 'minbase',
    mirror: debianMirror(),
    sources: sources.text,
    sourcesPath: sources.path,
    dpkg: DPKG_EXCLUDES,
    // policy-rc.d: package scripts never start services in an image (as Debian's docker images).
    policy: '#!/bin/sh\nexit 101\n',
    apt: 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Retries "3";\n',
  };
}

export const baseKey = () => createHash('sha256').update(JSON.stringify(baseRecipe())).digest('hex').slice(0, 16);

/** Where the base and the built images are kept: $HEADROOM_DOCKER_CACHE, else
 * $TMPDIR/headroom-docker-cache (shared by every checkout on the machine; each file is named by
 * the hash of its recipe, so a changed recipe never reuses a stale one). */
export function cacheDir(): string {
  const d = process.env.HEADROOM_DOCKER_CACHE || join(tmpdir(), 'headroom-docker-cache');
  mkdirSync(d, { recursive: true });
  return d;
}

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
      if (holder && !alive(holder)) {
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

export type Timed = { what: string; seconds: number; cached?: boolean };

/**
 * The base tarball for the current recipe: from the cache, or made now with debootstrap (about
 * 90 s to 3 min here). Concurrent callers wait for one build.
 */
export async function baseTarball(log: (s: string) => void = () => {}): Promise<{ path: string; key: string; timing: Timed }> {
  const key = baseKey();
  const dir = cacheDir();
  const path = join(dir, `base-${key}.tar`);
  const t0 = Date.now();
  if (existsSync(path)) return { path, key, timing: { what: 'debootstrap base', seconds: 0, cached: true } };
  requireDockerTool('debootstrap');
  requireDockerTool('tar');
  return withLock(join(dir, `base-${key}.lock`), 15 * 60_000, async () => {
    if (existsSync(path)) return { path, key, timing: { what: 'debootstrap base', seconds: (Date.now() - t0) / 1000, cached: true } };
    const recipe = baseRecipe();
    const root = join(dir, `rootfs-${key}-${process.pid}`);
    rmSync(root, { recursive: true, force: true });
    try {
      log(`debootstrap --variant=${recipe.variant} ${recipe.suite} from ${recipe.mirror} (once; cached as ${relative(process.cwd(), path)})`);
      const r = await runCmd(requireDockerTool('debootstrap'), [`--variant=${recipe.variant}`, recipe.suite, root, recipe.mirror], { timeoutMs: 15 * 60_000 });
      if (r.code !== 0) throw new Error(`debootstrap failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-3000)}`);
      // The same mirror and suites as the host, no docs, no services started by package scripts.
      rmSync(join(root, 'etc/apt/sources.list'), { force: true });
      mkdirSync(join(root, 'etc/apt/sources.list.d'), { recursive: true });
      writeFileSync(join(root, recipe.sourcesPath.endsWith('.sources') ? 'etc/apt/sources.list.d/debian.sources' : 'etc/apt/sources.list'), recipe.sources);
      writeFileSync(join(root, 'etc/dpkg/dpkg.cfg.d/headroom-slim'), recipe.dpkg);
      writeFileSync(join(root, 'usr/sbin/policy-rc.d'), recipe.policy, { mode: 0o755 });
      writeFileSync(join(root, 'etc/apt/apt.conf.d/90headroom'), recipe.apt);
      for (const d of ['usr/share/doc', 'usr/share/man', 'usr/share/locale', 'var/cache/apt/archives']) {
        const p = join(root, d);
        if (!existsSync(p)) continue;
        for (const e of readdirSync(p)) if (e !== 'locale.alias' && e !== 'partial' && e !== 'lock') rmSync(join(p, e), { recursive: true, force: true });
      }
      // The package lists for the builds (fetched once here, not once per image).
      const u = await runCmd('chroot', [root, 'apt-get', 'update', '-qq'], { timeoutMs: 5 * 60_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (u.code !== 0) throw new Error(`apt-get update in the base failed:\n${(u.stdout + u.stderr).slice(-3000)}`);
      const partial = `${path}.partial-${process.pid}`;
      const t = await runCmd(requireDockerTool('tar'), ['--numeric-owner', '-C', root, '-cf', partial, '.'], { timeoutMs: 5 * 60_000 });
      if (t.code !== 0) throw new Error(`tar of the base failed: ${t.stderr}`);
      renameSync(partial, path);
      log(`base: ${(statSync(path).size / 1048576).toFixed(0)} MiB in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      return { path, key, timing: { what: 'debootstrap base', seconds: (Date.now() - t0) / 1000, cached: false } };
    } finally {
      // debootstrap may leave /proc and /sys mounted in the rootfs when it fails.
      for (const m of ['proc', 'sys', 'dev/pts', 'dev']) await runCmd('umount', ['-l', join(root, m)]).catch(() => {});
      rmSync(root, { recursive: true, force: true });
    }
  });
}

/** Imports the base into an engine as `headroom-local/base:<key>`. */
export async function importBase(engine: DockerEngine, log: (s: string) => void = () => {}): Promise<{ tag: string; timings: Timed[] }> {
  const base = await baseTarball(log);
  const tag = `headroom-local/base:${base.key}`;
  const t0 = Date.now();
  await engine.dockerOk(['import', base.path, tag], { timeoutMs: 5 * 60_000 });
  return { tag, timings: [base.timing, { what: 'docker import base', seconds: (Date.now() - t0) / 1000 }] };
}

/** Every file of an image's folder, hashed (paths, modes and contents). */
function imageDirHash(name: ImageName): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.pyc')) h.update(`${relative(IMAGES_DIR, p)}\0${statSync(p).mode & 0o111}\0`).update(readFileSync(p));
    }
  };
  walk(join(IMAGES_DIR, name));
  return h.digest('hex');
}

/** The cache key of a set of built images: the base's recipe and each image's folder. */
export function imagesKey(names: readonly ImageName[]): string {
  const h = createHash('sha256').update(baseKey());
  for (const n of [...new Set(names)].sort()) h.update(`${n}:${imageDirHash(n)}`);
  return h.digest('hex').slice(0, 16);
}

/**
 * The named images in this engine: loaded from the cache (`docker save` of an earlier build of the
 * same recipe), or built now on the imported base (in parallel, `concurrency` at a time) and then
 * saved to the cache.
 */
export async function buildImages(engine: DockerEngine, names: readonly ImageName[], opts: { log?: (s: string) => void; concurrency?: number; cache?: boolean } = {}): Promise<{ timings: Timed[] }> {
  const log = opts.log ?? (() => {});
  const wanted = [...new Set(names)].sort();
  const key = imagesKey(wanted);
  const saved = join(cacheDir(), `images-${key}.tar`);
  if (opts.cache !== false && existsSync(saved)) {
    const t0 = Date.now();
    await engine.dockerOk(['load', '-q', '-i', saved], { timeoutMs: 10 * 60_000 });
    const seconds = (Date.now() - t0) / 1000;
    log(`images ${wanted.join(', ')} loaded from the cache in ${seconds.toFixed(0)} s`);
    return { timings: [{ what: 'debootstrap base', seconds: 0, cached: true }, { what: `docker load ${wanted.length} images`, seconds, cached: true }] };
  }
  const { tag: base, timings } = await importBase(engine, log);
  const queue = [...wanted];
  const failures: string[] = [];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      const t0 = Date.now();
      const r = await engine.docker(['build', '--network', 'host', '--build-arg', `BASE=${base}`, '-t', localTag(name), join(IMAGES_DIR, name)], {
        timeoutMs: 15 * 60_000,
      });
      const seconds = (Date.now() - t0) / 1000;
      if (r.code !== 0) failures.push(`${name}: docker build exited ${r.code}\n${(r.stdout + r.stderr).slice(-3000)}`);
      else {
        log(`image ${localTag(name)} built in ${seconds.toFixed(0)} s`);
        timings.push({ what: `build ${name}`, seconds });
      }
    }
  };
  const tb = Date.now();
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 3) }, worker));
  if (failures.length) throw new Error(`image builds failed:\n${failures.join('\n')}`);
  timings.push({ what: `builds (${wanted.length} images, wall)`, seconds: (Date.now() - tb) / 1000 });
  if (opts.cache !== false) {
    const t0 = Date.now();
    const partial = `${saved}.partial-${process.pid}`;
    await engine.dockerOk(['save', '-o', partial, ...wanted.map(localTag)], { timeoutMs: 10 * 60_000 });
    renameSync(partial, saved);
    timings.push({ what: 'docker save (cache)', seconds: (Date.now() - t0) / 1000 });
    log(`images saved to ${saved} (${(statSync(saved).size / 1048576).toFixed(0)} MiB)`);
  }
  return { timings };
}

/** A throwaway folder for one test (removed by the caller). */
export function testDir(prefix: string): string {
  const d = join(tmpdir(), `headroom-${prefix}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** The cached base tarball's path when it exists (tests that import it into a second engine). */
export function baseTarballPathSync(): string {
  const p = join(cacheDir(), `base-${baseKey()}.tar`);
  if (!existsSync(p)) throw new Error(`no cached base at ${p}: importBase() makes it`);
  return p;
}
