/** A minimal pipelining Redis client over a unix socket, for writing many keys fast or at a pace. */
import { connect, type Socket } from 'node:net';

/** One command in RESP. */
export function respCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Sends commands without waiting for each reply; the replies we expect are one line each
 * (+OK, :N, -ERR), so counting line ends counts replies. */
export class RespPipe {
  private sock: Socket;
  private sent = 0;
  private received = 0;
  private waiters: (() => void)[] = [];
  firstError: string | null = null;

  private constructor(sock: Socket) {
    this.sock = sock;
    let tail = '';
    sock.on('data', (d: Buffer) => {
      const text = tail + d.toString('latin1');
      let i = 0;
      let j: number;
      while ((j = text.indexOf('\r\n', i)) >= 0) {
        if (text[i] === '-' && !this.firstError) this.firstError = text.slice(i, j);
        this.received++;
        i = j + 2;
      }
      tail = text.slice(i);
      this.wake();
    });
  }

  static open(path: string): Promise<RespPipe> {
    return new Promise((resolve, reject) => {
      const s = connect(path, () => resolve(new RespPipe(s)));
      s.once('error', reject);
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private waitUntil(pendingAtMost: number, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.sent - this.received <= pendingAtMost) resolve();
        else if (Date.now() > end) reject(new Error(`redis did not answer ${this.sent - this.received} commands in ${timeoutMs} ms`));
        else {
          this.waiters.push(check);
          setTimeout(() => this.wake(), 200).unref();
        }
      };
      check();
    });
  }

  /** Queues commands, keeping at most `window` unanswered. */
  async send(cmds: Buffer[], window = 20_000): Promise<void> {
    for (const c of cmds) {
      this.sock.write(c);
      this.sent++;
      if (this.sent - this.received > window) await this.waitUntil(window / 2, 30_000);
    }
  }

  /** Waits for every reply. */
  flush(timeoutMs = 60_000): Promise<void> {
    return this.waitUntil(0, timeoutMs);
  }

  close(): void {
    this.sock.destroy();
  }
}
