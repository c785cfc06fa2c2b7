import { I420Frame } from './i420Frame.ts';

/** What an installer can make the test scene do, to check detection and its alerts end to end. */
export const SCENE_ACTIONS = ['walk', 'cover', 'turn', 'blur', 'freeze'] as const;
export type SceneAction = (typeof SCENE_ACTIONS)[number];

export interface TestSceneSource {
  readonly stream: MediaStream;
  /** `walk` sends someone across for WALK_MS; the others hold until set false. */
  set(action: SceneAction, on: boolean): void;
  readonly active: ReadonlySet<SceneAction>;
  stop(): void;
}

const WALK_MS = 3_000;
/**
 * Sensor noise: a real camera's picture is never bit-identical from frame to frame (that is a
 * frozen one). ±4 on every other pixel survives the detector's 2×2 averaging; a motion
 * threshold of 25 never sees it.
 */
const NOISE = Int8Array.from({ length: 4099 }, (_, i) => ((i * 2654435761) >>> 28) % 9 - 4);

interface TrackGenerator extends MediaStreamTrack {
  readonly writable: WritableStream<VideoFrame>;
}
type TrackGeneratorConstructor = new (init: { kind: 'video' }) => TrackGenerator;

/** Chromium only (it builds frames straight as I420); the camera list offers it only there. */
export const testSceneSupported = (): boolean =>
  typeof (globalThis as { MediaStreamTrackGenerator?: unknown }).MediaStreamTrackGenerator === 'function' && typeof VideoFrame === 'function';

/**
 * A camera stand-in for detection: a still street (sky, buildings with windows, a road) with a
 * little sensor noise, in which a person can walk past, and the camera can be covered, turned
 * (it then looks at the ground), blurred (defocus, spray) or frozen (the same frame again and
 * again while the stream goes on). An installer checks a zone's motion and tamper alerts, MQTT
 * automations included, without standing in front of a camera; the browser tests do the same.
 */
export function createTestSceneSource(width: number, height: number, frameRate: number): TestSceneSource {
  const Generator = (globalThis as { MediaStreamTrackGenerator?: TrackGeneratorConstructor }).MediaStreamTrackGenerator;
  if (!Generator) throw new Error('The test scene needs MediaStreamTrackGenerator (Chromium).');
  const generator = new Generator({ kind: 'video' });
  const writer = generator.writable.getWriter();
  const w = width & ~1;
  const h = height & ~1;
  const street = paintStreet(w, h);
  const ySize = w * h;
  const turned = flipped(street.data, w, h, ySize);
  const blurred = boxBlurred(street.data, w, h, Math.max(4, Math.round(w / 80)));
  const out = new Uint8Array(street.data.length);
  const active = new Set<SceneAction>();
  let walkStartedAt = 0;
  let tick = 0;

  const paint = (): void => {
    if (writer.desiredSize !== null && writer.desiredSize <= 0) return;
    const now = performance.now();
    if (active.has('walk') && now - walkStartedAt > WALK_MS) active.delete('walk');
    if (!active.has('freeze')) {
      tick += 1;
      out.set(active.has('turn') ? turned : active.has('blur') ? blurred : street.data);
      if (active.has('cover')) out.fill(16, 0, ySize).fill(128, ySize);
      if (active.has('walk')) {
        const progress = (now - walkStartedAt) / WALK_MS;
        const personW = Math.round(w * 0.06);
        const personH = Math.round(h * 0.35);
        const x = Math.round(progress * (w - personW));
        const top = Math.round(h * 0.55);
        for (let row = top; row < top + personH; row++) out.fill(225, row * w + x, row * w + x + personW);
      }
      const offset = (tick * 787) % NOISE.length;
      for (let i = tick & 1, n = offset; i < ySize; i += 2, n = n + 1 === NOISE.length ? 0 : n + 1) out[i] = out[i]! + NOISE[n]!;
    }
    void writer.write(new VideoFrame(out, { format: 'I420', codedWidth: w, codedHeight: h, timestamp: Math.round(now * 1000) }))
      .catch(() => undefined);
  };
  const timer = setInterval(paint, 1000 / frameRate);
  paint();
  return {
    stream: new MediaStream([generator]),
    active,
    set(action, on) {
      if (on && action === 'walk') walkStartedAt = performance.now();
      if (on) active.add(action); else active.delete(action);
    },
    stop() {
      clearInterval(timer);
      generator.stop();
    },
  };
}

function paintStreet(w: number, h: number): I420Frame {
  const frame = new I420Frame(w, h);
  frame.fillStyle = '#8fb4d9';
  frame.fillRect(0, 0, w, h * 0.5);
  frame.fillStyle = '#4a4a4f';
  frame.fillRect(0, h * 0.5, w, h * 0.5);
  frame.fillStyle = '#e8e8e8';
  for (let x = 0; x < w; x += w / 10) frame.fillRect(x, h * 0.9, w / 20, h * 0.02);
  // Buildings with rows of windows: edges everywhere, so a blur or a turn changes the picture.
  const buildings = ['#7a5c48', '#9a9486', '#5e6b73', '#a3785a', '#6d6256'];
  for (let i = 0; i < 8; i++) {
    const bx = (i * w) / 8;
    const top = h * (0.12 + ((i * 37) % 5) * 0.05);
    frame.fillStyle = buildings[i % buildings.length]!;
    frame.fillRect(bx, top, w / 8 - 4, h * 0.5 - top);
    frame.fillStyle = '#f2e394';
    for (let wy = top + h * 0.03; wy < h * 0.46; wy += h * 0.06) {
      for (let wx = bx + w * 0.012; wx < bx + w / 8 - w * 0.02; wx += w * 0.03) frame.fillRect(wx, wy, w * 0.012, h * 0.025);
    }
  }
  return frame;
}

/** The picture upside down: the camera knocked to look at the ground. */
function flipped(data: Uint8Array, w: number, h: number, ySize: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let row = 0; row < h; row++) out.set(data.subarray(row * w, row * w + w), (h - 1 - row) * w);
  const half = w / 2;
  const rows = h / 2;
  for (let plane = 0; plane < 2; plane++) {
    const base = ySize + plane * half * rows;
    for (let row = 0; row < rows; row++) out.set(data.subarray(base + row * half, base + row * half + half), base + (rows - 1 - row) * half);
  }
  return out;
}

/** The luma box-blurred (radius `r`, horizontal then vertical), chroma as it is. */
function boxBlurred(data: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const out = data.slice();
  const tmp = new Uint8Array(w * h);
  const span = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    let sum = 0;
    for (let x = -r; x <= r; x++) sum += data[y * w + Math.min(w - 1, Math.max(0, x))]!;
    for (let x = 0; x < w; x++) {
      tmp[y * w + x] = Math.round(sum / span);
      sum += data[y * w + Math.min(w - 1, x + r + 1)]! - data[y * w + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let sum = 0;
    for (let y = -r; y <= r; y++) sum += tmp[Math.min(h - 1, Math.max(0, y)) * w + x]!;
    for (let y = 0; y < h; y++) {
      out[y * w + x] = Math.round(sum / span);
      sum += tmp[Math.min(h - 1, y + r + 1) * w + x]! - tmp[Math.max(0, y - r) * w + x]!;
    }
  }
  return out;
}
