import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './ports.ts';

export type RtspVariant = 'baseline' | 'high' | 'bframes' | 'h265' | 'clip';

export interface RtspCameraOptions {
  /** Frames between keyframes (60: a 2 s GOP at 30 fps). */
  gop?: number;
  size?: string;
  fps?: number;
  user?: string;
  password?: string;
  /** Paint Vigil's clock pattern (the wall-clock time of each picture) instead of a moving ball. */
  clock?: boolean;
  /** The ball on a grey ground instead of black (a detector takes a black picture for a covered lens). */
  lit?: boolean;
  /** With the variant `clip`: an H.264 Annex B file with access unit delimiters, looped without encoding. */
  clip?: string;
  /** A G.711 A-law audio stream beside the video. */
  audio?: boolean;
  /** A port to serve on (a camera that comes back at the same address); a free one when absent. */
  port?: number;
}

export interface RtspCamera {
  /** rtsp://127.0.0.1:<port>/cam, without credentials. */
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** The camera hangs: its process is stopped (SIGSTOP), its connections stay open and silent. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** A real RTSP camera: GStreamer's RTSP server (test/support/rtspCamera.py) on a loopback port. */
export async function startRtspCamera(variant: RtspVariant, options: RtspCameraOptions = {}): Promise<RtspCamera> {
  const port = options.port ?? (await freePort());
  const args = [new URL('./rtspCamera.py', import.meta.url).pathname, String(port), variant, '--gop', String(options.gop ?? 60)];
  if (options.size) args.push('--size', options.size);
  if (options.fps) args.push('--fps', String(options.fps));
  if (options.clock) args.push('--clock');
  if (options.lit) args.push('--lit');
  if (options.audio) args.push('--audio');
  if (options.clip) args.push('--clip', options.clip);
  if (options.user) args.push('--user', options.user, '--password', options.password ?? '');
  // Debian's python3, the one with GStreamer's bindings (gi), whatever python is first on PATH.
  const child = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the RTSP test camera did not start: ${stderr}`)), 10_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the RTSP test camera exited (${code}): ${stderr} (needs python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-ugly)`));
    });
  });
  return {
    url: `rtsp://127.0.0.1:${port}/cam`,
    port,
    process: child,
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * An H.264 clip (ffmpeg's testsrc2, 2 s GOP, no B-frames, access unit delimiters) for the `clip`
 * variant to loop: many cameras cost the test machine next to nothing, as no camera encodes.
 */
export function makeClip(dir: string, { size, fps, bitrate }: { size: string; fps: number; bitrate: string }): string {
  const path = join(dir, `clip-${size}-${fps}.h264`);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps}`, '-t', '10', '-c:v', 'libx264', '-preset', 'veryfast',
    '-profile:v', 'high', '-bf', '0', '-g', String(fps * 2), '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bitrate, '-pix_fmt', 'yuv420p',
    '-x264-params', 'repeat-headers=1:aud=1', '-f', 'h264', '-y', path]);
  return path;
}
