/**
 * The runtime kinds against the real runtimes: HotSpot's heap ergonomics (`java -XX:+PrintFlagsFinal`,
 * -XX:MaxRAM standing in for a container limit: outside Docker the JVM cannot be given a cgroup
 * limit here, and MaxRAM is what the container support sets from it, java command docs), the -X
 * options a compose edit writes, V8's heap limit (`node --max-old-space-size`), and the exported
 * nginx.conf run by Debian's nginx. A missing tool fails naming its apt package.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { totalmem } from 'node:os';
import { background, freePort, requireTool, runOk, stopAll, tempDir, waitFor } from '../../../test/real-tools.ts';
import { planOf } from '../../engine/testing.ts';
import { jvmMaxHeap } from '../../engine/kinds/jvm.ts';
import { nodeHeapLimit } from '../../engine/kinds/node.ts';
import type { ServiceOf } from '../../engine/schema.ts';
import { exportFiles } from '../export/index.ts';
import { nginxConf } from './proxy.ts';
import { withHeap } from './jvm.ts';
import { withMaxOldSpace } from './node.ts';

afterAll(stopAll);

async function javaMaxHeapMiB(args: string[]): Promise<number> {
  const java = requireTool('java');
  const r = await runOk(java, [...args, '-XX:+PrintFlagsFinal', '-version'], { timeoutMs: 60_000 });
  const m = /\bMaxHeapSize\s*=\s*(\d+)/.exec(r.stdout);
  if (!m) throw new Error(`no MaxHeapSize in java's output:\n${r.stdout.slice(0, 2000)}`);
  return Number(m[1]) / 1048576;
}

const jvmOf = (limit: string, settings: Record<string, unknown> = {}) => planOf({ host: { ram: '4GiB' }, services: [{ name: 'j', kind: 'jvm', limit, settings }] }).services[0] as ServiceOf<'jvm'>;

describe('HotSpot picks the heap the jvm kind predicts', () => {
  it.each([
    // container limit (as -XX:MaxRAM), MaxRAMPercentage or null for the default
    ['200MiB', null],
    ['256MiB', null],
    ['1GiB', null],
    ['4GiB', null],
    ['2GiB', 70], // Keycloak's image
    ['2GiB', 50], // Elasticsearch's auto heap
  ])('MaxRAM %s, MaxRAMPercentage %s', async (limit, pct) => {
    const s = jvmOf(limit, pct === null ? {} : { maxRamPercentage: pct });
    const mib = s.limit!;
    const real = await javaMaxHeapMiB([`-XX:MaxRAM=${mib}m`, ...(pct === null ? [] : [`-XX:MaxRAMPercentage=${pct}`])]);
    // HotSpot aligns the heap to its region size (1–2 MiB at these sizes).
    expect(Math.abs(jvmMaxHeap(s, 4096) - real), `predicted ${jvmMaxHeap(s, 4096)} MiB, java says ${real}`).toBeLessThanOrEqual(2);
  }, 120_000);

  it('the options a compose edit writes (withHeap) are accepted and give that heap', async () => {
    const words = withHeap('-Xms1g -Xmx1g -XX:+UseG1GC', 700, true).split(' ');
    expect(await javaMaxHeapMiB(words)).toBe(700);
  }, 60_000);
});

describe('V8 takes the heap limit the node kind predicts', () => {
  const v8Limit = async (args: string[]) => {
    const r = await runOk(process.execPath, [...args, '-e', 'console.log(require("v8").getHeapStatistics().heap_size_limit)']);
    return Number(r.stdout.trim()) / 1048576;
  };

  it.each([128, 512, 1536])('--max-old-space-size=%s', async (n) => {
    const s = planOf({ host: { ram: '4GiB' }, services: [{ name: 'n', kind: 'node', settings: { maxOldSpace: n } }] }).services[0] as ServiceOf<'node'>;
    expect(await v8Limit(withMaxOldSpace('', n).split(' '))).toBe(nodeHeapLimit(s, 4096));
  });

  it('the default limit from the memory Node sees (this machine: no container limit)', async () => {
    // constrainedMemory() is the cgroup's limit, or a huge number without one.
    const seen = Math.min(process.constrainedMemory?.() || Infinity, totalmem()) / 1048576;
    const s = planOf({ host: { ram: Math.floor(seen) }, services: [{ name: 'n', kind: 'node' }] }).services[0] as ServiceOf<'node'>;
    const real = await v8Limit([]);
    expect(Math.abs(nodeHeapLimit(s, Math.floor(seen)) - real), `predicted ${nodeHeapLimit(s, Math.floor(seen))}, V8 says ${real}`).toBeLessThanOrEqual(2);
  });
});

describe('Debian nginx runs the exported nginx.conf', () => {
  const plan = planOf({
    host: { ram: '4GiB' },
    services: [
      { name: 'app', kind: 'fastapi', limit: '500MiB' },
      { name: 'edge', kind: 'proxy', limit: '64MiB', settings: { server: 'nginx', workers: 2, workerConnections: 768, sharedZones: '10MiB' } },
    ],
  });

  it('nginx -t accepts the exported file as written', async () => {
    const nginx = requireTool('nginx');
    // Without zones: the exported proxy_cache_path lives in the image's /var/cache/nginx, which a
    // Debian host lacks (the loopback run below covers the zones with its own temp paths).
    const plain = planOf({ host: { ram: '4GiB' }, services: [plan.services[0]!, { ...plan.services[1]!, settings: { ...plan.services[1]!.settings, sharedZones: 0 } }] });
    const file = exportFiles(plain).find((f) => f.content.startsWith('# nginx.conf'));
    expect(file, 'the export has an nginx.conf').toBeDefined();
    const dir = tempDir('nginx-t');
    try {
      const conf = join(dir.path, 'nginx.conf');
      writeFileSync(conf, file!.content);
      const r = await runOk(nginx, ['-t', '-e', join(dir.path, 'error.log'), '-p', dir.path, '-c', conf]);
      expect(r.stderr).toMatch(/syntax is ok/);
    } finally {
      dir.remove();
    }
  }, 60_000);

  it('started on loopback with the plan\'s settings (zones in a temp folder), it runs the planned workers', async () => {
    const nginx = requireTool('nginx');
    const dir = tempDir('nginx-run');
    const port = await freePort();
    try {
      const s = plan.services[1] as ServiceOf<'proxy'>;
      const conf = join(dir.path, 'nginx.conf');
      writeFileSync(conf, nginxConf(s, { listen: `127.0.0.1:${port}`, upstream: null, pid: join(dir.path, 'nginx.pid'), errorLog: join(dir.path, 'error.log'), tempPrefix: dir.path }));
      const bg = background(nginx, ['-e', join(dir.path, 'error.log'), '-p', dir.path, '-c', conf, '-g', 'daemon off;']);
      try {
        await waitFor('nginx to answer', async () => (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => '')) === 'ok\n', 20_000, bg);
        // The workers, plus the cache manager and loader nginx runs for a proxy_cache_path.
        const titles = (await runOk('ps', ['-o', 'args=', '--ppid', String(bg.child.pid)])).stdout.trim().split('\n');
        expect(titles.filter((t) => /worker process/.test(t))).toHaveLength(2);
        expect(titles.some((t) => /cache manager/.test(t))).toBe(true);
      } finally {
        await bg.stop('SIGQUIT');
      }
    } finally {
      dir.remove();
    }
  }, 60_000);
});
