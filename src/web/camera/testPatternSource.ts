import { CLOCK_AREA_HEIGHT, paintClock, sharedClockMs } from '../lib/clockPattern.ts';
import { I420Frame, type Glyph } from './i420Frame.ts';

export interface TestPatternSource {
  readonly stream: MediaStream;
  stop(): void;
}

const CAPTION_BACKGROUND = '#1c1f2b';
const CAPTION_TEXT = '#9aa4ff';
const caption = (now: number) => `VIGIL TEST PATTERN  ${new Date(now).toISOString().slice(11, 23)}`;

/** A monospaced glyph is about this wide for its font size. */
const MONOSPACE_ADVANCE = 0.62;

/**
 * Where the caption goes: below the clock blocks, in a monospaced font half the strip's height,
 * or smaller where the whole line (milliseconds included) would not fit the width.
 */
function captionLayout(width: number, height: number) {
  const top = Math.floor(height * CLOCK_AREA_HEIGHT);
  const fitsWidth = width / (caption(0).length * MONOSPACE_ADVANCE + 1);
  const fontPx = Math.max(12, Math.floor(Math.min((height - top) * 0.5, fitsWidth)));
  return { top, fontPx, left: fontPx / 2, baseline: top + fontPx * 1.3, font: `${fontPx}px monospace` };
}

/** Chromium's generator of a track from VideoFrames ("breakout box"); not in the DOM typings yet. */
interface TrackGenerator extends MediaStreamTrack {
  readonly writable: WritableStream<VideoFrame>;
}
type TrackGeneratorConstructor = new (init: { kind: 'video' }) => TrackGenerator;

/**
 * A camera stand-in: frames that carry the time they were made, as blocks (see clockPattern.ts)
 * and a caption, pushed into a MediaStream the moment they are painted, so the time in the
 * picture is the time of capture. Lets an installer check a zone end to end without a camera,
 * and lets the benchmark measure capture-to-display latency. Where the browser can take frames
 * directly (Chromium), they are painted as I420; elsewhere a canvas is captured.
 */
export function createTestPatternSource(width: number, height: number, frameRate: number): TestPatternSource {
  const Generator = (globalThis as { MediaStreamTrackGenerator?: TrackGeneratorConstructor }).MediaStreamTrackGenerator;
  const source = Generator && typeof VideoFrame === 'function' ? i420Source(Generator, width, height) : canvasSource(width, height);
  // A timer, not requestAnimationFrame: a camera page in a background tab must keep producing frames.
  const timer = setInterval(source.paint, 1000 / frameRate);
  source.paint();
  return {
    stream: source.stream,
    stop() {
      clearInterval(timer);
      for (const t of source.stream.getTracks()) t.stop();
    },
  };
}

function i420Source(Generator: TrackGeneratorConstructor, width: number, height: number) {
  const generator = new Generator({ kind: 'video' });
  const writer = generator.writable.getWriter();
  const frame = new I420Frame(width & ~1, height & ~1);
  const layout = captionLayout(frame.width, frame.height);
  const glyphs = glyphCache(layout.font, frame.height - layout.top, layout.baseline - layout.top);
  return {
    stream: new MediaStream([generator]),
    paint(): void {
      // The encoder is behind: drop this frame rather than queue a late one.
      if (writer.desiredSize !== null && writer.desiredSize <= 0) return;
      const now = sharedClockMs();
      paintClock(frame, frame.width, frame.height, now);
      frame.fillStyle = CAPTION_BACKGROUND;
      frame.fillRect(0, layout.top, frame.width, frame.height - layout.top);
      frame.fillStyle = CAPTION_TEXT;
      [...caption(now)].forEach((char, i) => {
        const glyph = glyphs(char);
        frame.drawGlyph(glyph, layout.left + i * glyph.width, layout.top);
      });
      // The VideoFrame copies the planes; the generator closes it once the track has taken it.
      void writer.write(new VideoFrame(frame.data, { format: 'I420', codedWidth: frame.width, codedHeight: frame.height, timestamp: Math.round(performance.now() * 1000) }))
        .catch(() => undefined); // the track was stopped
    },
  };
}

/** Renders each character once, white on black, and keeps its coverage: monospaced cells of one size. */
function glyphCache(font: string, cellHeight: number, baseline: number): (char: string) => Glyph {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.font = font;
  canvas.width = Math.ceil(ctx.measureText('0').width);
  canvas.height = cellHeight;
  const cache = new Map<string, Glyph>();
  return (char) => {
    let glyph = cache.get(char);
    if (!glyph) {
      ctx.fillStyle = '#000000';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = '#ffffff';
      ctx.font = font;
      ctx.fillText(char, 0, baseline);
      const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const coverage = new Uint8Array(canvas.width * canvas.height);
      for (let i = 0; i < coverage.length; i++) coverage[i] = rgba[i * 4]!;
      glyph = { width: canvas.width, height: canvas.height, coverage };
      cache.set(char, glyph);
    }
    return glyph;
  };
}

function canvasSource(width: number, height: number) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { alpha: false })!;
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
  const layout = captionLayout(width, height);
  return {
    stream,
    paint(): void {
      const now = sharedClockMs();
      paintClock(ctx, width, height, now);
      ctx.fillStyle = CAPTION_BACKGROUND;
      ctx.fillRect(0, layout.top, width, height - layout.top);
      ctx.fillStyle = CAPTION_TEXT;
      ctx.font = layout.font;
      ctx.fillText(caption(now), layout.left, layout.baseline);
      track.requestFrame();
    },
  };
}
