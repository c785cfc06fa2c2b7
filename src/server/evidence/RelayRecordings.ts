import type { ZoneId } from '../../shared/index.ts';
import type { MediaRelay } from '../media/MediaRelay.ts';
import type { Logger } from '../observability/logger.ts';
import type { Participant } from '../zones/Participant.ts';
import type { ZonePresence } from '../zones/ZonePresence.ts';
import type { Evidence } from './Evidence.ts';

export interface RelayRecordingsOptions {
  presence: ZonePresence;
  relay: MediaRelay;
  evidence: Evidence;
  /** The zone's recording setting (CameraSettings.record), as this node knows it now. */
  recorded(zone: ZoneId): boolean;
  logger: Logger;
}

/**
 * Evidence of cameras that publish themselves (a browser, an edge node, a WHIP encoder): while a
 * recorded zone's camera publishes on this node, its stream goes through the relay (RelayPlan.
 * pinned) and the relay's worker keeps its ring buffer, so events and operators cut clips from it
 * as from an IP camera's. IP cameras keep their own ring in their ffmpeg (CameraIngest).
 */
export class RelayRecordings {
  /** This node's publishing camera of each zone. */
  readonly #publishers = new Map<ZoneId, Participant>();
  readonly #recording = new Set<ZoneId>();
  readonly #unsubscribe: (() => void)[];

  constructor(private readonly options: RelayRecordingsOptions) {
    options.relay.pinWhen((zone) => options.recorded(zone));
    this.#unsubscribe = [
      options.presence.events.on('published', (zone, camera) => {
        this.#publishers.set(zone, camera);
        this.#follow(zone);
      }),
      options.presence.events.on('unpublished', (zone, camera) => {
        if (this.#publishers.get(zone) !== camera) return;
        this.#publishers.delete(zone);
        this.#follow(zone);
      }),
    ];
  }

  /** The zone's recording was turned on or off: its camera moves to the relay (or may leave it), and the recorder follows. */
  async changed(zone: ZoneId): Promise<void> {
    await this.options.presence.repin(zone);
    this.#follow(zone);
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    for (const zone of [...this.#recording]) this.#stop(zone);
  }

  #follow(zone: ZoneId): void {
    const camera = this.#publishers.get(zone);
    const wanted = camera !== undefined && camera.rtpIngest !== true && this.options.recorded(zone);
    if (wanted && !this.#recording.has(zone)) this.#start(zone);
    else if (!wanted && this.#recording.has(zone)) this.#stop(zone);
  }

  #start(zone: ZoneId): void {
    this.#recording.add(zone);
    const dir = this.options.evidence.ringFor(zone);
    this.options.relay.record(zone, dir).catch((error: unknown) => this.options.logger.error({ err: error, zone }, 'the relay could not record the zone'));
  }

  #stop(zone: ZoneId): void {
    this.#recording.delete(zone);
    // The ring goes now: a camera that publishes again at once gets a fresh one, never this one's end.
    this.options.evidence.releaseRing(zone);
    this.options.relay.record(zone, null).catch((error: unknown) => this.options.logger.warn({ err: error, zone }, 'stopping the relay\'s recorder failed'));
  }
}
