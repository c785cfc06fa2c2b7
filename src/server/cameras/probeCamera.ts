import { execFile } from 'node:child_process';
import type { CameraProbe, CameraStatus, CameraTransport } from '../../shared/index.ts';

/** How to reach a camera, credentials decrypted: lives only in memory and in ffmpeg's arguments. */
export interface CameraTarget {
  url: string;
  username: string | null;
  password: string | null;
  transport: CameraTransport;
}

/** A probe or ingest failure, classified for the camera's status. */
export class CameraFault extends Error {
  constructor(readonly status: Exclude<CameraStatus, 'live' | 'connecting'>, message: string) {
    super(message);
  }
}

/** How much of the stream a probe reads: enough for two keyframes of a GOP up to 4 s. */
const PROBE_WINDOW_SECONDS = 4.5;
const PROBE_TIMEOUT_MS = 12_000;
/** ffmpeg's socket timeout: a camera that accepts and then says nothing fails this fast. */
export const SOCKET_TIMEOUT_US = 5_000_000;

/** The URL ffmpeg is given: the credentials put back in. Never logged, never returned. */
export function withCredentials(target: CameraTarget): string {
  const url = new URL(target.url);
  if (target.username) url.username = encodeURIComponent(target.username);
  if (target.password) url.password = encodeURIComponent(target.password);
  return url.href;
}

/** ffmpeg's text may quote the camera's URL with its credentials: never logged or shown as it is. */
export const withoutCredentials = (text: string): string => text.replace(/(rtsps?:\/\/)[^@\s/]*@/gi, '$1***@');

/** ffmpeg's words about a failure, as a status (its text, credentials masked, only where no status fits). */
export function classifyFailure(stderr: string): CameraFault {
  if (/401 Unauthorized|authorization failed/i.test(stderr)) return new CameraFault('auth_failed', 'The camera refused the user name or password (401).');
  if (/404 Not Found/i.test(stderr)) return new CameraFault('unreachable', 'The camera has no stream at this path (404): check the URL\'s path.');
  if (/Connection refused/i.test(stderr)) return new CameraFault('unreachable', 'Nothing accepts connections at the camera\'s address and port.');
  if (/timed out|Operation not permitted|No route to host|Network is unreachable/i.test(stderr)) return new CameraFault('unreachable', 'The camera did not answer in time.');
  if (/Name or service not known|Temporary failure in name resolution|Cannot assign requested address/i.test(stderr)) return new CameraFault('unreachable', 'The camera\'s host name does not resolve.');
  if (/ENOENT/.test(stderr)) return new CameraFault('unreachable', 'ffmpeg is not installed on the gateway (Debian: apt-get install ffmpeg).');
  const last = withoutCredentials(stderr.trim().split('\n').at(-1) ?? '').slice(0, 160);
  return new CameraFault('unreachable', `The camera's stream could not be read${last ? ` (ffmpeg: ${last})` : ''}.`);
}

/** What a browser can play as sent, and otherwise the camera setting to change. */
export function verdict(codec: string, bFrames: boolean): { passThrough: boolean; problem: string | null } {
  if (codec === 'hevc') return { passThrough: false, problem: 'The camera sends H.265, which browsers cannot play over WebRTC here: set its video codec to H.264, or enable transcode for it.' };
  if (codec !== 'h264') return { passThrough: false, problem: `The camera sends ${codec}: set its video codec to H.264, or enable transcode for it.` };
  if (bFrames) return { passThrough: false, problem: 'The camera sends B-frames, which browsers cannot decode over WebRTC: turn B-frames off in its H.264 settings (a Baseline or Main profile, or a GOP of I and P frames only), or enable transcode for it.' };
  return { passThrough: true, problem: null };
}

interface ProbeOutput {
  streams?: { index?: number; codec_type?: string; codec_name?: string; profile?: string; width?: number; height?: number; avg_frame_rate?: string; has_b_frames?: number }[];
  packets?: { stream_index?: number; pts_time?: string; dts_time?: string; flags?: string }[];
}

const rate = (fraction: string | undefined): number | null => {
  const [n, d] = (fraction ?? '').split('/').map(Number);
  return n && d ? Math.round((n / d) * 100) / 100 : null;
};

/** Reads a few seconds of the camera's video with ffprobe: codec, size, frame rate, GOP, B-frames. */
export async function probeCamera(target: CameraTarget, ffprobe = 'ffprobe', windowSeconds = PROBE_WINDOW_SECONDS): Promise<CameraProbe> {
  const args = [
    '-v', 'error', '-rtsp_transport', target.transport, '-timeout', String(SOCKET_TIMEOUT_US),
    '-read_intervals', `%+${windowSeconds}`,
    '-show_entries', 'stream=index,codec_type,codec_name,profile,width,height,avg_frame_rate,has_b_frames:packet=stream_index,pts_time,dts_time,flags',
    '-of', 'json', withCredentials(target),
  ];
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
    execFile(ffprobe, args, { timeout: PROBE_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const killed = (error as { killed?: boolean }).killed;
        reject(killed ? new CameraFault('unreachable', 'The camera did not answer in time.') : classifyFailure(`${stderr} ${(error as NodeJS.ErrnoException).code ?? ''}`));
      } else resolve({ stdout });
    });
  });
  const output = JSON.parse(stdout) as ProbeOutput;
  const stream = output.streams?.find((s) => s.codec_type === 'video');
  if (!stream?.codec_name) throw new CameraFault('unsupported_codec', 'The camera sends no video stream.');
  const audio = output.streams?.find((s) => s.codec_type === 'audio')?.codec_name ?? null;
  const packets = (output.packets ?? []).filter((p) => p.stream_index === stream.index);
  const keyframes = packets.filter((p) => p.flags?.startsWith('K') && p.pts_time !== undefined && p.pts_time !== 'N/A').map((p) => Number(p.pts_time));
  // Pictures sent out of display order mean B-frames, whatever the stream header says.
  const reordered = packets.some((p) => p.pts_time !== undefined && p.dts_time !== undefined && p.pts_time !== 'N/A' && p.dts_time !== 'N/A' && p.pts_time !== p.dts_time);
  const bFrames = (stream.has_b_frames ?? 0) > 0 || reordered;
  const gaps = keyframes.slice(1).map((at, i) => at - keyframes[i]!);
  return {
    codec: stream.codec_name,
    profile: stream.profile ?? null,
    width: stream.width ?? 0,
    height: stream.height ?? 0,
    fps: rate(stream.avg_frame_rate),
    gopSeconds: gaps.length > 0 ? Math.round(Math.max(...gaps) * 100) / 100 : null,
    bFrames,
    audio,
    ...verdict(stream.codec_name, bFrames),
  };
}
