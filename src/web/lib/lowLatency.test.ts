import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withStartBitrate } from './lowLatency.ts';

const ANSWER = [
  'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1',
  'm=video 9 UDP/TLS/RTP/SAVPF 108 109 96 97 118 120', 'a=mid:0',
  'a=rtpmap:108 H264/90000', 'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:109 rtx/90000', 'a=fmtp:109 apt=108',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
  'a=rtpmap:118 red/90000', 'a=rtpmap:120 ulpfec/90000', '',
].join('\r\n');

describe('withStartBitrate', () => {
  const munged = withStartBitrate(ANSWER, 2000);
  const lines = munged.split('\r\n');

  it('adds the start bitrate to an existing fmtp line of a video codec, keeping its parameters', () => {
    assert.ok(lines.includes('a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f;x-google-start-bitrate=2000'));
  });

  it('gives a video codec without parameters an fmtp line right after its rtpmap', () => {
    assert.equal(lines[lines.indexOf('a=rtpmap:96 VP8/90000') + 1], 'a=fmtp:96 x-google-start-bitrate=2000');
  });

  it('leaves retransmission, FEC and audio codecs alone, and keeps CRLF endings', () => {
    assert.ok(lines.includes('a=fmtp:109 apt=108'));
    assert.ok(lines.includes('a=fmtp:111 minptime=10;useinbandfec=1'));
    assert.ok(!lines.some((l) => /^a=fmtp:(109|97|118|120) .*x-google/.test(l)));
    assert.ok(munged.endsWith('\r\n'));
    assert.ok(!/[^\r]\n/.test(munged));
  });

  it('replaces a start bitrate already there instead of adding a second', () => {
    const again = withStartBitrate(munged, 3000).split('\r\n');
    assert.ok(again.includes('a=fmtp:96 x-google-start-bitrate=3000'));
    assert.equal(again.filter((l) => l.includes('x-google-start-bitrate')).length, 2);
  });
});
