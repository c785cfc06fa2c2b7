import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillMasked, maskSpans, privacyMasksSchema } from './privacyMasks.ts';

describe('privacy masks', () => {
  it('covers exactly the pixels inside a rectangle, at any resolution', () => {
    const rect = [[0.25, 0.25], [0.75, 0.25], [0.75, 0.75], [0.25, 0.75]] as [number, number][];
    const spans = maskSpans([rect], 8, 4);
    assert.deepEqual([...spans], [1, 2, 6, 2, 2, 6]);
    const big = maskSpans([rect], 1280, 720);
    assert.equal(big.length / 3, 360, 'half the rows');
    assert.deepEqual([big[0], big[1], big[2]], [180, 320, 960]);
  });

  it('fills a triangle by the even-odd rule and blackens every plane of an I420 frame under it', () => {
    const [w, h] = [16, 16];
    const frame = new Uint8Array(w * h * 1.5).fill(200);
    const layout = [{ offset: 0, stride: w }, { offset: w * h, stride: w / 2 }, { offset: w * h * 1.25, stride: w / 2 }];
    fillMasked(frame, 'I420', layout, maskSpans([[[0, 0], [1, 0], [0, 1]]], w, h));
    const y = (x: number, row: number) => frame[row * w + x];
    assert.equal(y(0, 0), 16, 'inside: black');
    assert.equal(y(15, 15), 200, 'outside: untouched');
    assert.equal(y(2, 12), 16);
    assert.equal(y(12, 12), 200);
    assert.equal(frame[w * h], 128, 'chroma of a masked pixel: neutral');
    assert.equal(frame[w * h + 7 * (w / 2) + 7], 200, 'chroma far outside: untouched');
  });

  it('refuses what is not a mask', () => {
    for (const bad of [{ masks: [[[0, 0], [1, 1]]] }, { masks: [[[0, 0], [2, 0], [0, 1]]] }, { masks: Array(17).fill([[0, 0], [1, 0], [0, 1]]) }, { masks: [], extra: 1 }]) {
      assert.equal(privacyMasksSchema.safeParse(bad).success, false, JSON.stringify(bad).slice(0, 60));
    }
    assert.equal(privacyMasksSchema.safeParse({ masks: [] }).success, true, 'no masks: nothing hidden');
  });
});
