/**
 * `npm run calibrate -- host`: the host reserve's "kernel and system" part, measured in real
 * virtual machines of 512 MiB to 16 GiB, as a small VPS runs: Debian 12 with its stock kernel,
 * systemd, sshd, cron and Docker (docker.io), nothing else started. Each VM boots fresh
 * (qemu -snapshot), waits a minute after boot, and writes three samples of /proc/meminfo and every
 * process's PSS to its serial console (host-vm/hr-measure.sh); this harness reads them and records
 * calibration/kernel.json.
 *
 * What is measured: RAM − MemAvailable (the kernel's estimate of what new work can still get
 * without swapping, Documentation/filesystems/proc.rst), less the anonymous PSS of dockerd and
 * containerd (the reserve's Docker-engine parts are modelled and measured on their own, as whole
 * PSS; MemAvailable already counts their file-backed pages as available). That is all the memory
 * outside the containers and the engine: what the firmware and kernel take before MemTotal (the
 * page structs, the kernel image), the kernel's own allocations (slab, stacks, page tables), the
 * free memory the kernel's watermarks hold back, and the system's processes. Three profiles:
 * `kernel` (the kernel alone, init=/bin/sh: a detail), `docker` (the typical case) and `full`
 * (plus unattended-upgrades and fail2ban, two daemons many VPS guides add: a stress case).
 *
 * Without nested virtualisation (these machines have /dev/kvm but no svm/vmx flag) qemu emulates
 * the CPU (TCG): slower, the memory the same (assumed: the guest kernel does not size anything by
 * the accelerator).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrationFileSchema, type CalibrationCase } from '../../src/engine/calibration.ts';
import { toolVersion } from './machine.ts';
import { exitReason, median, max, mib, requireTool, round2, run, sleep, startGroup, stopGroup } from './proc.ts';
import { writeCalibration } from './record.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const GUEST = join(HERE, 'host-vm');
const WORK = process.env.HEADROOM_VM_DIR ?? '/tmp/headroom-host-vm';
const MIRROR = 'http://deb.debian.org/debian';
/** The VPS sizes measured, MiB (HEADROOM_VM_SIZES measures some again: the other sizes' recorded cases are kept). */
const SIZES = (process.env.HEADROOM_VM_SIZES ?? '512,1024,2048,3072,4096,8192,16384').split(',').map(Number);
const RECORD = 'calibration/kernel.json';
const PROFILES = ['kernel', 'docker', 'full'] as const;
type Profile = (typeof PROFILES)[number];
/** Daemons a profile keeps from starting (systemd.mask on the kernel command line). */
const MASKED: Record<Exclude<Profile, 'kernel'>, string[]> = {
  docker: ['fail2ban.service', 'unattended-upgrades.service'],
  full: [],
};
/** The Docker engine's processes: the reserve models them apart (src/engine/host.ts). */
const ENGINE = ['dockerd', 'containerd'];
/** A boot under emulation takes ~50 s and the samples 100 s more (measured here); 15 minutes is a hang. */
const BOOT_TIMEOUT_MS = 15 * 60_000;
/** Two VMs at once: each uses two emulated CPUs; the samples' waits overlap. */
const PARALLEL = 2;

/** One process name's memory, KiB: PSS, and its anonymous and file-backed parts. */
type Pss = { pss: number; anon: number; file: number };
type Sample = { uptime: number; meminfo: Record<string, number>; minFreeKiB: number; pss: Record<string, Pss> };

