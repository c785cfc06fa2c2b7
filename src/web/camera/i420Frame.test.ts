import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { I420Frame, yuvOf } from './i420Frame.ts';

describe('I420Frame', () => {
  it('converts colours to BT.601 limited range', () => {
    assert.deepEqual(yuvOf('#000000'), [16, 128, 128]);
    assert.deepEqual(yuvOf('#ffffff'), [235, 128, 128]);
    const [y, u, v] = yuvOf('#ff0000');
    assert.deepEqual([y, u, v], [81, 90, 240]);
  });

  it('fills a clipped rectangle in luma and the chroma samples it covers', () => {
    const frame = new I420Frame(8, 4);
    frame.fillStyle = '#ff0000';
    frame.fillRect(6, 2, 10, 10);
    const y = (x: number, row: number) => frame.data[row * 8 + x];
    assert.equal(y(6, 2), 81);
    assert.equal(y(7, 3), 81);
    assert.equal(y(5, 2), 0, 'left of the rectangle untouched');
    assert.equal(y(6, 1), 0, 'above the rectangle untouched');
    const u = (cx: number, cy: number) => frame.data[32 + cy * 4 + cx];
    const v = (cx: number, cy: number) => frame.data[32 + 8 + cy * 4 + cx];
    assert.equal(u(3, 1), 90);
    assert.equal(v(3, 1), 240);
    assert.equal(u(2, 1), 0);
  });

  it('blends glyph coverage over the background luma', () => {
    const frame = new I420Frame(4, 2);
    frame.fillStyle = '#000000';
    frame.fillRect(0, 0, 4, 2);
    frame.fillStyle = '#ffffff';
    frame.drawGlyph({ width: 2, height: 1, coverage: Uint8Array.from([0, 255]) }, 1, 1);
    assert.deepEqual([...frame.data.subarray(4, 8)], [16, 16, 16 + (((235 - 16) * 255) >> 8), 16]);
    // A fractional origin (a layout of fontPx / 2) lands on a whole pixel rather than drawing nothing.
    frame.fillStyle = '#000000';
    frame.fillRect(0, 0, 4, 2);
    frame.fillStyle = '#ffffff';
    frame.drawGlyph({ width: 1, height: 1, coverage: Uint8Array.from([255]) }, 0.4, 0.6);
    assert.equal(frame.data[4], 16 + (((235 - 16) * 255) >> 8));
  });

  it('refuses odd sizes, which I420 cannot subsample', () => {
    assert.throws(() => new I420Frame(7, 4), RangeError);
  });
});
