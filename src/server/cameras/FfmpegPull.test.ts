import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '../../../test/support/waitFor.ts';
import { KeyframeSplitter } from './FfmpegPull.ts';

const nal = (type: number, length: number, long = true) => Buffer.concat([Buffer.from(long ? [0, 0, 0, 1] : [0, 0, 1]), Buffer.from([0x60 | type]), Buffer.alloc(length, 0x11)]);
/** An access unit as dump_extra writes it: SPS, PPS, then the IDR slice. */
const keyframe = (size: number, long = true) => Buffer.concat([nal(7, 12, long), nal(8, 4, long), nal(5, size, long)]);

describe('KeyframeSplitter', () => {
  it('cuts an Annex B stream of keyframes at each SPS, once the next begins, however it is chunked', () => {
    const units = [keyframe(300), keyframe(5_000, false), keyframe(40)];
    const stream = Buffer.concat([...units, nal(7, 12)]);
    for (const size of [1, 5, 100, stream.length]) {
      const out: Buffer[] = [];
      const split = new KeyframeSplitter((unit) => out.push(unit));
      for (let i = 0; i < stream.length; i += size) split.push(stream.subarray(i, i + size));
      assert.deepEqual(out, units, `chunks of ${size}`);
    }
  });

  it('gives the last unit once the stream has been quiet a moment (the next keyframe is seconds away)', async () => {
    const out: Buffer[] = [];
    const split = new KeyframeSplitter((unit) => out.push(unit), 20);
    split.push(keyframe(300));
    assert.deepEqual(out, [], 'not before the quiet');
    await waitFor(() => out.length > 0, 'the unit once the stream is quiet');
    assert.deepEqual(out, [keyframe(300)]);
    split.push(keyframe(10).subarray(0, 20)); // a unit still without its picture is not given
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(out.length, 1);
    split.close();
  });

  it('drops bytes before the first SPS, and holds nothing past 4 MiB without one', () => {
    const out: Buffer[] = [];
    const split = new KeyframeSplitter((unit) => out.push(unit));
    split.push(Buffer.concat([Buffer.from([9, 9, 9]), nal(1, 50)]));
    split.push(Buffer.alloc(4 * 1024 * 1024 + 1, 0x22));
    split.push(Buffer.concat([keyframe(10), keyframe(20)]));
    assert.deepEqual(out, [keyframe(10)]);
  });
});
