import assert from 'node:assert/strict';
import { it } from 'node:test';
import { carriesSps, startsKeyframe } from './h264.ts';

// RTP payloads as Chromium's H.264 packetizer sends a keyframe: a STAP-A with SPS and PPS, then
// the IDR slice in FU-A fragments; then P slices.
const stapA = Uint8Array.from([24, 0, 3, 0x67, 0x42, 0xe0, 0, 2, 0x68, 0xce]);
const idrStart = Uint8Array.from([0x7c, 0x85, 1, 2, 3]);
const idrMiddle = Uint8Array.from([0x7c, 0x05, 4, 5, 6]);
const pSlice = Uint8Array.from([0x41, 0x9a, 7, 8]);
const spsAlone = Uint8Array.from([0x67, 0x42, 0xe0]);

it('a keyframe starts at its SPS or at its IDR slice\'s first fragment, nowhere else', () => {
  assert.equal(startsKeyframe(stapA), true);
  assert.equal(startsKeyframe(spsAlone), true);
  assert.equal(startsKeyframe(idrStart), true, 'an encoder that sends no SPS in-band starts at the IDR');
  assert.equal(startsKeyframe(idrMiddle), false);
  assert.equal(startsKeyframe(pSlice), false);
  assert.equal(startsKeyframe(new Uint8Array([24])), false);
  // ffmpeg's packetizer: an access unit delimiter, then SPS and PPS, in one STAP-A.
  assert.equal(startsKeyframe(Uint8Array.from([24, 0, 2, 0x09, 0x10, 0, 3, 0x67, 0x64, 0x00, 0, 2, 0x68, 0xce])), true);
  assert.equal(startsKeyframe(Uint8Array.from([24, 0, 2, 0x09, 0x30, 0, 2, 0x06, 0x05])), false, 'a delimiter and an SEI begin no keyframe');
});

it('finds the SPS a decoder configures from, alone or aggregated after other units', () => {
  assert.equal(carriesSps(stapA), true);
  assert.equal(carriesSps(spsAlone), true);
  assert.equal(carriesSps(Uint8Array.from([24, 0, 2, 0x68, 0xce, 0, 2, 0x67, 0x42])), true, 'PPS first, then SPS');
  assert.equal(carriesSps(idrStart), false);
  assert.equal(carriesSps(pSlice), false);
});
