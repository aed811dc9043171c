/** test/real-tools.ts itself: a server it started does not outlive the test process that started it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from './real-tools.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('background()', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('kills what it started when the test process gets %s (afterAll does not run then)', async (signal) => {
    // A child node process plays the test worker: it starts `sleep 600` through background() and prints its PID.
    const script = `import { background } from ${JSON.stringify(fileURLToPath(new URL('./real-tools.ts', import.meta.url)))}; const b = background('sleep', ['600']); console.log(b.child.pid); setInterval(() => {}, 1000);`;
    const worker = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    worker.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => worker.once('exit', (code) => r(code)));
    let sleepPid = 0;
    try {
      await waitFor('the worker prints the PID of its sleep', () => /^\d+\n/.test(out), 30_000);
      sleepPid = Number(out.trim());
      expect(alive(sleepPid)).toBe(true);
      worker.kill(signal);
      expect(await exited).toBe(signal === 'SIGTERM' ? 143 : 130);
      await waitFor('the sleep is gone', () => !alive(sleepPid), 5_000);
    } finally {
      // This test stops what it started, also when it fails.
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      if (sleepPid && alive(sleepPid)) process.kill(sleepPid, 'SIGKILL');
    }
  });
});
