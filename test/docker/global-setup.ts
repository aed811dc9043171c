/**
 * Global setup of the Docker tests (vitest.docker.config.ts): starts making the image archive
 * (test/docker/images.ts: mmdebstrap, the longest step of a cold run) in the background at once,
 * so that it runs while the toolkit's tests (which need no image from it) run; the deployment
 * test then waits for it through the archive's lock, or finds it in the cache. A build still
 * running when the tests end is stopped (mmdebstrap cleans up after SIGTERM, images.ts removes
 * the rest).
 */
import { imageArchive } from './images.ts';

export default function setup(): () => Promise<void> {
  const ac = new AbortController();
  const t0 = Date.now();
  const build = imageArchive((s) => console.log(`[images] ${s}`), { signal: ac.signal })
    .then((a) => {
      const cached = a.timings.every((t) => t.cached);
      console.log(`[images] archive ${a.key} ${cached ? 'found in the cache' : `made in ${((Date.now() - t0) / 1000).toFixed(0)} s, in the background`}`);
    })
    .catch((e: Error) => {
      // The deployment test reports it (it tries again, and fails with the message).
      console.error(`[images] background build failed: ${e.message.slice(0, 2000)}`);
    });
  return async () => {
    ac.abort();
    await build;
  };
}
