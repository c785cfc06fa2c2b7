import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iceUfragOf, offerProblem, parseTrickleFragment } from './sdp.ts';

const offer = [
  'v=0', 'o=- 1 0 IN IP4 0.0.0.0', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 102', 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:abcd', 'a=ice-pwd:0123456789abcdef012345',
  'a=fingerprint:sha-256 00:11', 'a=recvonly', 'a=mid:0', 'a=rtpmap:102 H264/90000', '',
].join('\r\n');

describe('WHEP/WHIP SDP checks', () => {
  it('takes an H.264 offer with ICE credentials and a fingerprint, whatever the case of the codec name', () => {
    assert.equal(offerProblem(offer), null);
    assert.equal(offerProblem(offer.replace('H264', 'h264')), null);
    assert.equal(iceUfragOf(offer), 'abcd');
  });

  it('names what the relay could not take', () => {
    assert.equal(offerProblem(offer.replace('m=video', 'm=audio')), 'the offer has no video section');
    assert.match(offerProblem(offer.replace('H264/90000', 'VP8/90000'))!, /H\.264/);
    assert.equal(offerProblem(offer.replace(/a=ice-pwd:.*\r\n/, '')), 'the offer has no ICE credentials');
    assert.equal(offerProblem(offer.replace(/a=fingerprint:.*\r\n/, '')), 'the offer has no DTLS fingerprint');
    // H.264 in another section does not make the video section's codec.
    const audioH264 = offer.replace('a=rtpmap:102 H264/90000', 'a=rtpmap:102 VP8/90000') + 'm=audio 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\n';
    assert.match(offerProblem(audioH264)!, /H\.264/);
  });

  it('reads a trickle fragment (RFC 8840): credentials, candidates with their mid and m-line, the end', () => {
    const fragment = 'a=ice-ufrag:abcd\r\na=ice-pwd:x\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:0\r\n'
      + 'a=candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host\r\na=candidate:2 1 udp 2122260222 10.0.0.2 50001 typ host\r\na=end-of-candidates\r\n';
    assert.deepEqual(parseTrickleFragment(fragment), {
      ufrag: 'abcd',
      end: true,
      candidates: [
        { candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
        { candidate: 'candidate:2 1 udp 2122260222 10.0.0.2 50001 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
      ],
    });
    assert.deepEqual(parseTrickleFragment('a=end-of-candidates\r\n'), { ufrag: null, candidates: [], end: true });
    assert.equal(parseTrickleFragment(`a=candidate:${'x'.repeat(2000)}\r\n`), null);
  });
});
