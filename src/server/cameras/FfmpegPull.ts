import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { processCpuSeconds } from '../util/processCpu.ts';
import { CameraFault, classifyFailure, SOCKET_TIMEOUT_US, withCredentials, withoutCredentials, type CameraTarget } from './probeCamera.ts';

/** A camera that sends nothing for this long is stalled: its ffmpeg is killed. */
export const STALL_MS = 5_000;
/** Before its first picture ffmpeg waits for a keyframe, up to a long GOP. */
const FIRST_PICTURE_MS = 10_000;

/** The pause before the next attempt at a camera that failed, growing with each failure in a row. */
const RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000];

/**
 * ±25 %, at random: cameras that failed together (an NVR or RTSP proxy that restarted, a gateway
 * starting with 16 cameras behind one) must not all come back in the same instant, every time.
 */
export const jittered = (ms: number): number => Math.round(ms * (0.75 + Math.random() * 0.5));

export const retryDelayMs = (failuresInARow: number): number => jittered(RETRY_DELAYS_MS[Math.min(failuresInARow, RETRY_DELAYS_MS.length - 1)]!);
/** The probe before each attempt reads this much: enough for the codec, size and B-frames. */
export const QUICK_PROBE_SECONDS = 1.5;

export interface FfmpegPullOptions {
  ffmpeg: string;
  target: CameraTarget;
  /** Re-encode (libx264, zero latency, no B-frames) instead of copying. */
  transcode: boolean;
  /** Where the RTP goes: loopback ports of an RtpIngest. */
  ports: { port: number; rtcpPort: number };
  /** Its first picture went out (the camera is live). */
  onLive(): void;
  /** It ended by itself, stalled or failed (not when stopped): why, as a status. */
  onEnd(fault: CameraFault, detail: { code: number | null; signal: string | null; lastLine: string }): void;
}

/**
 * One ffmpeg that copies an RTSP camera's H.264 (no decode) to loopback RTP: SPS and PPS before
 * every keyframe (`dump_extra`), packets cut for a 1280-byte path MTU with SRTP's overhead. Its
 * progress is watched; a camera that goes quiet for STALL_MS is a fault like an exit.
 */
export class FfmpegPull {
  readonly #child: ChildProcess;
  readonly #startedAt = Date.now();
  readonly #watchdog: NodeJS.Timeout;
  #frames = 0;
  #progressAt = Date.now();
  #stderr = '';
  #stopped = false;

  constructor(private readonly options: FfmpegPullOptions) {
    this.#child = spawn(options.ffmpeg, ffmpegArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#watchdog = setInterval(() => this.#checkProgress(), 500);
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      if (!line.startsWith('frame=')) return;
      const frames = Number(line.slice(6));
      if (frames <= this.#frames) return;
      if (this.#frames === 0 && !this.#stopped) options.onLive();
      this.#frames = frames;
      this.#progressAt = Date.now();
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.#child.on('error', (error) => {
      this.#stderr += ` ${(error as NodeJS.ErrnoException).code ?? ''}`;
    });
    this.#child.on('close', (code, signal) => {
      clearInterval(this.#watchdog);
      if (this.#stopped) return;
      this.#stopped = true;
      const fault = code === 0 ? new CameraFault('unreachable', 'The camera ended its stream.') : classifyFailure(this.#stderr);
      options.onEnd(fault, { code, signal, lastLine: withoutCredentials(this.#stderr.trim().split('\n').at(-1) ?? '') });
    });
  }

  get pid(): number | null {
    return this.#child.pid ?? null;
  }

  /** Its CPU, in % of one core, averaged since it started (null once it cannot be read). */
  get cpuPercent(): number | null {
    const seconds = this.#child.pid === undefined ? null : processCpuSeconds(this.#child.pid);
    if (seconds === null) return null;
    return Math.round((1000 * seconds) / Math.max(1, (Date.now() - this.#startedAt) / 1000)) / 10;
  }

  /** Ends it; no onEnd follows. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#watchdog);
    this.#child.kill('SIGKILL');
  }

  #checkProgress(): void {
    const quietFor = Date.now() - this.#progressAt;
    if (this.#stopped || quietFor < (this.#frames === 0 ? FIRST_PICTURE_MS : STALL_MS)) return;
    this.stop();
    this.options.onEnd(new CameraFault('stalled', `No video from the camera for ${Math.round(quietFor / 1000)} s: it is tried again.`), { code: null, signal: 'SIGKILL', lastLine: '' });
  }
}

function ffmpegArgs({ target, transcode, ports }: FfmpegPullOptions): string[] {
  const video = transcode
    ? ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-bf', '0', '-g', '60', '-pix_fmt', 'yuv420p', '-x264-params', 'repeat-headers=1']
    : ['-c:v', 'copy'];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-fflags', 'nobuffer',
    '-rtsp_transport', target.transport, '-timeout', String(SOCKET_TIMEOUT_US), '-i', withCredentials(target),
    '-map', '0:v:0', ...video,
    // SPS and PPS before every keyframe, whether the camera sends them in-band or only in its SDP.
    '-bsf:v', 'dump_extra=freq=keyframe',
    '-an', '-f', 'rtp', '-payload_type', '96',
    '-progress', 'pipe:1', '-stats_period', '0.5',
    `rtp://127.0.0.1:${ports.port}?pkt_size=1200&rtcpport=${ports.rtcpPort}`,
  ];
}
