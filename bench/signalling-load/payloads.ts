import { sharedClockMs } from '../../src/web/lib/clockPattern.ts';

/** Same clock in every process of this machine. */
export const nowMs = sharedClockMs;

/** A realistic ~4 KB SDP carrying its send time in an attribute line. */
export function benchSdp(sentAt: number): string {
  const lines = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0', `a=x-bench-ts:${sentAt}`,
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:Xb3v', 'a=ice-pwd:kT3QyGr0Q9xJdbHk7s0E3T2y', 'a=ice-options:trickle',
    'a=fingerprint:sha-256 6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
    'a=setup:actpass', 'a=mid:0', 'a=sendonly', 'a=rtcp-mux', 'a=rtcp-rsize'];
  for (let pt = 96; lines.join('\r\n').length < 3900; pt++) {
    lines.push(`a=rtpmap:${pt} VP8/90000`, `a=rtcp-fb:${pt} goog-remb`, `a=rtcp-fb:${pt} transport-cc`, `a=rtcp-fb:${pt} ccm fir`, `a=rtcp-fb:${pt} nack`, `a=rtcp-fb:${pt} nack pli`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function sdpSentAt(sdp: string): number {
  return Number(/a=x-bench-ts:([\d.]+)/.exec(sdp)?.[1] ?? Number.NaN);
}

export function benchCandidate(index: number, sentAt: number) {
  return {
    candidate: `candidate:${1000 + index} 1 udp 2122260223 127.0.0.1 ${50000 + index} typ host generation 0 network-id 1`,
    sdpMid: '0',
    sdpMLineIndex: 0,
    // The send time rides in the only free-form field; the gateway relays it untouched.
    usernameFragment: `ts-${sentAt}`,
  };
}

export function candidateSentAt(ufrag: string | null | undefined): number {
  return Number(ufrag?.slice(3) ?? Number.NaN);
}

export const CANDIDATES_EACH_WAY = 8;
/** offer + answer + (8 candidates + end-of-candidates) each way. */
export const MESSAGES_PER_PAIR = 2 + 2 * (CANDIDATES_EACH_WAY + 1);
