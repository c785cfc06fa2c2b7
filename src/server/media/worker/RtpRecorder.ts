import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import type { RtpPacket } from 'werift';
import { ringArgs } from '../../evidence/ringSegments.ts';
import { bindLoopbackUdp } from './loopbackUdp.ts';

/** ffmpeg binds its port this long after it starts, at most: what comes before is not sent. */
const FFMPEG_READY_MS = 700;
/** An ffmpeg that ends (or cannot start) is started again this long after the last start at the soonest. */
const RESTART_MS = 2_000;

/**
 * A relayed zone's evidence ring buffer: the camera's RTP, as the relay receives it, copied to a
 * local ffmpeg (an SDP on its stdin, the packets on a loopback port) that cuts it into the same
 * MPEG-TS segments an IP camera's ffmpeg writes (see FfmpegPullOptions.ringDir): no decode, no
 * re-encode. It starts on a keyframe; a new stream into the zone (the camera connected again)
 * starts a new ffmpeg.
 */
export class RtpRecorder {
  readonly #socket: Socket = createSocket('udp4');
  #child: ChildProcess | null = null;
  #port = 0;
  #startedAt = 0;
  /** Packets go to ffmpeg from a keyframe on, once it listens. */
  #flowing = false;
  #closed = false;

  /** `askKeyframe`: once its ffmpeg listens, the recording starts at the camera's next keyframe. */
  constructor(private readonly dir: string, private readonly askKeyframe: () => void, private readonly log: (message: string) => void, private readonly ffmpeg = 'ffmpeg') {
    this.#socket.on('error', () => undefined);
    this.#socket.bind(0, '127.0.0.1');
  }

  push(rtp: RtpPacket, keyframe: boolean): void {
    if (this.#closed) return;
    if (!this.#child) {
      if (Date.now() - this.#startedAt >= RESTART_MS) {
        this.#start(rtp.header.payloadType).catch((error: unknown) => {
          this.log(`the evidence recorder could not start: ${error instanceof Error ? error.message : String(error)}; it tries again`);
          this.#stopFfmpeg();
        });
      }
      return;
    }
    if (!this.#flowing) {
      if (!keyframe || Date.now() - this.#startedAt < FFMPEG_READY_MS || this.#port === 0) return;
      this.#flowing = true;
    }
    this.#socket.send(rtp.serialize(), this.#port, '127.0.0.1');
  }

  /** Another stream (new sequence numbers, new timestamps): a new ffmpeg from its first keyframe. */
  restart(): void {
    this.#stopFfmpeg();
    this.#startedAt = 0;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopFfmpeg();
    this.#socket.close();
  }

  async #start(payloadType: number): Promise<void> {
    this.#startedAt = Date.now();
    this.#flowing = false;
    this.#port = 0;
    const child = spawn(this.ffmpeg, [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-protocol_whitelist', 'pipe,udp,rtp', '-buffer_size', '4194304', '-f', 'sdp', '-i', 'pipe:0',
      '-map', '0:v:0', '-c:v', 'copy', '-an', ...ringArgs(this.dir),
    ], { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#child = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('error', () => undefined);
    child.on('close', (code) => {
      if (this.#child !== child) return;
      this.#child = null;
      if (!this.#closed) this.log(`the evidence recorder's ffmpeg ended (${code}): ${stderr.trim().split('\n').at(-1) ?? ''}; it starts again at the next keyframe`);
    });
    const port = await freeRtpPort();
    if (this.#child !== child) return;
    child.stdin!.on('error', () => undefined);
    child.stdin!.end([
      'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=vigil evidence', 'c=IN IP4 127.0.0.1', 't=0 0',
      `m=video ${port} RTP/AVP ${payloadType}`, `a=rtpmap:${payloadType} H264/90000`, `a=fmtp:${payloadType} packetization-mode=1`, '',
    ].join('\r\n'));
    this.#port = port;
    setTimeout(() => {
      if (this.#child === child) this.askKeyframe();
    }, Math.max(0, FFMPEG_READY_MS - (Date.now() - this.#startedAt))).unref();
  }

  #stopFfmpeg(): void {
    const child = this.#child;
    this.#child = null;
    this.#flowing = false;
    this.#port = 0;
    child?.kill('SIGINT');
    // An ffmpeg that does not finish its segment promptly is ended.
    setTimeout(() => child?.kill('SIGKILL'), 2_000).unref();
  }
}

/** A free even loopback port with the next one free too (ffmpeg listens for RTCP there). */
async function freeRtpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await bindLoopbackUdp();
    const port = first.address().port;
    const even = port % 2 === 0 ? port : port + 1;
    first.close();
    const pair = await Promise.all([bindLoopbackUdp(even), bindLoopbackUdp(even + 1)].map((p) => p.catch(() => null)));
    pair.forEach((s) => s?.close());
    if (pair.every((s) => s !== null)) return even;
  }
  throw new Error('no free port pair for the evidence recorder');
}
