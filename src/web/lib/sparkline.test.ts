import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sparklinePoints } from './sparkline.ts';

describe('sparklinePoints', () => {
  it('scales to the series maximum with the newest sample at the right edge', () => {
    assert.deepEqual(sparklinePoints([0, 5, 10], 100, 20, 3), [[{ x: 0, y: 20 }, { x: 50, y: 10 }, { x: 100, y: 0 }]]);
  });

  it('starts part-way across until the window is full', () => {
    const [segment] = sparklinePoints([4, 4], 100, 10, 5);
    assert.deepEqual(segment?.map((p) => p.x), [75, 100]);
  });

  it('keeps only the most recent samples', () => {
    const values = Array.from({ length: 80 }, (_, i) => i);
    const [segment] = sparklinePoints(values, 59, 10);
    assert.equal(segment?.length, 60);
    assert.equal(segment?.at(-1)?.y, 0);
  });

  it('breaks the line at gaps and draws a flat line for all zeros', () => {
    assert.equal(sparklinePoints([1, null, 2, 3], 30, 10, 4).length, 2);
    assert.deepEqual(sparklinePoints([0, 0], 10, 8, 2), [[{ x: 0, y: 8 }, { x: 10, y: 8 }]]);
    assert.deepEqual(sparklinePoints([], 10, 8), []);
  });
});
