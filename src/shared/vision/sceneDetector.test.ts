import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { motionMask } from './maskFill.ts';
import { downscaleLuma, SceneDetector, sharpness, type DetectorEvent, type LumaFrame } from './sceneDetector.ts';

const W = 160;
const H = 90;
const FRAME_MS = 200; // 5 fps, as an IP camera's low-rate copy

/** A deterministic pseudo-random source, so a failure replays exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A street-like scene: textured (edges everywhere, as a real picture has), with sensor noise of ±`noise`. */
function scene(seed = 1, noise = 3, shift = 0) {
  const texture = new Uint8Array(W * H);
  const r = random(99);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) texture[y * W + x] = 60 + ((((x + shift) >> 3) + (y >> 3)) % 2) * 80 + Math.floor(r() * 30);
  const noiseOf = random(seed);
  return (at: number, paint?: (luma: Uint8Array) => void): LumaFrame => {
    const luma = new Uint8Array(W * H);
    for (let i = 0; i < luma.length; i++) luma[i] = Math.max(0, Math.min(255, texture[i]! + Math.round((noiseOf() * 2 - 1) * noise)));
    paint?.(luma);
    return { width: W, height: H, luma, at };
  };
}

/** A bright 16×16 object at (x, y). */
const square = (x: number, y: number) => (luma: Uint8Array) => {
  for (let dy = 0; dy < 16; dy++) for (let dx = 0; dx < 16; dx++) luma[(y + dy) * W + x + dx] = 250;
};

/** A 5×5 box blur: a defocused lens, or spray on it. */
function blurred(frame: LumaFrame): LumaFrame {
  const out = new Uint8Array(frame.luma.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sum = 0;
      let count = 0;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
        const yy = y + dy;
        const xx = x + dx;
        if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
        sum += frame.luma[yy * W + xx]!;
        count += 1;
      }
      out[y * W + x] = Math.round(sum / count);
    }
  }
  return { ...frame, luma: out };
}

/** Feeds `frames` frames from `make` starting at `from`, collecting the events. */
function run(detector: SceneDetector, make: (at: number) => LumaFrame, from: number, frames: number): DetectorEvent[] {
  const events: DetectorEvent[] = [];
  for (let i = 0; i < frames; i++) events.push(...detector.push(make(from + i * FRAME_MS)));
  return events;
}

const types = (events: DetectorEvent[]) => events.map((e) => e.type);

describe('SceneDetector', () => {
  it('says nothing of a still scene under sensor noise, for a minute', () => {
    const detector = new SceneDetector(W, H);
    assert.deepEqual(types(run(detector, scene(1, 4), 0, 300)), []);
  });

  it('a moving object starts motion within two frames and ends it after a quiet spell', () => {
    const detector = new SceneDetector(W, H);
    const frame = scene(2);
    run(detector, frame, 0, 20);
    const moving = run(detector, (at) => frame(at, square(10 + Math.round((at - 4_000) / 50), 40)), 4_000, 10);
    assert.equal(moving[0]?.type, 'motion.started');
    assert.ok(moving[0]!.at <= 4_000 + FRAME_MS, `started at ${moving[0]!.at}`);
    assert.ok(detector.state.motion);
    const quiet = run(detector, frame, 6_000, 15);
    assert.deepEqual(types(quiet), ['motion.ended']);
    assert.ok(quiet[0]!.at - 6_000 >= 2_000 - FRAME_MS, 'after the quiet spell');
  });

  it('ignores motion outside the motion zones (a mask), and counts it inside', () => {
    const mask = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 80; x < W; x++) mask[y * W + x] = 1; // the right half only
    const detector = new SceneDetector(W, H, {}, mask);
    const frame = scene(3);
    run(detector, frame, 0, 10);
    assert.deepEqual(types(run(detector, (at) => frame(at, square(20 + Math.round((at - 2_000) / 100), 30)), 2_000, 10)), [], 'the left half is ignored');
    assert.deepEqual(types(run(detector, (at) => frame(at, square(100 + Math.round((at - 4_000) / 100), 30)), 4_000, 5)), ['motion.started']);
  });

  it('a covered lens: tamper.covered after two seconds, and cleared when uncovered; no motion said for it', () => {
    const detector = new SceneDetector(W, H);
    const frame = scene(4);
    run(detector, frame, 0, 20);
    const covered = run(detector, (at) => frame(at, (luma) => luma.fill(5)), 4_000, 15);
    assert.deepEqual(types(covered), ['tamper.covered']);
    assert.ok(covered[0]!.at - 4_000 >= 2_000);
    assert.deepEqual(types(run(detector, frame, 7_000, 2)).filter((t) => t.startsWith('tamper')), ['tamper.covered.cleared']);
  });

  it('a camera turned away: tamper.moved once the new view persists, and that view is then the normal one', () => {
    const detector = new SceneDetector(W, H);
    run(detector, scene(5), 0, 30);
    const turned = scene(6, 3, 8); // the view moved by a whole square of the pattern
    const events = run(detector, turned, 6_000, 25);
    assert.ok(types(events).includes('tamper.moved'), types(events).join(','));
    const at = events.find((e) => e.type === 'tamper.moved')!.at;
    assert.ok(at - 6_000 >= 3_000, `said after ${at - 6_000} ms`);
    assert.deepEqual(types(run(detector, turned, 12_000, 30)).filter((t) => t === 'tamper.moved'), [], 'not said again');
  });

  it('a defocused or sprayed lens: tamper.defocused, not motion forever', () => {
    const detector = new SceneDetector(W, H);
    const frame = scene(7);
    run(detector, frame, 0, 30);
    assert.ok(sharpness(blurred(frame(0))) < 0.35 * sharpness(frame(0)), 'the blur is one a lens would show');
    const events = run(detector, (at) => blurred(frame(at)), 6_000, 25);
    assert.ok(types(events).includes('tamper.defocused'), types(events).join(','));
    assert.ok(!detector.state.motion || types(events).includes('motion.ended'));
  });

  it('a frozen picture: tamper.frozen after ten seconds of identical frames; live noise never freezes', () => {
    const detector = new SceneDetector(W, H);
    const frame = scene(8);
    run(detector, frame, 0, 10);
    const still = frame(2_000);
    const events = run(detector, (at) => ({ ...still, at }), 2_000, 60);
    assert.deepEqual(types(events), ['tamper.frozen']);
    assert.ok(events[0]!.at - 2_000 >= 10_000);
    assert.deepEqual(types(run(detector, frame, 20_000, 2)), ['tamper.frozen.cleared']);
  });

  it('refuses a frame or a mask of the wrong size', () => {
    assert.throws(() => new SceneDetector(W, H, {}, new Uint8Array(10)), RangeError);
    assert.throws(() => new SceneDetector(W, H).push({ width: 8, height: 8, luma: new Uint8Array(64), at: 0 }), RangeError);
  });
});

