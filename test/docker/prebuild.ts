// Makes the Docker tests' image archive (test/docker/images.ts) ahead of them: `npm test`
// (scripts/test-all.mjs) starts this in the background at its beginning, so that mmdebstrap runs
// while the unit and browser tests run; the Docker tests then find the archive made, or wait for
// it through its lock. Stops (and cleans up) on SIGTERM.
import { imageArchive } from './images.ts';

const ac = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => ac.abort());
const t0 = Date.now();
try {
  const a = await imageArchive((s) => console.log(s), { signal: ac.signal });
  const cached = a.timings.every((t) => t.cached);
  console.log(`image archive ${a.key} ${cached ? 'already in the cache' : `made in ${((Date.now() - t0) / 1000).toFixed(0)} s`}`);
} catch (e) {
  console.error(`image archive: ${(e as Error).message}`);
  process.exitCode = 1;
}
