/**
 * Just enough SDP reading for the WHEP and WHIP endpoints: is an offer one the relay can serve,
 * and what does a trickle fragment (RFC 8840, `application/trickle-ice-sdpfrag`) carry. The
 * relay itself (werift) parses the real thing; this only turns what it would choke on into a
 * clear 400 instead of a relay that never answers.
 */
import { Limits, type IceCandidate } from '../../../shared/index.ts';

const lines = (sdp: string): string[] => sdp.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');

/** The first `a=ice-ufrag:` of an SDP (session or media level), or null. */
export function iceUfragOf(sdp: string): string | null {
  return lines(sdp).find((line) => line.startsWith('a=ice-ufrag:'))?.slice('a=ice-ufrag:'.length) ?? null;
}

/**
 * Why the relay could not take this offer, or null when it can: it must offer H.264 video (the
 * relay forwards, never transcodes) with ICE credentials and a DTLS fingerprint.
 * @example offerProblem('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n') // 'the offer has no video section'
 */
export function offerProblem(sdp: string): string | null {
  const all = lines(sdp);
  const video = all.findIndex((line) => line.startsWith('m=video '));
  if (video === -1) return 'the offer has no video section';
  const section = all.slice(video + 1);
  const end = section.findIndex((line) => line.startsWith('m='));
  const videoLines = end === -1 ? section : section.slice(0, end);
  if (!videoLines.some((line) => /^a=rtpmap:\d+ H264\/90000$/i.test(line))) return 'the offer must include H.264 video (the relay does not transcode)';
  if (!all.some((line) => line.startsWith('a=ice-ufrag:')) || !all.some((line) => line.startsWith('a=ice-pwd:'))) return 'the offer has no ICE credentials';
  if (!all.some((line) => line.startsWith('a=fingerprint:'))) return 'the offer has no DTLS fingerprint';
  return null;
}

export interface TrickleFragment {
  /** `a=ice-ufrag` of the fragment, when it names one. */
  ufrag: string | null;
  candidates: IceCandidate[];
  /** `a=end-of-candidates`: the client's gathering is complete. */
  end: boolean;
}

/**
 * Reads a trickle fragment: its ICE credentials, and each `a=candidate` with the mid and m-line
 * index of the section it is in. Null when a line is too long to be a candidate.
 * @example parseTrickleFragment('a=ice-ufrag:x\r\na=ice-pwd:y\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=candidate:1 1 udp 1 10.0.0.1 5000 typ host\r\n')
 * // { ufrag: 'x', candidates: [{ candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'x' }], end: false }
 */
export function parseTrickleFragment(fragment: string): TrickleFragment | null {
  let ufrag: string | null = null;
  let mid: string | null = null;
  let index = -1;
  const found: { line: string; mid: string | null; index: number }[] = [];
  let end = false;
  for (const line of lines(fragment)) {
    if (line.startsWith('a=ice-ufrag:')) ufrag = line.slice('a=ice-ufrag:'.length);
    else if (line.startsWith('m=')) {
      index += 1;
      mid = null;
    } else if (line.startsWith('a=mid:')) mid = line.slice('a=mid:'.length);
    else if (line === 'a=end-of-candidates') end = true;
    else if (line.startsWith('a=candidate:')) {
      if (line.length > Limits.candidateMaxLength) return null;
      found.push({ line: line.slice(2), mid, index });
    }
  }
  const candidates = found.map(({ line, mid: sdpMid, index: at }) => ({
    candidate: line,
    // The mid is known only once the section's a=mid line was read, which may follow the candidate.
    sdpMid: sdpMid ?? mid,
    sdpMLineIndex: Math.max(0, at),
    usernameFragment: ufrag,
  }));
  return { ufrag, candidates, end };
}
