import { buildSync } from 'esbuild';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const CLOCK_MODULE = join(import.meta.dirname, '..', '..', 'src', 'web', 'lib', 'clockPattern.ts');

/** The same clock reader the test pattern was painted with, bundled for the page as `window.VigilClock`. */
export function clockReaderScript(): string {
  const built = buildSync({ entryPoints: [CLOCK_MODULE], bundle: true, format: 'iife', globalName: 'VigilClock', write: false, target: 'es2022' });
  return `${built.outputFiles[0]!.text}\nglobalThis.VigilClock = VigilClock;\n`;
}

export interface ProbeResult {
  /** Capture-to-display latency of every frame whose clock was readable, ms. */
  latencies: number[];
  frames: number;
  unreadable: number;
  seconds: number;
}

/**
 * Watches a tile's video for `durationMs`: for every presented frame (requestVideoFrameCallback)
 * it reads the painted clock back and subtracts it from the time the frame is displayed. The
 * clock is read from the frame's own Y plane (VideoFrame.copyTo), not from a canvas the frame was
 * drawn into: that conversion and scaling cost the operator pages more than decoding did, and so
 * lowered the frame rate being measured.
 */
export async function probeTile(page: Page, zone: string, durationMs: number): Promise<ProbeResult> {
  return page.evaluate(
    async ([zone, durationMs]) => {
      type Clock = {
        readClock(p: ImageData): number | null;
        readClockFromLuma(p: { data: Uint8Array; width: number; height: number; stride: number }): number | null;
        clockDelta(later: number, earlier: number): number;
      };
      const clock = (window as unknown as { VigilClock: Clock }).VigilClock;
      const video = document.querySelector<HTMLVideoElement>(`.tile[data-zone="${zone}"] video`)!;
      const canvas = new OffscreenCanvas(160, 90);
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      const LUMA_FIRST = new Set(['I420', 'I420A', 'I422', 'I444', 'NV12']);
      let buffer = new Uint8Array(0);
      const readPainted = async (): Promise<number | null> => {
        const frame = new VideoFrame(video);
        try {
          if (frame.format && LUMA_FIRST.has(frame.format)) {
            const size = frame.allocationSize();
            if (buffer.length < size) buffer = new Uint8Array(size);
            const [luma] = await frame.copyTo(buffer);
            const { width, height } = frame.visibleRect!;
            return clock.readClockFromLuma({ data: buffer.subarray(luma!.offset), width, height, stride: luma!.stride });
          }
          ctx.drawImage(frame, 0, 0, 160, 90);
          return clock.readClock(ctx.getImageData(0, 0, 160, 90));
        } finally {
          frame.close();
        }
      };
      const latencies: number[] = [];
      let frames = 0;
      let unreadable = 0;
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
          frames += 1;
          const displayedAt = performance.timeOrigin + meta.expectedDisplayTime;
          void readPainted().then((painted) => {
            if (painted === null) unreadable += 1;
            else latencies.push(clock.clockDelta(displayedAt, painted));
          }, () => (unreadable += 1));
          if (performance.now() - started < (durationMs as number)) video.requestVideoFrameCallback(onFrame);
          else resolve();
        };
        video.requestVideoFrameCallback(onFrame);
      });
      return { latencies, frames, unreadable, seconds: (performance.now() - started) / 1000 };
    },
    [zone, durationMs] as const,
  );
}
