/**
 * Just enough H.264 RTP payload reading (RFC 6184) for a relay that never decodes: does this
 * packet begin a picture a decoder can start from?
 */
const NAL_IDR = 5;
const NAL_SPS = 7;
const STAP_A = 24;
const FU_A = 28;

const nalType = (byte: number): number => byte & 0x1f;

/**
 * True for the first packet of a keyframe as encoders send it: the SPS (alone or first in a
 * STAP-A aggregate) or, when the encoder sends no SPS in-band, the start of an IDR slice.
 */
export function startsKeyframe(payload: Uint8Array): boolean {
  if (payload.length < 2) return false;
  const type = nalType(payload[0]!);
  if (type === NAL_SPS || type === NAL_IDR) return true;
  // STAP-A: an access unit delimiter or SEI may come first (ffmpeg's packetizer aggregates them).
  if (type === STAP_A) return aggregatedTypes(payload).some((unit) => unit === NAL_SPS || unit === NAL_IDR);
  if (type === FU_A) {
    const header = payload[1]!;
    const start = (header & 0x80) !== 0;
    return start && nalType(header) === NAL_IDR;
  }
  return false;
}

/** True when the packet carries a sequence parameter set (alone or in a STAP-A): a decoder can configure from it. */
export function carriesSps(payload: Uint8Array): boolean {
  if (payload.length < 2) return false;
  const type = nalType(payload[0]!);
  if (type === NAL_SPS) return true;
  return type === STAP_A && aggregatedTypes(payload).includes(NAL_SPS);
}

/** The NAL unit types in a STAP-A packet: each aggregated unit is a 16-bit size, then the unit. */
function aggregatedTypes(payload: Uint8Array): number[] {
  const types: number[] = [];
  for (let at = 1; at + 2 < payload.length;) {
    const size = (payload[at]! << 8) | payload[at + 1]!;
    types.push(nalType(payload[at + 2]!));
    at += 2 + size;
  }
  return types;
}
