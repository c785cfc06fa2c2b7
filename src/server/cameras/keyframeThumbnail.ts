import { spawn } from 'node:child_process';
import { Limits } from '../../shared/index.ts';

/** A keyframe that does not decode in this long is given up on. */
const TIMEOUT_MS = 5_000;

/**
 * Decodes one H.264 keyframe (an Annex B access unit) into a small JPEG with a short-lived ffmpeg:
 * the cost of a thumbnail is paid only when a console asks for one, never per frame of the camera.
 * Resolves null when ffmpeg cannot make one.
 */
export function keyframeThumbnail(ffmpeg: string, accessUnit: Buffer): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const child = spawn(ffmpeg, [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-f', 'h264', '-i', 'pipe:0',
      '-frames:v', '1', '-vf', `scale=${Limits.thumbnailWidth}:-2`, '-c:v', 'mjpeg', '-q:v', '8', '-f', 'image2pipe', 'pipe:1',
    ], { stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      const jpeg = Buffer.concat(chunks);
      resolve(code === 0 && jpeg.length > 4 && jpeg[0] === 0xff && jpeg[1] === 0xd8 ? jpeg : null);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(accessUnit);
  });
}
