/**
 * RabbitMQ cases: Debian's rabbitmq-server started with the rabbitmq.conf Headroom exports for the
 * plan (its own node name, ports on loopback, data and log dirs in a temp dir, no plugins), then
 * the plan's connections opened (one channel and one durable queue each) and, where the plan has
 * a backlog, messages published and left in the queues. The watermark is read back with
 * rabbitmqctl. Memory: the RSS of the node's processes (beam.smp and its helpers), sampled every
 * 0.4 s. epmd, which the node starts as a daemon on its own port, is stopped after.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { AmqpConnection } from './amqp.ts';
import { exportedFile, writeCalibration } from './record.ts';
import { loadWatch } from './machine.ts';
import { exitReason, freePort, max, median, mib, requireTool, run, sleep, smapsOf, startGroup, stopGroup, treeOf, waitFor, type Started } from './proc.ts';

const BIN = '/usr/lib/rabbitmq/bin';
const SERVER = join(BIN, 'rabbitmq-server');
const CTL = join(BIN, 'rabbitmqctl');
const SAMPLE_MS = 400;
const SAMPLE_SECONDS = 6;

type MqSpec = { connections: number; backlog: number };
export const RABBITMQ_SPECS: MqSpec[] = [
  { connections: 0, backlog: 0 },
  { connections: 20, backlog: 0 },
  { connections: 100, backlog: 0 },
  { connections: 300, backlog: 0 },
  { connections: 20, backlog: 32 },
];
const caseId = (s: MqSpec) => `rabbitmq-c${s.connections}-q${s.connections}${s.backlog ? `-backlog${s.backlog}` : ''}`;
/** Messages of 1 KiB: a task's payload. */
const MESSAGE_BYTES = 1024;

export function rabbitmqPlan(s: MqSpec): CalibrationPlan {
  return {
    name: `calibration ${caseId(s)}`,
    host: { ram: '4GiB' },
    services: [{ name: 'mq', kind: 'rabbitmq', limit: '1GiB', settings: { version: '3', watermarkAbsolute: '400MiB', connections: s.connections, queues: s.connections, backlog: `${s.backlog}MiB` } }],
  };
}

class RabbitNode {
  readonly dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-rabbitmq-'));
  server: Started | null = null;
  env: NodeJS.ProcessEnv = {};
  amqpPort = 0;
  private epmdPort = 0;

  async start(conf: string): Promise<void> {
    const confPath = join(this.dir, 'rabbitmq.conf');
    writeFileSync(confPath, conf);
    writeFileSync(join(this.dir, 'enabled_plugins'), '[].\n');
    [this.amqpPort, this.epmdPort] = [await freePort(), await freePort()];
    const distPort = await freePort();
    this.env = {
      PATH: process.env.PATH,
      HOME: this.dir, // the Erlang cookie
      RABBITMQ_NODENAME: 'headroomcal@localhost',
      RABBITMQ_CONFIG_FILE: confPath,
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_PID_FILE: join(this.dir, 'rabbit.pid'),
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(this.amqpPort),
      RABBITMQ_DIST_PORT: String(distPort),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ERL_EPMD_PORT: String(this.epmdPort),
    };
    this.server = startGroup('rabbitmq-server', SERVER, [], join(this.dir, 'server.out'), { env: this.env, cwd: this.dir });
    const s = this.server;
    await waitFor('rabbitmq to start', () => {
      this.ctl(['await_startup', '--timeout', '5']);
      return true;
    }, 180_000, () => exitReason(s));
  }

  ctl(args: string[]): string {
    return run(CTL, ['-n', 'headroomcal@localhost', ...args], { env: this.env, timeoutMs: 60_000, cwd: this.dir }).trim();
  }

  /** The watermark the node runs with, bytes (vm_memory_monitor). */
  memoryLimit(): string {
    return this.ctl(['eval', 'vm_memory_monitor:get_memory_limit().']);
  }

  /** RSS of the node's processes (beam.smp, erl_child_setup, inet_gethost), KiB. */
  rss(): number | null {
    if (!this.server) return null;
    let sum = 0;
    for (const pid of treeOf(this.server.pgid)) sum += smapsOf(pid)?.rss ?? 0;
    return sum || null;
  }

