import { Limits, protocolError, Timing, type ProtocolError, type ZoneId } from '../../shared/index.ts';
import type { Participant } from '../zones/Participant.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';

const JPEG_START = Buffer.from([0xff, 0xd8, 0xff]);
/** A camera may send its next thumbnail this soon at most; faster ones are refused, not stored. */
const MIN_GAP_MS = Timing.thumbnailIntervalMs / 2;

export interface Thumbnail {
  readonly jpeg: Buffer;
  readonly at: number;
}

/**
 * The directory's thumbnails: the latest small JPEG each publishing camera node sent of its own
 * picture (no peer connection, no decode on the gateway). Only the camera publishing a zone on
 * this node may set its thumbnail; the last one stays after it goes (what it showed last).
 * Kept in memory on the node the camera is connected to.
 */
export class Thumbnails {
  readonly #publishers = new Map<ZoneId, string>();
  readonly #latest = new Map<ZoneId, Thumbnail>();
  readonly #unsubscribe: (() => void)[];

  constructor(presence: ZonePresence) {
    this.#unsubscribe = [
      presence.events.on('published', (zone, camera) => this.#publishers.set(zone, camera.id)),
      presence.events.on('unpublished', (zone, camera) => {
        if (this.#publishers.get(zone) === camera.id) this.#publishers.delete(zone);
      }),
    ];
  }

  /** A thumbnail from `camera` for `zone`; refused unless it publishes the zone, sends a JPEG, and not too often. */
  accept(camera: Participant, zone: ZoneId, base64: string, now = Date.now()): ProtocolError | null {
    if (this.#publishers.get(zone) !== camera.id) return protocolError('NOT_PUBLISHING', `This connection does not publish ${zone}.`);
    const previous = this.#latest.get(zone);
    if (previous && now - previous.at < MIN_GAP_MS) return protocolError('RATE_LIMITED', `One thumbnail per ${MIN_GAP_MS / 1000} s.`);
    const jpeg = Buffer.from(base64, 'base64');
    if (jpeg.length > Limits.maxThumbnailBytes || !jpeg.subarray(0, 3).equals(JPEG_START)) {
      return protocolError('PAYLOAD_INVALID', `A thumbnail is a JPEG of at most ${Limits.maxThumbnailBytes} bytes.`);
    }
    this.#latest.set(zone, { jpeg, at: now });
    return null;
  }

  get(zone: ZoneId): Thumbnail | null {
    return this.#latest.get(zone) ?? null;
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#latest.clear();
  }
}
