import { describe, expect, it } from 'vitest';
import { caseOf, samplesOf, withRecorded } from './run-host-vm.ts';

// Lines from a real run's serial console (a 512 MiB VM, the docker profile), with the kernel's
// and getty's own output around and inside them as the console shows it.
const SAMPLE = (n: number, availKiB: number) => [
  `HR sample ${n} uptime ${100 + 20 * n}.42`,
  'HR meminfo MemTotal:         466148 kB',
  'HR meminfo MemFree:          198892 kB',
  `HR meminfo MemAvailable:     ${availKiB} kB`,
  'HR vm min_free_kbytes 2600',
  'HR vm thp [always],madvise,never',
  'HR proc 1 systemd 6077 11972 2780 3297',
  'HR proc 261 containerd 37809 38676 8656 29153',
  'vps login: HR proc 265 sshd 5820 9316 1320 4500',
  '[   52.641348] kvm: Nested Virtualization enabled',
  'HR proc 283 dockerd 68344 70824 21776 46568',
  'HR proc 469 hr-measure.sh 367 1648 132 235',
].join('\r\n');
const CONSOLE = ['[    0.000000] Linux version 6.1.0-50-amd64', 'HR begin 6.1.0-50-amd64', 'HR unit ssh.service', SAMPLE(1, 367332), SAMPLE(2, 367000), SAMPLE(3, 367500), 'HR end'].join('\r\n');
const KERNEL_ALONE = ['HR begin 6.1.0-50-amd64', 'HR sample 1 uptime 30.1', 'HR meminfo MemTotal:         466148 kB', 'HR meminfo MemAvailable:     431952 kB', 'HR end'].join('\n');

describe('the host VM measurement (npm run calibrate -- host)', () => {
  it('reads each sample of the serial console, with each process name\'s PSS and its parts', () => {
    const s = samplesOf(CONSOLE);
    expect(s).toHaveLength(3);
    expect(s[0]!.meminfo.MemAvailable).toBe(367332);
    expect(s[0]!.minFreeKiB).toBe(2600);
    expect(s[0]!.pss.dockerd).toEqual({ pss: 68344, anon: 21776, file: 46568 });
    // A line the console prefixed ("vps login: ") is read from its HR on.
    expect(s[0]!.pss.sshd).toEqual({ pss: 5820, anon: 1320, file: 4500 });
    expect(samplesOf('no samples here')).toEqual([]);
  });

  it('records RAM − MemAvailable less the engine\'s anonymous PSS, the median sample as typical and the largest as peak', () => {
    const c = caseOf(512, 'docker', samplesOf(CONSOLE), samplesOf(KERNEL_ALONE));
    const engineAnon = (21776 + 8656) / 1024;
    const value = (avail: number) => Math.round((512 - avail / 1024 - engineAnon) * 100) / 100;
    expect(c.measured.typicalMiB).toBeCloseTo(value(367332), 1);
    expect(c.measured.peakMiB).toBeCloseTo(value(367000), 1);
    expect(c.role).toBe('typical');
    expect(c.measured.detail.beforeMemTotalMiB).toBeCloseTo(512 - 466148 / 1024, 1);
    expect(c.measured.detail.kernelAloneMiB).toBeCloseTo(512 - 431952 / 1024, 1);
    // The system's processes exclude the engine and the sampler: systemd and sshd.
    expect(c.measured.detail.systemProcessesPssMiB).toBeCloseTo((6077 + 5820) / 1024, 1);
    expect(caseOf(512, 'full', samplesOf(CONSOLE), samplesOf(KERNEL_ALONE)).role).toBe('stress');
  });

  it('refuses a run without its three samples', () => {
    expect(() => caseOf(512, 'docker', samplesOf(SAMPLE(1, 367332)), samplesOf(KERNEL_ALONE))).toThrow(/expected 3 samples/);
  });
});

describe('a run of some sizes (HEADROOM_VM_SIZES)', () => {
  it('keeps the recorded cases of the sizes it did not measure, and replaces the ones it did', () => {
    const one = (ram: number, profile: 'docker' | 'full', avail: number) => caseOf(ram, profile, samplesOf(CONSOLE.replaceAll('367332', String(avail))), samplesOf(KERNEL_ALONE));
    const recorded = [one(512, 'docker', 367332), one(512, 'full', 367332), one(1024, 'docker', 367332)];
    const now = [one(1024, 'docker', 300000), one(1024, 'full', 300000)];
    const merged = withRecorded(now, recorded);
    expect(merged.map((c) => c.id)).toEqual(['vm-512-docker', 'vm-512-full', 'vm-1024-docker', 'vm-1024-full']);
    expect(merged.find((c) => c.id === 'vm-1024-docker')).toBe(now[0]);
  });
});