function buildImage(): { kernel: string; initrd: string; disk: string; versions: Record<string, string> } {
  requireTool('/usr/bin/qemu-system-x86_64', 'qemu-system-x86');
  requireTool('/usr/bin/mmdebstrap', 'mmdebstrap');
  requireTool('/usr/sbin/mkfs.ext4', 'e2fsprogs');
  mkdirSync(WORK, { recursive: true });
  const tar = join(WORK, 'rootfs.tar');
  if (!existsSync(tar)) {
    console.log(`building the VM's root file system (mmdebstrap, ~90 s) into ${tar}`);
    const include = ['linux-image-amd64', 'systemd-sysv', 'udev', 'dbus', 'openssh-server', 'cron', 'systemd-timesyncd', 'iproute2', 'procps', 'docker.io', 'unattended-upgrades', 'fail2ban', 'python3-systemd'];
    run('mmdebstrap', ['--variant=important', `--include=${include.join(',')}`, 'bookworm', tar, MIRROR], { timeoutMs: 15 * 60_000 });
  }
  const root = join(WORK, 'rootfs');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root);
  run('tar', ['-C', root, '-xf', tar], { timeoutMs: 5 * 60_000 });
  for (const f of ['hr-measure.sh', 'hr-init.sh']) copyFileSync(join(GUEST, f), join(root, 'usr/local/bin', f));
  run('chmod', ['+x', join(root, 'usr/local/bin/hr-measure.sh'), join(root, 'usr/local/bin/hr-init.sh')]);
  copyFileSync(join(GUEST, 'hr-measure.service'), join(root, 'etc/systemd/system/hr-measure.service'));
  copyFileSync(join(GUEST, '20-wired.network'), join(root, 'etc/systemd/network/20-wired.network'));
  copyFileSync(join(GUEST, 'fail2ban-sshd.local'), join(root, 'etc/fail2ban/jail.d/sshd-journal.local'));
  const wants = join(root, 'etc/systemd/system/multi-user.target.wants');
  symlinkSync('/etc/systemd/system/hr-measure.service', join(wants, 'hr-measure.service'));
  symlinkSync('/lib/systemd/system/systemd-networkd.service', join(wants, 'systemd-networkd.service'));
  writeFileSync(join(root, 'etc/fstab'), '/dev/vda / ext4 defaults 0 1\n');
  writeFileSync(join(root, 'etc/hostname'), 'vps\n');
  const boot = readdirSync(join(root, 'boot'));
  const vmlinuz = boot.find((f) => f.startsWith('vmlinuz-'));
  const initrd = boot.find((f) => f.startsWith('initrd.img-'));
  if (!vmlinuz || !initrd) throw new Error(`the VM's /boot has no kernel and initrd (it has ${boot.join(', ')})`);
  copyFileSync(join(root, 'boot', vmlinuz), join(WORK, 'vmlinuz'));
  copyFileSync(join(root, 'boot', initrd), join(WORK, 'initrd.img'));
  const disk = join(WORK, 'disk.img');
  rmSync(disk, { force: true });
  run('truncate', ['-s', '4G', disk]);
  run('mkfs.ext4', ['-q', '-d', root, '-L', 'root', disk], { timeoutMs: 5 * 60_000 });
  const status = readFileSync(join(root, 'var/lib/dpkg/status'), 'utf8');
  const versionOf = (pkg: string) => new RegExp(`^Package: ${pkg}\\n(?:[^\\n]+\\n)*?Version: (\\S+)`, 'm').exec(status)?.[1] ?? 'unknown';
  const versions = {
    qemu: toolVersion('qemu-system-x86_64'),
    guestKernel: vmlinuz.replace('vmlinuz-', '') + ` (linux-image-amd64 ${versionOf('linux-image-amd64')})`,
    guestOs: `Debian 12 bookworm (mmdebstrap --variant=important), systemd ${versionOf('systemd')}, openssh-server ${versionOf('openssh-server')}`,
    docker: `docker.io ${versionOf('docker.io')}, containerd ${versionOf('containerd')}`,
    full: `unattended-upgrades ${versionOf('unattended-upgrades')}, fail2ban ${versionOf('fail2ban')}`,
  };
  rmSync(root, { recursive: true, force: true });
  return { kernel: join(WORK, 'vmlinuz'), initrd: join(WORK, 'initrd.img'), disk, versions };
}

