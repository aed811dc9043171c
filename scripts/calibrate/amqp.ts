/**
 * A minimal AMQP 0-9-1 client for the harness: open a connection (PLAIN guest/guest), a channel,
 * declare a queue, publish messages to it. Only what calibration needs; frames per the AMQP 0-9-1
 * specification (frame = type, channel, size, payload, 0xCE; a method = class id, method id, args).
 */
import { connect, type Socket } from 'node:net';

const FRAME_END = 0xce;

function shortstr(s: string): Buffer {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length]), b]);
}
function longstr(s: string): Buffer {
  const b = Buffer.from(s);
  const n = Buffer.alloc(4);
  n.writeUInt32BE(b.length);
  return Buffer.concat([n, b]);
}
const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
const EMPTY_TABLE = u32(0);

function frame(type: number, channel: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(channel), u32(payload.length), payload, Buffer.from([FRAME_END])]);
}
const method = (channel: number, cls: number, m: number, args: Buffer[]) => frame(1, channel, Buffer.concat([u16(cls), u16(m), ...args]));

export class AmqpConnection {
  private buf = Buffer.alloc(0);
  private waiters: Array<{ cls: number; m: number; resolve: () => void; reject: (e: Error) => void }> = [];
  private error: Error | null = null;

  private constructor(private sock: Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('AMQP connection closed')));
  }

  private fail(e: Error): void {
    this.error ??= e;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 7) {
      const size = this.buf.readUInt32BE(3);
      if (this.buf.length < 8 + size) return;
      const type = this.buf[0]!;
      const payload = this.buf.subarray(7, 7 + size);
      this.buf = this.buf.subarray(8 + size);
      if (type !== 1) continue;
      const cls = payload.readUInt16BE(0);
      const m = payload.readUInt16BE(2);
      if ((cls === 10 && m === 50) || (cls === 20 && m === 40)) {
        const code = payload.readUInt16BE(4);
        const text = payload.subarray(7, 7 + payload[6]!).toString();
        this.fail(new Error(`AMQP ${cls === 10 ? 'connection' : 'channel'} closed by the server: ${code} ${text}`));
        return;
      }
      const at = this.waiters.findIndex((w) => w.cls === cls && w.m === m);
      if (at >= 0) this.waiters.splice(at, 1)[0]!.resolve();
      // Connection.Tune: answer with Tune-Ok (the server's limits, no heartbeat) and open the vhost.
      if (cls === 10 && m === 30) {
        const channelMax = payload.readUInt16BE(4);
        const frameMax = payload.readUInt32BE(6);
        this.sock.write(method(0, 10, 31, [u16(channelMax), u32(frameMax), u16(0)]));
        this.sock.write(method(0, 10, 40, [shortstr('/'), shortstr(''), Buffer.from([0])]));
      }
      // Connection.Start: answer Start-Ok, PLAIN guest/guest (loopback only, RabbitMQ's default user).
      if (cls === 10 && m === 10) this.sock.write(method(0, 10, 11, [EMPTY_TABLE, shortstr('PLAIN'), longstr('\0guest\0guest'), shortstr('en_US')]));
    }
  }

  private expect(cls: number, m: number, timeoutMs = 30_000): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`AMQP: no reply ${cls}.${m} in ${timeoutMs} ms`)), timeoutMs);
      t.unref();
      this.waiters.push({ cls, m, resolve: () => (clearTimeout(t), resolve()), reject: (e) => (clearTimeout(t), reject(e)) });
    });
  }

  /** Connects and opens the default vhost. */
  static async open(host: string, port: number): Promise<AmqpConnection> {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, host, () => resolve(s));
      s.once('error', reject);
    });
    const c = new AmqpConnection(sock);
    const opened = c.expect(10, 41);
    sock.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
    await opened;
    return c;
  }

  async openChannel(channel: number): Promise<void> {
    const ok = this.expect(20, 11);
    this.sock.write(method(channel, 20, 10, [shortstr('')]));
    await ok;
  }

  /** A durable classic queue. */
  async declareQueue(channel: number, name: string): Promise<void> {
    const ok = this.expect(50, 11);
    this.sock.write(method(channel, 50, 10, [u16(0), shortstr(name), Buffer.from([0b10]), EMPTY_TABLE]));
    await ok;
  }

  /** Publishes `count` transient messages of `body` to `queue` through the default exchange. */
  async publish(channel: number, queue: string, body: Buffer, count: number): Promise<void> {
    const header = frame(2, channel, Buffer.concat([u16(60), u16(0), u32(0), u32(body.length), u16(0)]));
    const content = frame(3, channel, body);
    const pub = method(channel, 60, 40, [u16(0), shortstr(''), shortstr(queue), Buffer.from([0])]);
    for (let i = 0; i < count; i++) {
      if (!this.sock.write(Buffer.concat([pub, header, content]))) await new Promise((r) => this.sock.once('drain', r));
      if (this.error) throw this.error;
    }
    // A round trip after the publishes: they have all been handled when it comes back.
    await this.declareQueue(channel, queue);
  }

  close(): void {
    this.sock.destroy();
  }
}
