/**
 * Node.js cases: a small HTTP server (node:http) that retains a working set of small objects on the
 * V8 heap (0, 32 or 96 MiB) and builds a 1 KiB JSON response per request, with
 * --max-old-space-size=256, under wrk and at rest. Memory: the node process's RSS (see http-load.ts).
 *
 * The plan states the memory per process the way a person sizes it: Node's baseline (the engine's
 * NODE_BASELINE_MIB) plus what the app keeps on its heap (V8's heapUsed after a full GC, reported
 * by the server). The cases check that baseline and the spread around it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { NODE_BASELINE_MIB, NODE_HEAP_RESIDENT_PER_LIVE } from '../../src/engine/kinds/node.ts';
import { writeCalibration } from './record.ts';
import { loadWatch, toolVersion } from './machine.ts';
import { measureUnderLoad, waitHttp } from './http-load.ts';
import { freePort, requireTool, startGroup, stopGroup } from './proc.ts';

const NODE = '/usr/bin/node';
const SECONDS = 15;
const CONNECTIONS = 32;
const OLD_SPACE = 256;
/** What Node itself takes beside the app's heap (the engine's constant, measured here under load). */
const BASELINE_MIB = NODE_BASELINE_MIB;
export const NODE_SPECS = [
  { retain: 0, connections: CONNECTIONS },
  { retain: 32, connections: CONNECTIONS },
  { retain: 96, connections: CONNECTIONS },
  { retain: 0, connections: 0 },
];
type Spec = (typeof NODE_SPECS)[number];

const SERVER_JS = `
const http = require('node:http');
const [port, retainMiB] = process.argv.slice(2).map(Number);
// ~100 bytes per entry on the V8 heap (an object with a short string and two numbers).
global.gc();
const before = process.memoryUsage().heapUsed;
const retained = [];
for (let i = 0; i < retainMiB * 10486; i++) retained.push({ id: i, name: 'user-' + i, score: i * 7 % 1000 });
global.gc();
// What the app keeps on the V8 heap, as V8 counts it, for the harness.
console.log(JSON.stringify({ retainedHeapMiB: (process.memoryUsage().heapUsed - before) / 1048576 }));
http.createServer((req, res) => {
  const items = [];
  for (let i = 0; i < 20; i++) items.push({ id: i, at: Date.now(), name: 'item-' + i });
  const body = JSON.stringify({ n: retained.length, items });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(port, '127.0.0.1');
`;

/** The plan: --max-old-space-size 256 and memory per process = Node's baseline + what the app keeps on its heap (`retainedHeapMiB`, V8's heapUsed after a full GC) × the resident share of a live heap (the engine's constants). */
export function nodePlan(s: Spec, retainedHeapMiB: number): CalibrationPlan {
  return {
    name: `calibration node-r${s.retain}-c${s.connections}`,
    host: { ram: '4GiB' },
    services: [{ name: 'node', kind: 'node', limit: '512MiB', settings: { maxOldSpace: `${OLD_SPACE}MiB`, perProcess: `${Math.round((BASELINE_MIB + retainedHeapMiB * NODE_HEAP_RESIDENT_PER_LIVE) * 10) / 10}MiB` } }],
  };
}

async function nodeCase(s: Spec, script: string): Promise<CalibrationCase> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-node-'));
  const watch = loadWatch();
  const port = await freePort();
  const log = join(dir, 'node.log');
  const server = startGroup('node', NODE, ['--expose-gc', `--max-old-space-size=${OLD_SPACE}`, script, String(port), String(s.retain)], log);
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitHttp('the Node.js server', url, server, 30_000);
    const retainedHeapMiB = Number(/"retainedHeapMiB":([\d.]+)/.exec(readFileSync(log, 'utf8'))?.[1] ?? NaN);
    if (!Number.isFinite(retainedHeapMiB)) throw new Error(`the Node.js server did not report its retained heap: ${readFileSync(log, 'utf8').slice(0, 400)}`);
    const m = await measureUnderLoad({ root: server.pgid, url, connections: s.connections, seconds: SECONDS, dir, metric: 'rss' });
    return {
      id: `node-r${s.retain}-c${s.connections}`,
      label: `Node.js HTTP server, ${s.retain} MiB retained on the heap, ${s.connections ? `wrk ${s.connections} connections, 1 KiB JSON responses` : 'at rest'}`,
      role: s.connections ? 'typical' : 'light',
      plan: nodePlan(s, retainedHeapMiB),
      service: 'node',
      settings: { 'max-old-space-size': String(OLD_SPACE), version: toolVersion(NODE, ['--version']) },
      load: { tool: s.connections ? 'wrk' : 'none', connections: s.connections, seconds: SECONDS, requestsPerSecond: m.requestsPerSecond, retainedHeapMiB: Math.round(retainedHeapMiB * 100) / 100, ...watch() },
      measured: { metric: 'RSS of the node process (PSS would share its binary with the other node processes on this machine)', typicalMiB: m.typicalMiB, peakMiB: m.peakMiB, samples: m.samples, detail: { processes: m.procs } },
    };
  } finally {
    await stopGroup(server, 'SIGTERM', 5000);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function calibrateNode(): Promise<void> {
  requireTool(NODE, 'nodejs');
  const dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-node-app-'));
  const script = join(dir, 'server.cjs');
  const cases: CalibrationCase[] = [];
  try {
    writeFileSync(script, SERVER_JS);
    for (const s of NODE_SPECS) {
      const c = await nodeCase(s, script);
      console.log(`${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (${c.load.requestsPerSecond} req/s)`);
      cases.push(c);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeCalibration('calibration/node.json', {
    kind: 'node',
    recordedAt: new Date().toISOString(),
    method: 'A node:http server retaining 0/32/96 MiB of small objects, --max-old-space-size=256; wrk keeps 32 connections busy for 15 s after a 5 s warm-up; RSS of the node process sampled every 0.5 s (other node processes on the machine share its binary, so PSS would under-count).',
    tools: { node: toolVersion(NODE, ['--version']), wrk: toolVersion('/usr/bin/wrk', ['-v']) },
  }, cases);
}
