/**
 * memcached cases: memcached started with the command Headroom exports for the plan (-m, -c, -t as
 * exported; a unix socket instead of TCP), filled past -m with small (100-byte) or larger
 * (4,000-byte) values until it evicts, then half as many again, then a few seconds of paced
 * sets and gets: a cache in service at its -m. Memory: memcached's RSS, sampled every 0.2 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { memcachedCommand } from '../../src/formats/kinds/memcached.ts';
import { loadWatch, toolVersion } from './machine.ts';
import { planChecked, writeCalibration } from './record.ts';
import { exitReason, max, median, mib, requireTool, sleep, smapsOf, startGroup, stopGroup, waitFor, type Started } from './proc.ts';

const MEMCACHED = '/usr/bin/memcached';
const SAMPLE_MS = 200;
const STEADY_SECONDS = 3;
const STEADY_OPS_PER_SECOND = 5000;

type McSpec = { memory: number; value: number; clients: number };
export const MEMCACHED_SPECS: McSpec[] = [
  ...[32, 64, 128].flatMap((memory) => [100, 4000].map((value) => ({ memory, value, clients: 10 }))),
  { memory: 64, value: 100, clients: 200 },
];
const caseId = (s: McSpec) => `memcached-m${s.memory}-v${s.value}-c${s.clients}`;
/** A key like `k:0000012345` (12 bytes) and memcached's item header (48 bytes + CAS 8, memcached.h). */
const ITEM_OVERHEAD = 12 + 2 + 56;

export function memcachedPlan(s: McSpec): CalibrationPlan {
  return {
    name: `calibration ${caseId(s)}`,
    host: { ram: '4GiB' },
    services: [{ name: 'memcached', kind: 'memcached', limit: `${s.memory * 3}MiB`, settings: { memory: `${s.memory}MiB`, clients: s.clients, itemSize: `${s.value + ITEM_OVERHEAD}B` } }],
  };
}

/** A pipelining text-protocol client: replies are one line each for the commands it sends. */
class McPipe {
  private sent = 0;
  private received = 0;
  private tail = '';
  constructor(private sock: Socket) {
    sock.on('data', (d: Buffer) => {
      const text = this.tail + d.toString('latin1');
      let i = 0;
      let j: number;
      // Replies: STORED, END, or VALUE … / data / END for a get: count END and STORED lines.
      while ((j = text.indexOf('\r\n', i)) >= 0) {
        const line = text.slice(i, j);
        if (line === 'STORED' || line === 'END' || line.startsWith('SERVER_ERROR') || line === 'ERROR') this.received++;
        i = j + 2;
      }
      this.tail = text.slice(i);
    });
  }
  static open(path: string): Promise<McPipe> {
    return new Promise((resolve, reject) => {
      const s = connect(path, () => resolve(new McPipe(s)));
      s.once('error', reject);
    });
  }
  async send(cmds: string[]): Promise<void> {
    this.sock.write(cmds.join(''));
    this.sent += cmds.length;
    const end = Date.now() + 30_000;
    while (this.sent - this.received > 5000) {
      if (Date.now() > end) throw new Error(`memcached did not answer ${this.sent - this.received} commands in 30 s`);
      await sleep(5);
    }
  }
  async flush(): Promise<void> {
    const end = Date.now() + 60_000;
    while (this.sent > this.received) {
      if (Date.now() > end) throw new Error('memcached did not answer in 60 s');
      await sleep(5);
    }
  }
  close(): void {
    this.sock.destroy();
  }
}

/** One `stats` reply as a record. */
function stats(path: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => s.write('stats\r\n'));
    let text = '';
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.endsWith('END\r\n')) {
        s.destroy();
        const out: Record<string, string> = {};
        for (const line of text.split('\r\n')) {
          const m = /^STAT (\S+) (.*)$/.exec(line);
          if (m) out[m[1]!] = m[2]!;
        }
        resolve(out);
      }
    });
    s.once('error', reject);
    setTimeout(() => reject(new Error('memcached stats: no answer in 10 s')), 10_000).unref();
  });
}

