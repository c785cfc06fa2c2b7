import { execFile } from 'node:child_process';
import type { Page } from 'playwright-core';

/** A rectangle of a picture, as fractions of its size: [left, top, right, bottom]. */
export type Rect = readonly [number, number, number, number];

const W = 160;
const H = 90;
const mean = (luma: Uint8Array, [x0, y0, x1, y1]: Rect, offset = 0): number => {
  let sum = 0;
  let count = 0;
  for (let y = Math.round(y0 * H); y < Math.round(y1 * H); y++) {
    for (let x = Math.round(x0 * W); x < Math.round(x1 * W); x++, count++) sum += luma[offset + y * W + x]!;
  }
  return sum / count;
};

/** Mean brightness (0–255) of a rectangle of what a video or an image on the page shows now. */
export async function pageBrightness(page: Page, selector: string, rect: Rect): Promise<number> {
  const luma = await page.evaluate(({ selector, W, H }) => {
    const source = document.querySelector(selector) as HTMLVideoElement | HTMLImageElement;
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [W, H];
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(source, 0, 0, W, H);
    const { data } = ctx.getImageData(0, 0, W, H);
    const out: number[] = [];
    for (let i = 0; i < data.length; i += 4) out.push(0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!);
    return out;
  }, { selector, W, H });
  return mean(Uint8Array.from(luma), rect);
}

/**
 * Mean brightness of a rectangle in every picture of an image or video file's bytes, decoded by
 * ffmpeg (a clip at `fps` pictures a second; an image has one): one figure per picture.
 */
export function fileBrightness(bytes: Buffer, rect: Rect, fps?: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-vf', `${fps ? `fps=${fps},` : ''}scale=${W}:${H}:flags=area,format=gray`, '-f', 'rawvideo', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
        if (error) return reject(error);
        const frames: number[] = [];
        for (let offset = 0; offset + W * H <= stdout.length; offset += W * H) frames.push(mean(stdout, rect, offset));
        resolve(frames);
      });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(bytes);
  });
}
