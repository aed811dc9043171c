/**
 * FastAPI cases (the seed's app): a small FastAPI app (a few routes with pydantic models, JSON
 * responses) on Debian's python3-fastapi, served by Debian's gunicorn with uvicorn workers
 * (`-k uvicorn.workers.UvicornWorker`), at 1, 2 and 4 workers, with and without --preload, under
 * wrk and at rest. Memory: PSS of the master and its workers (PSS splits the pages --preload
 * shares, as the container is charged for them once).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { writeCalibration } from './record.ts';
import { loadWatch, toolVersion } from './machine.ts';
import { measureUnderLoad, treeMemory, waitHttp } from './http-load.ts';
import { freePort, mib, requireTool, run, startGroup, stopGroup } from './proc.ts';

const GUNICORN = '/usr/bin/gunicorn';
const PYTHON = '/usr/bin/python3';
const SECONDS = 15;
const CONNECTIONS = 16;
export const FASTAPI_SPECS = [
  { workers: 1, preload: false, connections: CONNECTIONS },
  { workers: 2, preload: false, connections: CONNECTIONS },
  { workers: 4, preload: false, connections: CONNECTIONS },
  { workers: 2, preload: true, connections: CONNECTIONS },
  { workers: 4, preload: true, connections: CONNECTIONS },
  { workers: 2, preload: false, connections: 0 },
];
type Spec = (typeof FASTAPI_SPECS)[number];

const APP_PY = `
from datetime import datetime
from typing import List, Optional
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="calibration")

class Item(BaseModel):
    id: int
    name: str
    price: float
    tags: List[str] = []
    created: datetime
    note: Optional[str] = None

ITEMS = {i: Item(id=i, name=f"item {i}", price=i * 1.5, tags=["a", "b"], created=datetime(2024, 1, 1)) for i in range(200)}

@app.get("/")
def index():
    return {"status": "ok"}

@app.get("/items", response_model=List[Item])
def items(offset: int = 0, limit: int = 20):
    return [ITEMS[i] for i in range(offset, min(offset + limit, len(ITEMS)))]

@app.get("/items/{item_id}", response_model=Item)
def item(item_id: int):
    if item_id not in ITEMS:
        raise HTTPException(404)
    return ITEMS[item_id]
`;

/** This app's memory per worker: the marginal PSS of a worker, (115.2 − 51.0) / 3 MiB between 1
 * and 4 workers under load (the first recording), which the cases then check the master, the
 * requests in flight and --preload against. */
const APP_PER_WORKER_MIB = 21.5;

export function fastapiPlan(s: Spec): CalibrationPlan {
  return {
    name: `calibration fastapi-w${s.workers}${s.preload ? '-preload' : ''}-c${s.connections}`,
    host: { ram: '4GiB' },
    services: [{ name: 'app', kind: 'fastapi', limit: '1GiB', settings: { workers: s.workers, preload: s.preload, perWorker: `${APP_PER_WORKER_MIB}MiB` } }],
  };
}

async function fastapiCase(s: Spec, appDir: string): Promise<CalibrationCase> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-fastapi-'));
  const watch = loadWatch();
  const port = await freePort();
  const args = ['-k', 'uvicorn.workers.UvicornWorker', '-w', String(s.workers), '-b', `127.0.0.1:${port}`, '--chdir', appDir, ...(s.preload ? ['--preload'] : []), 'app:app'];
  const server = startGroup('gunicorn', GUNICORN, args, join(dir, 'gunicorn.log'));
  try {
    const url = `http://127.0.0.1:${port}/items?limit=20`;
    await waitHttp('gunicorn', url, server, 60_000);
    const m = await measureUnderLoad({ root: server.pgid, url, connections: s.connections, seconds: SECONDS, dir });
    if (m.procs !== s.workers + 1) throw new Error(`gunicorn ran ${m.procs} processes, expected the master and ${s.workers} workers`);
    const t = treeMemory(server.pgid);
    const master = mib(t.byPid.get(server.pgid) ?? 0);
    return {
      id: `fastapi-w${s.workers}${s.preload ? '-preload' : ''}-c${s.connections}`,
      label: `FastAPI app, gunicorn + ${s.workers} uvicorn worker${s.workers > 1 ? 's' : ''}${s.preload ? ', --preload' : ''}, ${s.connections ? `wrk ${s.connections} connections on /items` : 'at rest'}`,
      role: s.connections ? 'typical' : 'light',
      plan: fastapiPlan(s),
      service: 'app',
      settings: { workers: String(s.workers), preload: String(s.preload), worker_class: 'uvicorn.workers.UvicornWorker' },
      load: { tool: s.connections ? 'wrk' : 'none', connections: s.connections, seconds: SECONDS, requestsPerSecond: m.requestsPerSecond, ...watch() },
      measured: { metric: 'PSS of the gunicorn master and its workers', typicalMiB: m.typicalMiB, peakMiB: m.peakMiB, samples: m.samples, detail: { processes: m.procs, masterMiB: master, perWorkerMiB: Math.round(((mib(t.pss) - master) / s.workers) * 100) / 100 } },
    };
  } finally {
    await stopGroup(server, 'SIGTERM', 10_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function calibrateFastapi(): Promise<void> {
  requireTool(GUNICORN, 'gunicorn');
  run(PYTHON, ['-c', 'import fastapi, uvicorn, pydantic'], { timeoutMs: 60_000 }); // fails naming the module: apt-get install -y --no-install-recommends python3-fastapi python3-uvicorn
  const appDir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-fastapi-app-'));
  const cases: CalibrationCase[] = [];
  try {
    writeFileSync(join(appDir, 'app.py'), APP_PY);
    for (const s of FASTAPI_SPECS) {
      const c = await fastapiCase(s, appDir);
      console.log(`${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (${c.load.requestsPerSecond} req/s; master ${c.measured.detail.masterMiB}, per worker ${c.measured.detail.perWorkerMiB})`);
      cases.push(c);
    }
  } finally {
    rmSync(appDir, { recursive: true, force: true });
  }
  const versions = run(PYTHON, ['-c', 'import sys, fastapi, uvicorn, pydantic; print(sys.version.split()[0], fastapi.__version__, uvicorn.__version__, pydantic.VERSION)']).trim().split(' ');
  writeCalibration('calibration/fastapi.json', {
    kind: 'fastapi',
    recordedAt: new Date().toISOString(),
    method: 'A FastAPI app (pydantic models, JSON lists) under Debian gunicorn with uvicorn workers on 127.0.0.1; wrk keeps 16 connections busy on /items for 15 s after a 5 s warm-up; PSS of the master and workers sampled every 0.5 s.',
    tools: { gunicorn: toolVersion(GUNICORN, ['--version']), python: versions[0] ?? 'unknown', fastapi: versions[1] ?? 'unknown', uvicorn: versions[2] ?? 'unknown', pydantic: versions[3] ?? 'unknown' },
  }, cases);
}
