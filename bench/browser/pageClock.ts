/**
 * What the bench's page scripts use, bundled into each operator page as `window.VigilClock`
 * (clockReaderScript): the clock pattern's reader, and `readPainted`, which reads the clock a
 * video is showing from the frame's own Y plane (VideoFrame.copyTo), falling back to a small
 * canvas for formats without one. Reading the Y plane costs the page far less than drawing
 * every frame into a canvas, which would lower the frame rate being measured.
 */
import { readClock, readClockFromLuma } from '../../src/web/lib/clockPattern.ts';

export { clockDelta, readClock, readClockFromLuma } from '../../src/web/lib/clockPattern.ts';

const LUMA_FIRST = new Set(['I420', 'I420A', 'I422', 'I444', 'NV12']);
/** Y-plane buffers not in use: reads of successive frames may overlap, each needs its own. */
const spare: Uint8Array[] = [];
let fallback: OffscreenCanvasRenderingContext2D | null = null;

/** The clock painted in the frame `video` shows now, or null when it cannot be read. */
export async function readPainted(video: HTMLVideoElement): Promise<number | null> {
  const frame = new VideoFrame(video);
  try {
    if (frame.format && LUMA_FIRST.has(frame.format)) {
      const size = frame.allocationSize();
      let buffer = spare.pop();
      if (!buffer || buffer.length < size) buffer = new Uint8Array(size);
      try {
        const [luma] = await frame.copyTo(buffer);
        const { width, height } = frame.visibleRect!;
        return readClockFromLuma({ data: buffer.subarray(luma!.offset), width, height, stride: luma!.stride });
      } finally {
        spare.push(buffer);
      }
    }
    fallback ??= new OffscreenCanvas(160, 90).getContext('2d', { willReadFrequently: true })!;
    fallback.drawImage(frame, 0, 0, 160, 90);
    return readClock(fallback.getImageData(0, 0, 160, 90));
  } finally {
    frame.close();
  }
}

/** `window.VigilClock` as the page scripts see it. */
export type PageClock = typeof import('./pageClock.ts');
