import type { RtpPacket } from 'werift';

/** The media time, in 90 kHz ticks, between two replayed pictures on the viewer's timeline. */
const REPLAYED_PICTURE_TICKS = 90;

/**
 * The packets since the latest keyframe, as a new viewer should get them: copies whose pictures
 * are moved to just before the newest one, 1 ms apart. With their own timestamps a GOP replayed
 * at once would tell the viewer's jitter buffer that the stream runs seconds late, and every
 * live picture after it would be held back as long; squeezed, the viewer decodes through the
 * replay in a moment and the next picture it shows is live.
 */
export function squeezedReplay(run: readonly RtpPacket[]): RtpPacket[] {
  const copies = run.map((packet) => packet.clone());
  let picturesAfter = 0;
  for (let i = copies.length - 1; i >= 0; i -= 1) {
    const packet = copies[i]!;
    const next = run[i + 1];
    if (next !== undefined && next.header.timestamp !== run[i]!.header.timestamp) picturesAfter += 1;
    packet.header.timestamp = (run[run.length - 1]!.header.timestamp - picturesAfter * REPLAYED_PICTURE_TICKS) >>> 0;
  }
  return copies;
}
