import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { processCpuSeconds } from '../util/processCpu.ts';
import { DETECTOR_HEIGHT, DETECTOR_WIDTH, type LumaFrame } from '../../shared/vision/sceneDetector.ts';
import { RING_SEGMENT_SECONDS, ringArgs, ringFile, ringOptions } from '../evidence/ringSegments.ts';
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
  /**
   * Each keyframe of the camera's H.264 (an Annex B access unit, SPS and PPS first), copied, never
   * decoded here: the directory's thumbnail is decoded from the latest only when someone asks for
   * it (Thumbnails). Not for a transcoded camera (its source is not necessarily H.264).
   */
  onKeyframe?(accessUnit: Buffer): void;
  /**
   * The camera's picture as the detector reads it: LUMA_WIDTH×LUMA_HEIGHT grey, LUMA_FPS frames a
   * second, decoded by the same ffmpeg from the stream it copies (what viewers get is untouched).
   */
  onLuma?(frame: LumaFrame): void;
  /**
   * A directory for the evidence ring buffer: the same copy of the camera's H.264 cut into
   * MPEG-TS segments of RING_SEGMENT_SECONDS (at keyframes), the last RING_SEGMENTS kept, listed
   * as they complete in `segments.csv` (one fewer than kept: the name being rewritten is never
   * listed; see RingBuffer). No decode, no re-encode.
   */
  ringDir?: string;
  /**
   * Privacy masks to burn in (see maskImage): the camera is decoded, the masks laid over every
   * frame at the camera's size and the result encoded once (libx264), and every copy (the relay's
   * RTP, the thumbnails' keyframes, the detector's grey copy, the ring buffer) is taken from that
   * masked picture: no unmasked pixel leaves this ffmpeg.
   */
  mask?: { width: number; height: number; image: Buffer };
}

