/**
 * The host tools the Docker tests need, and the apt command that installs each. A missing tool
 * fails loudly with that command (nothing is skipped). `.ci/run` installs them when missing.
 */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Tool → Debian package. docker (the client) may also come from elsewhere: any `docker` on PATH talks to 20.10. */
export const DOCKER_TOOLS = {
  dockerd: 'docker.io',
  docker: 'docker.io',
  containerd: 'containerd',
  runc: 'runc',
  'containerd-shim-runc-v2': 'containerd',
  'docker-compose': 'docker-compose',
  mmdebstrap: 'mmdebstrap',
  tar: 'tar',
} as const;

export type DockerTool = keyof typeof DOCKER_TOOLS;

/** Every package the Docker tests need, for one apt command. */
export const DOCKER_APT = 'apt-get update && apt-get install -y --no-install-recommends docker.io mmdebstrap docker-compose';

const found = new Map<string, string>();

/** The absolute path of a tool on PATH (also /usr/sbin, where Debian puts dockerd), or a clear error naming the install command. */
export function requireDockerTool(tool: DockerTool): string {
  const cached = found.get(tool);
  if (cached) return cached;
  const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/local/sbin`;
  const path = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8', env: { ...process.env, PATH } }).stdout.trim();
  try {
    if (!path) throw new Error('missing');
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${tool} is not installed (Debian package ${DOCKER_TOOLS[tool]}): ${DOCKER_APT}`);
  }
  found.set(tool, path);
  return path;
}

/** Checks every tool at once, so the message lists all that are missing. */
export function requireDockerTools(tools: readonly DockerTool[] = Object.keys(DOCKER_TOOLS) as DockerTool[]): void {
  const missing: string[] = [];
  for (const t of tools) {
    try {
      requireDockerTool(t);
    } catch {
      missing.push(`${t} (${DOCKER_TOOLS[t]})`);
    }
  }
  if (missing.length) throw new Error(`missing for the Docker tests: ${missing.join(', ')}. Install with: ${DOCKER_APT}`);
  if (process.getuid?.() !== 0) throw new Error('the Docker tests start their own dockerd and need root (as CI runs them)');
}
