/**
 * A dynamic import (a chunk of the page) tried a second time when it failed: a browser that follows
 * whatwg/html#10327 (failed module fetches are not cached; Chromium 156 here re-fetches) loads it
 * again, so one dropped request costs nothing. Seen in CI beside the Docker step: the boot's engine
 * chunk (2026-12-03, session 11) and the services table's (the same day, later): "Failed to fetch
 * dynamically imported module". A browser that caches the failure fails again at once, and the
 * page says so as before.
 */

/** Assumed: long enough for a dropped connection to the server to come back, short enough not to be noticed. */
export const CHUNK_RETRY_MS = 500;

export function retryOnce<T>(load: () => Promise<T>): Promise<T> {
  return load().catch(() => new Promise((r) => setTimeout(r, CHUNK_RETRY_MS)).then(load));
}
