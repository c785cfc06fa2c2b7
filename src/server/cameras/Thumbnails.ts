import { Limits, protocolError, Timing, type ProtocolError, type ZoneId } from '../../shared/index.ts';
import type { Participant } from '../zones/Participant.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';
import { keyframeThumbnail } from './keyframeThumbnail.ts';
import { looksLikeJpeg } from '../util/jpeg.ts';

/** A camera may send its next thumbnail this soon at most; faster ones are refused, not stored. */
const MIN_GAP_MS = Timing.thumbnailIntervalMs / 2;
/** An IP camera's thumbnail is decoded again from its latest keyframe at most this often. */
const KEYFRAME_RENDER_EVERY_MS = 15_000;
/** Decodes running at once, whatever the number of cameras a directory shows. */
const RENDERS_AT_ONCE = 2;

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
  /** IP cameras' latest keyframes (copied by their ffmpeg, not decoded), and what was decoded of them. */
  readonly #keyframes = new Map<ZoneId, { accessUnit: Buffer; at: number }>();
  readonly #rendering = new Map<ZoneId, Promise<Thumbnail | null>>();
  /** Bumped by forget(): a decode that started before is not kept (it may show what is now masked). */
  readonly #generation = new Map<ZoneId, number>();
  #renders = 0;
  readonly #unsubscribe: (() => void)[];

  /** `ffmpeg` decodes an IP camera's keyframe when its thumbnail is asked for. */
  constructor(presence: ZonePresence, private readonly ffmpeg = 'ffmpeg') {
    this.#unsubscribe = [
      presence.events.on('published', (zone, camera) => this.#publishers.set(zone, camera.id)),
      presence.events.on('unpublished', (zone, camera) => {
        if (this.#publishers.get(zone) === camera.id) this.#publishers.delete(zone);
        // An IP camera that stopped: its keyframe goes (its last thumbnail stays, like a camera node's).
        this.#keyframes.delete(zone);
      }),
    ];
  }

  /** A thumbnail from `camera` for `zone`; refused unless it publishes the zone, sends a JPEG, and not too often. */
  accept(camera: Participant, zone: ZoneId, base64: string, now = Date.now()): ProtocolError | null {
    if (this.#publishers.get(zone) !== camera.id) return protocolError('NOT_PUBLISHING', `This connection does not publish ${zone}.`);
    const previous = this.#latest.get(zone);
    if (previous && now - previous.at < MIN_GAP_MS) return protocolError('RATE_LIMITED', `One thumbnail per ${MIN_GAP_MS / 1000} s.`);
    const jpeg = Buffer.from(base64, 'base64');
    if (jpeg.length > Limits.maxThumbnailBytes || !looksLikeJpeg(jpeg)) {
      return protocolError('PAYLOAD_INVALID', `A thumbnail is a JPEG of at most ${Limits.maxThumbnailBytes} bytes.`);
    }
    this.#latest.set(zone, { jpeg, at: now });
    return null;
  }

  /** The latest keyframe of an IP camera the gateway pulls (no publisher check: the ingest is ours). */
  keyframe(zone: ZoneId, accessUnit: Buffer, now = Date.now()): void {
    this.#keyframes.set(zone, { accessUnit, at: now });
  }

  /**
   * The zone's thumbnail: the one its camera node sent, or one decoded now from its IP camera's
   * latest keyframe when the last is older than KEYFRAME_RENDER_EVERY_MS (one decode at a time
   * per zone, RENDERS_AT_ONCE in all; while they are busy, the last one made).
   */
  async get(zone: ZoneId): Promise<Thumbnail | null> {
    const made = this.#latest.get(zone) ?? null;
    const keyframe = this.#keyframes.get(zone);
    if (!keyframe || (made && (made.at >= keyframe.at || Date.now() - made.at < KEYFRAME_RENDER_EVERY_MS))) return made;
    const pending = this.#rendering.get(zone);
    if (pending) return pending;
    if (this.#renders >= RENDERS_AT_ONCE) return made;
    this.#renders += 1;
    const generation = this.#generation.get(zone) ?? 0;
    const render = keyframeThumbnail(this.ffmpeg, keyframe.accessUnit).then((jpeg) => {
      if (!jpeg) return made;
      if ((this.#generation.get(zone) ?? 0) !== generation) return null;
      const thumbnail = { jpeg, at: keyframe.at };
      this.#latest.set(zone, thumbnail);
      return thumbnail;
    }).finally(() => {
      this.#renders -= 1;
      if (this.#rendering.get(zone) === render) this.#rendering.delete(zone);
    });
    this.#rendering.set(zone, render);
    return render;
  }

  /**
   * The zone's masks changed: what it showed before is not shown again (it may hold what is now
   * masked). Its next thumbnail, or keyframe, is the first one served.
   */
  forget(zone: ZoneId): void {
    this.#generation.set(zone, (this.#generation.get(zone) ?? 0) + 1);
    this.#latest.delete(zone);
    this.#keyframes.delete(zone);
    this.#rendering.delete(zone);
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#latest.clear();
    this.#keyframes.clear();
  }
}