async function boot(image: { kernel: string; initrd: string; disk: string }, ram: number, profile: Profile): Promise<string> {
  const serial = join(WORK, `serial-${profile}-${ram}.log`);
  rmSync(serial, { force: true });
  const extra = profile === 'kernel' ? ['init=/usr/local/bin/hr-init.sh'] : MASKED[profile].map((u) => `systemd.mask=${u}`);
  const args = [
    '-accel', 'tcg,thread=multi', '-cpu', 'max', '-smp', '2', '-m', `${ram}M`, '-snapshot',
    '-kernel', image.kernel, '-initrd', image.initrd, '-append', ['root=/dev/vda', 'rw', 'console=ttyS0', ...extra].join(' '),
    '-drive', `file=${image.disk},format=raw,if=virtio`, '-nic', 'user,model=virtio-net-pci',
    '-display', 'none', '-serial', `file:${serial}`, '-monitor', 'none', '-no-reboot',
  ];
  const vm = startGroup(`vm ${profile} ${ram} MiB`, 'qemu-system-x86_64', args, join(WORK, `qemu-${profile}-${ram}.log`));
  const t0 = Date.now();
  try {
    const done = await Promise.race([vm.exited.then(() => true), sleep(BOOT_TIMEOUT_MS).then(() => false)]);
    if (!done) throw new Error(`vm ${profile} ${ram} MiB did not power off within ${BOOT_TIMEOUT_MS / 60_000} minutes (serial console: ${serial})`);
  } finally {
    await stopGroup(vm);
  }
  const text = readFileSync(serial, 'latin1');
  if (!text.includes('HR end')) throw new Error(`vm ${profile} ${ram} MiB stopped without its samples (${exitReason(vm) ?? 'powered off'}; serial console: ${serial})`);
  console.log(`  vm ${profile} ${ram} MiB: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return text;
}

/** The samples in one VM's serial console output. */
export function samplesOf(serial: string): Sample[] {
  const out: Sample[] = [];
  let s: Sample | null = null;
  for (const raw of serial.split(/\r?\n/)) {
    const at = raw.indexOf('HR ');
    if (at < 0) continue;
    const p = raw.slice(at).trim().split(/\s+/);
    if (p[1] === 'sample') out.push((s = { uptime: Number(p[4]), meminfo: {}, minFreeKiB: NaN, pss: {} }));
    else if (!s) continue;
    else if (p[1] === 'meminfo' && p[2] && p[3]) s.meminfo[p[2].replace(/:$/, '')] = Number(p[3]);
    else if (p[1] === 'vm' && p[2] === 'min_free_kbytes') s.minFreeKiB = Number(p[3]);
    else if (p[1] === 'proc' && p[3] && p[4]) {
      const was = s.pss[p[3]] ?? { pss: 0, anon: 0, file: 0 };
      s.pss[p[3]] = { pss: was.pss + Number(p[4]), anon: was.anon + Number(p[6] ?? NaN), file: was.file + Number(p[7] ?? NaN) };
    }
  }
  return out;
}

/** RAM − MemAvailable of one sample, MiB. */
const usedMiB = (ram: number, s: Sample) => ram - (s.meminfo.MemAvailable ?? NaN) / 1024;
/** The engine's processes' memory of one part (pss, anon, file), MiB. */
const engineOf = (s: Sample, part: keyof Pss) => ENGINE.reduce((a, c) => a + (s.pss[c]?.[part] ?? 0), 0) / 1024;
/** The sampling script's own processes. */
const SAMPLER = new Set(['hr-measure.sh', 'sleep', 'awk', 'sed', 'cat', 'tr', 'cut']);
/** The system's processes (every process but the engine's and the sampler's), one part, MiB. */
const systemOf = (s: Sample, part: keyof Pss) => Object.entries(s.pss).filter(([c]) => !ENGINE.includes(c) && !SAMPLER.has(c)).reduce((a, [, v]) => a + v[part], 0) / 1024;
/**
 * The kernel and system of one sample, MiB: RAM − MemAvailable less the engine's anonymous PSS.
 * MemAvailable counts file-backed pages (the engine's binaries among them) as available, so only
 * the engine's anonymous memory is in RAM − MemAvailable; the reserve's engine parts are whole PSS
 * (calibration/host.json), so subtracting whole PSS here would take its binaries off twice.
 */
const kernelAndSystem = (ram: number, s: Sample) => usedMiB(ram, s) - engineOf(s, 'anon');

export function caseOf(ram: number, profile: 'docker' | 'full', samples: Sample[], kernelAlone: Sample[]): CalibrationCase {
  if (samples.length < 3 || kernelAlone.length < 1) throw new Error(`vm ${profile} ${ram} MiB: expected 3 samples and the kernel's, got ${samples.length} and ${kernelAlone.length}`);
  const values = samples.map((s) => kernelAndSystem(ram, s));
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`vm ${profile} ${ram} MiB: a sample has no MemAvailable`);
  const last = samples[samples.length - 1]!;
  const m = (key: string) => mib(last.meminfo[key] ?? 0);
  return {
    id: `vm-${ram}-${profile}`,
    label: profile === 'docker'
      ? `A ${ram} MiB VPS: Debian 12's kernel, systemd, sshd, cron and an idle Docker engine (its dockerd and containerd subtracted)`
      : `A ${ram} MiB VPS as the docker case, plus unattended-upgrades and fail2ban`,
    role: profile === 'docker' ? 'typical' : 'stress',
    plan: { name: `vps-${ram}`, host: { ram: `${ram}MiB`, reserve: 'auto', swap: 0 }, services: [] },
    service: 'kernel-and-system',
    settings: { profile, daemons: profile === 'docker' ? 'systemd, journald, udevd, logind, networkd, timesyncd, dbus, sshd, cron, agetty' : 'the docker case + unattended-upgrades, fail2ban' },
    load: { note: 'idle: a minute after boot, three samples 20 s apart', uptimeSeconds: round2(last.uptime), recordedAt: new Date().toISOString().slice(0, 10) },
    measured: {
      metric: 'RAM − MemAvailable − the anonymous PSS of dockerd and containerd, in the VM',
      typicalMiB: round2(median(values)),
      peakMiB: round2(max(values)),
      samples: values.length,
      detail: {
        /** RAM the kernel never lists in MemTotal (page structs, the kernel image, firmware). */
        beforeMemTotalMiB: round2(ram - (last.meminfo.MemTotal ?? 0) / 1024),
        /** The kernel alone (init=/bin/sh), RAM − MemAvailable. */
        kernelAloneMiB: round2(median(kernelAlone.map((s) => usedMiB(ram, s)))),
        systemProcessesPssMiB: round2(systemOf(last, 'pss')),
        systemProcessesAnonPssMiB: round2(systemOf(last, 'anon')),
        engineAnonPssMiB: round2(engineOf(last, 'anon')),
        enginePssMiB: round2(engineOf(last, 'pss')),
        minFreeKiB: last.minFreeKiB,
        memFreeMiB: m('MemFree'),
        memAvailableMiB: m('MemAvailable'),
        slabUnreclaimableMiB: m('SUnreclaim'),
        slabReclaimableMiB: m('SReclaimable'),
        pageCacheMiB: m('Cached'),
        kernelStackMiB: m('KernelStack'),
        pageTablesMiB: m('PageTables'),
      },
    },
  };
}

