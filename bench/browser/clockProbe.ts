import { buildSync } from 'esbuild';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { PageClock } from './pageClock.ts';

const PAGE_CLOCK = join(import.meta.dirname, 'pageClock.ts');

/** The same clock reader the test pattern was painted with, and a frame reader, bundled for the page as `window.VigilClock`. */
export function clockReaderScript(): string {
  const built = buildSync({ entryPoints: [PAGE_CLOCK], bundle: true, format: 'iife', globalName: 'VigilClock', write: false, target: 'es2022' });
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
      const clock = (window as unknown as { VigilClock: PageClock }).VigilClock;
      const video = document.querySelector<HTMLVideoElement>(`.tile[data-zone="${zone}"] video`)!;
      const latencies: number[] = [];
      let frames = 0;
      let unreadable = 0;
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
          frames += 1;
          const displayedAt = performance.timeOrigin + meta.expectedDisplayTime;
          void clock.readPainted(video).then((painted) => {
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
