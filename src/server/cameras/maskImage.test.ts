import assert from 'node:assert/strict';
import { it } from 'node:test';
import { maskSpans } from '../../shared/vision/maskFill.ts';
import { maskImage } from './maskImage.ts';

it('is a PAM of the camera\'s size, opaque black exactly where the camera page would fill the masks', () => {
  const masks = [[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]] as [number, number][], [[0.6, 0.6], [0.9, 0.7], [0.7, 0.95]] as [number, number][]];
  const image = maskImage(masks, 64, 36);
  const header = 'P7\nWIDTH 64\nHEIGHT 36\nDEPTH 2\nMAXVAL 255\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n';
  assert.equal(image.subarray(0, header.length).toString('ascii'), header);
  const pixels = image.subarray(header.length);
  assert.equal(pixels.length, 64 * 36 * 2);
  const expected = new Uint8Array(64 * 36);
  const spans = maskSpans(masks, 64, 36);
  for (let i = 0; i < spans.length; i += 3) expected.fill(1, spans[i]! * 64 + spans[i + 1]!, spans[i]! * 64 + spans[i + 2]!);
  for (let p = 0; p < 64 * 36; p++) {
    assert.equal(pixels[p * 2], 0, 'black');
    assert.equal(pixels[p * 2 + 1], expected[p] ? 255 : 0, `pixel ${p % 64},${Math.floor(p / 64)}`);
  }
  assert.equal(pixels[(10 * 64 + 10) * 2 + 1], 255, 'inside the first mask');
  assert.equal(pixels[(30 * 64 + 10) * 2 + 1], 0, 'outside both');
  assert.deepEqual(maskImage([], 4, 2).subarray(-16), Buffer.alloc(16), 'no masks: all transparent');
});