export async function calibrateHost(): Promise<void> {
  const image = buildImage();
  const runs = SIZES.flatMap((ram) => PROFILES.map((profile) => ({ ram, profile })));
  const serials = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const r = runs[next++]!;
      serials.set(`${r.profile}-${r.ram}`, await boot(image, r.ram, r.profile));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const measured: CalibrationCase[] = [];
  for (const ram of SIZES) {
    const kernel = samplesOf(serials.get(`kernel-${ram}`)!);
    for (const profile of ['docker', 'full'] as const) measured.push(caseOf(ram, profile, samplesOf(serials.get(`${profile}-${ram}`)!), kernel));
  }
  writeCalibration(RECORD, {
    kind: 'kernel',
    recordedAt: new Date().toISOString(),
    method:
      'npm run calibrate -- host: fresh qemu VMs of each size (TCG, 2 vCPUs) booting Debian 12 from one mmdebstrap image; a minute after boot, three samples 20 s apart of RAM − MemAvailable less the anonymous PSS of dockerd and containerd (MemAvailable counts their binaries’ pages as available; the reserve’s engine parts are whole PSS) (scripts/calibrate/run-host-vm.ts). Typical is the median sample, peak the largest.',
    tools: image.versions,
  }, withRecorded(measured));
}

/** The cases measured now, and the recorded ones of the sizes not measured again, by RAM. */
export function withRecorded(measured: CalibrationCase[], recorded: CalibrationCase[] = recordedCases()): CalibrationCase[] {
  const sizes = new Set(measured.map(ramOf));
  return [...recorded.filter((c) => !sizes.has(ramOf(c))), ...measured].sort((a, b) => ramOf(a) - ramOf(b) || a.id.localeCompare(b.id));
}

const ramOf = (c: CalibrationCase) => Number(/^vm-(\d+)-/.exec(c.id)?.[1] ?? NaN);

function recordedCases(): CalibrationCase[] {
  if (!existsSync(RECORD)) return [];
  return calibrationFileSchema.parse(JSON.parse(readFileSync(RECORD, 'utf8'))).cases;
}
