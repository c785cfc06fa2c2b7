import { paintClock, sharedClockMs, CLOCK_AREA_HEIGHT } from '../lib/clockPattern.ts';

export interface TestPatternSource {
  readonly stream: MediaStream;
  stop(): void;
}

/**
 * A camera stand-in: a canvas that paints the current time as blocks (see clockPattern.ts) and
 * pushes each painted frame into a MediaStream at once (`requestFrame`), so the time in the
 * picture is the time of capture. Lets an installer check a zone end to end without a camera,
 * and lets the benchmark measure capture-to-display latency.
 */
export function createTestPatternSource(width: number, height: number, frameRate: number): TestPatternSource {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { alpha: false })!;
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
  const captionTop = Math.floor(height * CLOCK_AREA_HEIGHT);
  const fontPx = Math.max(12, Math.floor((height - captionTop) * 0.5));

  const paint = (): void => {
    const now = sharedClockMs();
    paintClock(ctx, width, height, now);
    ctx.fillStyle = '#1c1f2b';
    ctx.fillRect(0, captionTop, width, height - captionTop);
    ctx.fillStyle = '#9aa4ff';
    ctx.font = `${fontPx}px monospace`;
    ctx.fillText(`VIGIL TEST PATTERN  ${new Date(now).toISOString().slice(11, 23)}`, fontPx / 2, captionTop + fontPx * 1.3);
    track.requestFrame();
  };
  // A timer, not requestAnimationFrame: a camera page in a background tab must keep producing frames.
  const timer = setInterval(paint, 1000 / frameRate);
  paint();
  return {
    stream,
    stop() {
      clearInterval(timer);
      for (const t of stream.getTracks()) t.stop();
    },
  };
}
