import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { I420Frame } from '../camera/i420Frame.ts';
import { clockDelta, decodeClock, encodeClock, paintClock, readClock, readClockFromLuma } from './clockPattern.ts';

/** A software canvas: just enough of CanvasRenderingContext2D to paint rectangles into RGBA bytes. */
function softCanvas(width: number, height: number) {
  const data = new Uint8ClampedArray(width * height * 4);
  const ctx = {
    fillStyle: '#000000' as string | CanvasGradient | CanvasPattern,
    fillRect(x: number, y: number, w: number, h: number) {
      const v = this.fillStyle === '#ffffff' ? 255 : 0;
      for (let row = Math.max(0, y); row < Math.min(height, y + h); row++) {
        for (let col = Math.max(0, x); col < Math.min(width, x + w); col++) data.fill(v, (row * width + col) * 4, (row * width + col) * 4 + 3);
      }
    },
  };
  return { ctx, pixels: { data, width, height } };
}

describe('clock pattern', () => {
  it('round-trips any 32-bit millisecond value', () => {
    for (const ms of [0, 1, 1234567, 0xffffffff, 1_795_000_000_123]) {
      assert.equal(decodeClock(encodeClock(ms)), Math.floor(ms) >>> 0);
    }
  });

  it('rejects a frame whose check bits disagree', () => {
    const bits = encodeClock(987654);
    bits[3] = !bits[3];
    assert.equal(decodeClock(bits), null);
  });

  it('reads back what was painted, at the painted size and scaled down', () => {
    const { ctx, pixels } = softCanvas(1280, 720);
    paintClock(ctx, 1280, 720, 1_795_000_000_777);
    assert.equal(readClock(pixels), 1_795_000_000_777 >>> 0);
    const small = softCanvas(160, 90);
    paintClock(small.ctx, 160, 90, 42_000);
    assert.equal(readClock(small.pixels), 42_000);
  });

  it('survives compression-like noise on every pixel', () => {
    const { ctx, pixels } = softCanvas(640, 360);
    paintClock(ctx, 640, 360, 55_555_555);
    let seed = 7;
    for (let i = 0; i < pixels.data.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      pixels.data[i] = Math.max(0, Math.min(255, pixels.data[i]! + ((seed % 120) - 60)));
    }
    assert.equal(readClock(pixels), 55_555_555);
  });

  it('reads the clock from the Y plane of an I420 frame painted directly, with a padded stride too', () => {
    const frame = new I420Frame(1280, 720);
    paintClock(frame, 1280, 720, 1_795_000_000_321);
    assert.equal(readClockFromLuma({ data: frame.data, width: 1280, height: 720, stride: 1280 }), 1_795_000_000_321 >>> 0);
    const stride = 1344;
    const padded = new Uint8Array(stride * 720);
    for (let row = 0; row < 720; row++) padded.set(frame.data.subarray(row * 1280, row * 1280 + 1280), row * stride);
    assert.equal(readClockFromLuma({ data: padded, width: 1280, height: 720, stride }), 1_795_000_000_321 >>> 0);
  });

  it('measures a delay across the 32-bit wrap', () => {
    assert.equal(clockDelta(2 ** 32 + 5, 0xffffffff - 9), 15);
    assert.equal(clockDelta(1000, 990), 10);
  });
});