async function memcachedCase(s: McSpec): Promise<CalibrationCase> {
  const id = caseId(s);
  const plan = memcachedPlan(s);
  const svc = planChecked(plan).services[0]!;
  if (svc.kind !== 'memcached') throw new Error(`${id}: the plan's service is not memcached`);
  // The exported command, with its own path for the binary and a unix socket (no TCP) added.
  const [, ...args] = memcachedCommand(svc);
  const dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-memcached-'));
  const sock = join(dir, 'mc.sock');
  let server: Started | null = null;
  const watch = loadWatch();
  try {
    server = startGroup('memcached', MEMCACHED, [...args, '-s', sock, '-a', '0700', '-u', 'root'], join(dir, 'memcached.log'));
    const srv = server;
    await waitFor('memcached to answer stats', async () => Object.keys(await stats(sock)).length > 0, 15_000, () => exitReason(srv));
    const samples: number[] = [];
    const fill: number[] = [];
    let running = true;
    let into = fill;
    const loop = (async () => {
      while (running) {
        const m = smapsOf(srv.pgid);
        if (m) into.push(m.rss);
        await sleep(SAMPLE_MS);
      }
    })();
    const conns = await Promise.all(Array.from({ length: s.clients }, () => McPipe.open(sock)));
    const value = 'x'.repeat(s.value);
    const set = (i: number) => `set k:${String(i).padStart(10, '0')} 0 0 ${s.value}\r\n${value}\r\n`;
    let written = 0;
    let firstEviction = 0;
    try {
      const batch = s.value > 1000 ? 2000 : 20_000;
      while (written < 20_000_000) {
        const pipe = conns[(written / batch) % conns.length]!;
        await pipe.send(Array.from({ length: batch }, (_, k) => set(written + k)));
        await pipe.flush();
        written += batch;
        const evictions = Number((await stats(sock)).evictions ?? 0);
        if (evictions > 0 && !firstEviction) firstEviction = written;
        if (firstEviction && written >= firstEviction * 1.5) break;
      }
      if (!firstEviction) throw new Error(`${id}: no eviction after ${written} items`);
      // In service: paced sets and gets of recent keys over every connection.
      into = samples;
      const perTick = STEADY_OPS_PER_SECOND / 10;
      for (let t = 0; t < STEADY_SECONDS * 10; t++) {
        const pipe = conns[t % conns.length]!;
        await pipe.send(Array.from({ length: perTick }, (_, k) => (k % 2 ? set(written + k) : `get k:${String(written - 1 - k).padStart(10, '0')}\r\n`)));
        written += perTick;
        await sleep(100);
      }
      for (const p of conns) await p.flush();
    } finally {
      running = false;
      await loop;
      for (const p of conns) p.close();
    }
    const st = await stats(sock);
    if (samples.length < 3) throw new Error(`${id}: only ${samples.length} samples`);
    const n = (k: string) => Number(st[k] ?? NaN);
    return {
      id,
      label: `memcached -m ${s.memory}, ${s.value}-byte values past -m, ${s.clients} connections`,
      role: 'typical',
      plan,
      service: 'memcached',
      settings: { limit_maxbytes: st.limit_maxbytes ?? '', threads: st.threads ?? '', max_connections: st.max_connections ?? '', version: st.version ?? '' },
      load: { tool: 'harness text-protocol pipe (unix socket)', valueBytes: s.value, itemsWritten: written, itemsAtFirstEviction: firstEviction, opsPerSecond: STEADY_OPS_PER_SECOND, ...watch() },
      measured: {
        metric: 'RSS of memcached, at -m under paced sets and gets',
        typicalMiB: mib(median(samples)),
        peakMiB: mib(max([...fill, ...samples])),
        samples: samples.length,
        detail: {
          bytes: Math.round((n('bytes') / 1048576) * 100) / 100,
          items: n('curr_items'),
          evictions: n('evictions'),
          hash_bytes: Math.round((n('hash_bytes') / 1048576) * 100) / 100,
          limit_maxbytes: Math.round((n('limit_maxbytes') / 1048576) * 100) / 100,
          curr_connections: n('curr_connections'),
        },
      },
    };
  } finally {
    if (server) await stopGroup(server, 'SIGTERM', 5000);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function calibrateMemcached(only: (id: string) => boolean = () => true): Promise<void> {
  requireTool(MEMCACHED, 'memcached');
  const recordedAt = new Date().toISOString();
  const cases: CalibrationCase[] = [];
  for (const s of MEMCACHED_SPECS.filter((x) => only(caseId(x)))) {
    const c = await memcachedCase(s);
    console.log(`  ${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (items ${c.measured.detail.items}, hash ${c.measured.detail.hash_bytes} MiB, limit ${c.measured.detail.limit_maxbytes})`);
    cases.push(c);
  }
  writeCalibration('calibration/memcached.json', {
    kind: 'memcached',
    recordedAt,
    method: `memcached started with the command Headroom exports for the plan (-m, -c, -t as exported; a unix socket instead of TCP, -u root for the harness), filled over the plan's client connections past -m (half as many items again as when eviction began), then ${STEADY_SECONDS} s of sets and gets at ${STEADY_OPS_PER_SECOND}/s. memcached's RSS sampled every ${SAMPLE_MS / 1000} s: typical is the median in service, peak the largest sample, fill included.`,
    tools: { memcached: toolVersion(MEMCACHED, ['-V']) },
  }, cases);
}