  async dispose(): Promise<void> {
    if (this.server) {
      try {
        this.ctl(['stop']);
      } catch {
        // the group is stopped below
      }
      await stopGroup(this.server, 'SIGTERM', 20_000);
      this.server = null;
    }
    // The node started epmd as a daemon on our port: stop it through its own command.
    if (this.epmdPort) {
      try {
        run('epmd', ['-port', String(this.epmdPort), '-kill'], { timeoutMs: 10_000 });
      } catch {
        // not running
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function rabbitmqCase(s: MqSpec): Promise<CalibrationCase> {
  const id = caseId(s);
  const plan = rabbitmqPlan(s);
  const node = new RabbitNode();
  const conns: AmqpConnection[] = [];
  const watch = loadWatch();
  try {
    await node.start(exportedFile(plan, 'rabbitmq.conf'));
    const settings = { vm_memory_limit: node.memoryLimit(), version: node.ctl(['eval', 'rabbit_misc:version().']).replace(/"/g, ''), erlang: node.ctl(['eval', 'erlang:system_info(otp_release).']).replace(/"/g, '') };
    for (let i = 0; i < s.connections; i++) {
      const c = await AmqpConnection.open('127.0.0.1', node.amqpPort);
      conns.push(c);
      await c.openChannel(1);
      await c.declareQueue(1, `q${i}`);
    }
    if (s.backlog) {
      const body = Buffer.alloc(MESSAGE_BYTES, 'm');
      const perQueue = Math.ceil((s.backlog * 1048576) / MESSAGE_BYTES / conns.length);
      await Promise.all(conns.map((c, i) => c.publish(1, `q${i}`, body, perQueue)));
    }
    await sleep(1000);
    const samples: number[] = [];
    for (let t = 0; t < (SAMPLE_SECONDS * 1000) / SAMPLE_MS; t++) {
      const r = node.rss();
      if (r) samples.push(r);
      await sleep(SAMPLE_MS);
    }
    const total = Number(/total,\[\{erlang,(\d+)\}/.exec(node.ctl(['eval', 'rabbit_vm:memory().']).replace(/\s/g, ''))?.[1] ?? NaN);
    const messages = Number(node.ctl(['eval', 'lists:sum([N || {_, N} <- [{Q, element(2, lists:keyfind(messages, 1, rabbit_amqqueue:info(Q, [messages])))} || Q <- rabbit_amqqueue:list()]]).']));
    return {
      id,
      label: `RabbitMQ ${settings.version}, ${s.connections} connections with a channel and a queue each${s.backlog ? `, ${s.backlog} MiB of 1 KiB messages waiting` : ''}`,
      role: s.connections ? 'typical' : 'light',
      plan,
      service: 'mq',
      settings,
      load: { tool: 'harness AMQP 0-9-1 client', connections: s.connections, queues: s.connections, messages, messageBytes: MESSAGE_BYTES, ...watch() },
      measured: {
        metric: 'RSS of the node (beam.smp and its helper processes), settled after the clients connected',
        typicalMiB: mib(median(samples)),
        peakMiB: mib(max(samples)),
        samples: samples.length,
        detail: { erlangTotalMiB: Math.round((total / 1048576) * 100) / 100, messages },
      },
    };
  } finally {
    for (const c of conns) c.close();
    await node.dispose();
  }
}

export async function calibrateRabbitmq(only: (id: string) => boolean = () => true): Promise<void> {
  requireTool(SERVER, 'rabbitmq-server');
  requireTool(CTL, 'rabbitmq-server');
  const recordedAt = new Date().toISOString();
  const cases: CalibrationCase[] = [];
  for (const s of RABBITMQ_SPECS.filter((x) => only(caseId(x)))) {
    const c = await rabbitmqCase(s);
    console.log(`  ${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (erlang total ${c.measured.detail.erlangTotalMiB} MiB, ${c.measured.detail.messages} messages, limit ${c.settings.vm_memory_limit})`);
    cases.push(c);
  }
  const version = cases[0]?.settings.version ?? 'unknown';
  writeCalibration('calibration/rabbitmq.json', {
    kind: 'rabbitmq',
    recordedAt,
    method: `rabbitmq-server started for each case with the rabbitmq.conf Headroom exports for its plan (RABBITMQ_CONFIG_FILE; node name, loopback ports, data and log dirs in a temp dir and no plugins through RABBITMQ_* variables), the watermark read back with rabbitmqctl eval vm_memory_monitor:get_memory_limit(); then the plan's connections opened by a harness AMQP client (one channel and one durable classic queue each) and the backlog published as 1 KiB transient messages left in the queues. After 1 s the RSS of the node's processes is sampled every ${SAMPLE_MS / 1000} s for ${SAMPLE_SECONDS} s: typical is the median, peak the largest.`,
    tools: { 'rabbitmq-server': version, erlang: `OTP ${cases[0]?.settings.erlang ?? 'unknown'}` },
  }, cases);
}