describe('downscaleLuma', () => {
  it('averages the centre of each box of a padded Y plane into the detector\'s plane', () => {
    // 8×4 with a stride of 10 (two padding bytes a row, which must be skipped), to 4×2.
    const source = new Uint8Array(10 * 4).fill(255);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) source[y * 10 + x] = y < 2 ? x * 10 : 100;
    assert.deepEqual([...downscaleLuma(source, 8, 4, 10, 4, 2)], [5, 25, 45, 65, 100, 100, 100, 100]);
  });

  it('takes a 1280×720 plane to 160×90, reading the centre of each 8×8 box', () => {
    const source = new Uint8Array(1280 * 720);
    for (let y = 0; y < 720; y++) for (let x = 0; x < 1280; x++) source[y * 1280 + x] = (x >> 3) % 2 ? 200 : 0;
    const out = downscaleLuma(source, 1280, 720, 1280, 160, 90);
    assert.equal(out.length, 160 * 90);
    assert.deepEqual([out[0], out[1], out[2], out[160 * 89 + 159]], [0, 200, 0, 200]);
  });
});

describe('motion zones and ignore zones', () => {
  it('counts motion only inside the motion zones and never inside the ignore zones', () => {
    const still = new Uint8Array(W * H).fill(100);
    const withBox = (x0: number, y0: number) => {
      const luma = still.slice();
      for (let y = y0; y < y0 + 20; y++) luma.fill(220, y * W + x0, y * W + x0 + 20);
      return luma;
    };
    const run = (mask: Uint8Array | null, x0: number, y0: number) => {
      const detector = new SceneDetector(W, H, {}, mask);
      let at = 0;
      for (let i = 0; i < 5; i++) detector.push({ width: W, height: H, luma: still, at: (at += 200) });
      const events = [];
      for (let i = 0; i < 5; i++) events.push(...detector.push({ width: W, height: H, luma: withBox(x0, y0), at: (at += 200) }));
      return events.some((e) => e.type === 'motion.started');
    };
    const road = [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] as [number, number][];
    const door = [[0, 0], [0.3, 0], [0.3, 0.4], [0, 0.4]] as [number, number][];
    assert.equal(motionMask([], [], W, H), null, 'no zones: everywhere, no mask');
    assert.equal(run(motionMask([], [road], W, H), 70, 60), false, 'a car on the ignored road');
    assert.equal(run(motionMask([], [road], W, H), 70, 10), true, 'someone above the road');
    assert.equal(run(motionMask([door], [], W, H), 100, 10), false, 'outside the only motion zone');
    assert.equal(run(motionMask([door], [], W, H), 10, 5), true, 'at the door');
  });
});