export const LUMA_WIDTH = DETECTOR_WIDTH;
export const LUMA_HEIGHT = DETECTOR_HEIGHT;
export const LUMA_FPS = 5;

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
    // A masked camera is encoded here, as H.264: its keyframes are ours to copy.
    const keyframes = options.onKeyframe && (!options.transcode || options.mask) ? options.onKeyframe : null;
    const luma = options.onLuma ?? null;
    const args = options.mask ? maskedArgs(options, options.mask, keyframes !== null, luma !== null) : ffmpegArgs(options, keyframes !== null, luma !== null);
    this.#child = spawn(options.ffmpeg, args, {
      stdio: ['ignore', 'pipe', 'pipe', keyframes ? 'pipe' : 'ignore', luma ? 'pipe' : 'ignore', options.mask ? 'pipe' : 'ignore'],
    });
    const maskPipe = (this.#child.stdio as unknown[])[5] as Writable | null | undefined;
    if (options.mask && maskPipe) {
      // An ffmpeg that fails before it reads the picture closes the pipe: its exit says why.
      maskPipe.on('error', () => undefined);
      maskPipe.end(options.mask.image);
    }
    const pipe = this.#child.stdio[3];
    if (keyframes && pipe && 'on' in pipe) {
      const split = new KeyframeSplitter((unit) => { if (!this.#stopped) keyframes(unit); });
      pipe.on('data', (chunk: Buffer) => split.push(chunk));
      pipe.on('close', () => split.close());
    }
    const lumaPipe = this.#child.stdio[4];
    if (luma && lumaPipe && 'on' in lumaPipe) {
      const frameBytes = LUMA_WIDTH * LUMA_HEIGHT;
      let pending: Buffer = Buffer.alloc(0);
      lumaPipe.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        while (pending.length >= frameBytes) {
          // Its time is when it arrives (5 a second, as decoded).
          if (!this.#stopped) luma({ width: LUMA_WIDTH, height: LUMA_HEIGHT, luma: new Uint8Array(pending.subarray(0, frameBytes)), at: Date.now() });
          pending = pending.subarray(frameBytes);
        }
      });
    }
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

/** The thumbnails' keyframes are taken from one window of this many seconds. */
const KEYFRAME_EVERY_S = 10;

/** The camera, opened for reading: credentials only here (never logged: see withoutCredentials). */
const inputArgs = (target: CameraTarget): string[] => [
  '-hide_banner', '-nostdin', '-loglevel', 'error', '-fflags', 'nobuffer',
  '-rtsp_transport', target.transport, '-timeout', String(SOCKET_TIMEOUT_US), '-i', withCredentials(target),
];
/** Progress twice a second on pipe:1 (the watchdog's and onLive's). */
const PROGRESS = ['-progress', 'pipe:1', '-stats_period', '0.5'];
/** A browser plays it at once: no B-frames, SPS and PPS before every keyframe. */
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-bf', '0', '-g', '60', '-pix_fmt', 'yuv420p', '-x264-params', 'repeat-headers=1'];
/** The relay's RTP: packets cut for a 1280-byte path MTU with SRTP's overhead. */
const rtpUrl = ({ port, rtcpPort }: FfmpegPullOptions['ports']): string => `rtp://127.0.0.1:${port}?pkt_size=1200&rtcpport=${rtcpPort}`;
/** The detector's copy: decoded, dropped to a few frames a second, scaled (area averaging) to grey. */
const LUMA_FILTER = `fps=${LUMA_FPS},scale=${LUMA_WIDTH}:${LUMA_HEIGHT}:flags=area,format=gray`;
const LUMA_OUTPUT = ['-an', '-f', 'rawvideo', '-flush_packets', '1', 'pipe:4'];
function ffmpegArgs({ target, transcode, ports, ringDir }: FfmpegPullOptions, keyframes: boolean, luma: boolean): string[] {
  const video = transcode ? X264 : ['-c:v', 'copy'];
  // The keyframes of the first 2.2 s of every 10 s (one or two with a GOP of up to 2 s: a thumbnail
  // is at most 15 s old anyway), copied as Annex B (SPS and PPS before each), each written at once
  // (a muxer otherwise holds them in a 32 KB buffer). Every keyframe cost 32 cameras ~15 % of a core.
  const keyframeCopy = keyframes
    ? ['-map', '0:v:0', '-c:v', 'copy', '-bsf:v', `noise=drop=not(key)+gt(mod(pts*tb\\,${KEYFRAME_EVERY_S})\\,2.2),dump_extra=freq=keyframe`, '-an', '-flush_packets', '1', '-f', 'h264', 'pipe:3']
    : [];
  const lumaCopy = luma ? ['-map', '0:v:0', '-vf', LUMA_FILTER, ...LUMA_OUTPUT] : [];
  const ring = ringDir
    ? ['-map', '0:v:0', '-c:v', 'copy', '-an', ...ringArgs(ringDir)]
    : [];
  return [
    ...inputArgs(target),
    '-map', '0:v:0', ...video,
    // SPS and PPS before every keyframe, whether the camera sends them in-band or only in its SDP.
    '-bsf:v', 'dump_extra=freq=keyframe',
    '-an', '-f', 'rtp', '-payload_type', '96',
    ...PROGRESS,
    rtpUrl(ports),
    ...keyframeCopy,
    ...lumaCopy,
    ...ring,
  ];
}

/** A value in a tee muxer's option list: its separators escaped. */
const teeValue = (value: string): string => value.replace(/[\\:|[\]]/g, (c) => `\\${c}`);
const teeSlave = (format: string, options: [string, string][], url: string): string =>
  `[${[['f', format] as [string, string], ...options].map(([key, value]) => `${key}=${teeValue(value)}`).join(':')}]${url}`;

/**
 * A masked camera: decoded, the masks' picture (pipe:5) laid over each frame at the camera's size,
 * encoded once, and that one encoding handed by the tee muxer to the relay, the thumbnails'
 * keyframe pipe and the ring buffer; the detector's grey copy is split from the masked picture.
 * A keyframe every ring segment (2 s) whatever the camera's rate: a viewer, a thumbnail and a
 * ring segment wait no longer than that.
 */
function maskedArgs({ target, ports, ringDir }: FfmpegPullOptions, mask: { width: number; height: number }, keyframes: boolean, luma: boolean): string[] {
  const masked = `[0:v:0]scale=${mask.width}:${mask.height},format=yuv420p[picture];[1:v]format=yuva420p[mask];[picture][mask]overlay=eof_action=repeat:format=auto,format=yuv420p`;
  const graph = luma ? `${masked},split=2[out][detector];[detector]${LUMA_FILTER}[luma]` : `${masked}[out]`;
  const slaves = [
    teeSlave('rtp', [['payload_type', '96']], rtpUrl(ports)),
    ...(keyframes ? [teeSlave('h264', [['bsfs/v', 'noise=drop=not(key)'], ['flush_packets', '1']], 'pipe:3')] : []),
    ...(ringDir ? [teeSlave('segment', ringOptions(ringDir), ringFile(ringDir))] : []),
  ];
  return [
    ...inputArgs(target),
    '-f', 'pam_pipe', '-i', 'pipe:5',
    '-filter_complex', graph,
    '-map', '[out]', ...X264, '-force_key_frames', `expr:gte(t,n_forced*${RING_SEGMENT_SECONDS})`, '-an',
    ...PROGRESS,
    '-f', 'tee', slaves.join('|'),
    ...(luma ? ['-map', '[luma]', ...LUMA_OUTPUT] : []),
  ];
}

/**
 * Cuts an Annex B stream of keyframes into access units. A unit is complete when, after its
 * picture (a slice NAL unit), a parameter set or delimiter starts the next: SPS and PPS may come
 * twice before a keyframe (dump_extra's and the camera's own), and a picture may be several slices.
 */
export class KeyframeSplitter {
  #pending: Buffer = Buffer.alloc(0);
  #quiet: NodeJS.Timeout | null = null;

  /** `quietMs`: a unit with its picture and nothing after it for this long is complete (keyframes come seconds apart). */
  constructor(private readonly onUnit: (accessUnit: Buffer) => void, private readonly quietMs = 150) {}

  push(chunk: Buffer): void {
    if (this.#quiet) clearTimeout(this.#quiet);
    this.#quiet = null;
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let unitStart = -1;
    let hasPicture = false;
    let consumed = 0;
    for (let i = this.#pending.indexOf(START_CODE); i >= 0 && i + 3 < this.#pending.length; i = this.#pending.indexOf(START_CODE, i + 3)) {
      const type = this.#pending[i + 3]! & 0x1f;
      const at = i > 0 && this.#pending[i - 1] === 0 ? i - 1 : i;
      if (unitStart < 0) {
        if (type !== 7 && type !== 9) continue; // a unit starts with its SPS (or a delimiter)
        unitStart = at;
      } else if (hasPicture && (type === 7 || type === 8 || type === 9 || type === 6)) {
        this.onUnit(Buffer.from(this.#pending.subarray(unitStart, at)));
        unitStart = at;
        hasPicture = false;
        consumed = at;
      }
      if (type >= 1 && type <= 5) hasPicture = true;
    }
    this.#pending = this.#pending.subarray(unitStart >= 0 ? Math.max(consumed, unitStart) : Math.max(0, this.#pending.length - 4));
    // A keyframe is well under this; a stream that never completes one is not ours to hold.
    if (this.#pending.length > 4 * 1024 * 1024) this.#pending = Buffer.alloc(0);
    if (unitStart >= 0 && hasPicture) {
      this.#quiet = setTimeout(() => {
        this.#quiet = null;
        const unit = this.#pending;
        this.#pending = Buffer.alloc(0);
        this.onUnit(Buffer.from(unit));
      }, this.quietMs);
      this.#quiet.unref();
    }
  }

  /** Drops what is pending (its ffmpeg ended). */
  close(): void {
    if (this.#quiet) clearTimeout(this.#quiet);
    this.#quiet = null;
    this.#pending = Buffer.alloc(0);
  }
}

const START_CODE = Buffer.from([0, 0, 1]);
