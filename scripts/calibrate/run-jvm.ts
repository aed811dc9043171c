/**
 * JVM cases: a small Java HTTP server (written here, compiled with Debian's openjdk-17 javac) that
 * retains a working set of a quarter of its heap and allocates 64 KiB of garbage per request, run
 * with -Xmx 64m, 128m and 256m (G1, the JDK's default) under wrk, and at rest. Memory: the JVM's PSS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { writeCalibration } from './record.ts';
import { loadWatch, toolVersion } from './machine.ts';
import { measureUnderLoad, waitHttp } from './http-load.ts';
import { freePort, requireTool, run, startGroup, stopGroup } from './proc.ts';

const JAVA = '/usr/bin/java';
const JAVAC = '/usr/bin/javac';
const SECONDS = 20;
const CONNECTIONS = 32;
export const JVM_SPECS = [
  { heap: 64, connections: CONNECTIONS },
  { heap: 128, connections: CONNECTIONS },
  { heap: 256, connections: CONNECTIONS },
  { heap: 128, connections: 0 },
];
type Spec = (typeof JVM_SPECS)[number];

const SERVER_JAVA = `
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

public class Server {
  static final List<byte[]> retained = new ArrayList<>();
  public static void main(String[] a) throws Exception {
    int port = Integer.parseInt(a[0]);
    long retainMiB = Long.parseLong(a[1]);
    for (long i = 0; i < retainMiB * 16; i++) retained.add(new byte[64 * 1024]);
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
    s.setExecutor(Executors.newFixedThreadPool(16));
    s.createContext("/", ex -> {
      byte[] garbage = new byte[64 * 1024];
      garbage[(int) (System.nanoTime() & 0xffff)] = 1;
      byte[] body = ("ok " + retained.size() + " " + garbage.length + "\\n").getBytes();
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    s.start();
  }
}
`;

/** The server's class metadata with the CDS archive: 2.7 MiB metaspace + 12 MiB shared class space
 * (NativeMemoryTracking, -Xmx128m under wrk), rounded to 15 MiB. */
const METASPACE_MIB = 15;

/** The plan: one JVM service with -Xmx `heap` and the server's class metadata; every other setting the kind's default. */
export function jvmPlan(s: Spec): CalibrationPlan {
  return {
    name: `calibration jvm-xmx${s.heap}-c${s.connections}`,
    host: { ram: '4GiB' },
    services: [{ name: 'jvm', kind: 'jvm', limit: `${s.heap * 4}MiB`, settings: { heap: `${s.heap}MiB`, metaspace: `${METASPACE_MIB}MiB` } }],
  };
}

async function jvmCase(s: Spec, classDir: string): Promise<CalibrationCase> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-jvm-'));
  const watch = loadWatch();
  const port = await freePort();
  const retain = s.heap / 4;
  const server = startGroup('java', JAVA, [`-Xmx${s.heap}m`, '-cp', classDir, 'Server', String(port), String(retain)], join(dir, 'java.log'));
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitHttp('the Java server', url, server, 60_000);
    const m = await measureUnderLoad({ root: server.pgid, url, connections: s.connections, seconds: SECONDS, warmupSeconds: 10, dir });
    return {
      id: `jvm-xmx${s.heap}-c${s.connections}`,
      label: `JVM (G1) -Xmx${s.heap}m, ${retain} MiB retained, ${s.connections ? `wrk ${s.connections} connections, 64 KiB garbage per request` : 'at rest'}`,
      role: s.connections ? 'typical' : 'light',
      plan: jvmPlan(s),
      service: 'jvm',
      settings: { Xmx: `${s.heap}m`, gc: 'G1 (default)', version: toolVersion(JAVA, ['-version']) },
      load: { tool: s.connections ? 'wrk' : 'none', connections: s.connections, seconds: SECONDS, requestsPerSecond: m.requestsPerSecond, retainedMiB: retain, ...watch() },
      measured: { metric: 'PSS of the java process', typicalMiB: m.typicalMiB, peakMiB: m.peakMiB, samples: m.samples, detail: { processes: m.procs } },
    };
  } finally {
    await stopGroup(server, 'SIGTERM', 5000);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function calibrateJvm(): Promise<void> {
  requireTool(JAVA, 'openjdk-17-jre-headless');
  requireTool(JAVAC, 'openjdk-17-jdk-headless');
  const classDir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-jvm-classes-'));
  const cases: CalibrationCase[] = [];
  try {
    writeFileSync(join(classDir, 'Server.java'), SERVER_JAVA);
    run(JAVAC, ['-d', classDir, join(classDir, 'Server.java')], { timeoutMs: 120_000 });
    for (const s of JVM_SPECS) {
      const c = await jvmCase(s, classDir);
      console.log(`${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (${c.load.requestsPerSecond} req/s)`);
      cases.push(c);
    }
  } finally {
    rmSync(classDir, { recursive: true, force: true });
  }
  writeCalibration('calibration/jvm.json', {
    kind: 'jvm',
    recordedAt: new Date().toISOString(),
    method: 'A Java HTTP server (com.sun.net.httpserver, 16 threads) retaining a quarter of its -Xmx and allocating 64 KiB per request; wrk keeps 32 connections busy for 20 s after a 10 s warm-up; PSS of the java process sampled every 0.5 s.',
    tools: { java: toolVersion(JAVA, ['-version']), wrk: toolVersion('/usr/bin/wrk', ['-v']) },
  }, cases);
}
