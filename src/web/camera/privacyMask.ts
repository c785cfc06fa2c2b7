import type { MaskPolygon } from '../../shared/vision/maskFill.ts';

export type MaskWorkerMessage =
  | { kind: 'start'; frames: ReadableStream<VideoFrame>; sink: WritableStream<VideoFrame> }
  | { kind: 'masks'; masks: MaskPolygon[] };
export type MaskWorkerReply = { kind: 'cost'; medianMs: number };

/** Chromium's "breakout box": not in the DOM typings yet. */
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack }) => { readonly readable: ReadableStream<VideoFrame> };
interface TrackGenerator extends MediaStreamTrack { readonly writable: WritableStream<VideoFrame> }
type TrackGeneratorConstructor = new (init: { kind: 'video' }) => TrackGenerator;
const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor }).MediaStreamTrackProcessor;
const Generator = (globalThis as { MediaStreamTrackGenerator?: TrackGeneratorConstructor }).MediaStreamTrackGenerator;

/**
 * A camera track with its zone's privacy masks burned in: what the page previews, publishes,
 * thumbnails and detects on is this track, never the camera's own. The work is a worker's.
 */
export class MaskedTrack {
  static readonly supported = typeof Processor === 'function' && typeof Generator === 'function' && typeof Worker === 'function';

  readonly track: MediaStreamTrack;
  readonly #worker: Worker;
  #masks: MaskPolygon[];

  constructor(source: MediaStreamTrack, masks: MaskPolygon[], onCost: (medianMs: number) => void) {
    if (!Processor || !Generator) throw new Error('This browser cannot rewrite video frames (MediaStreamTrackProcessor and MediaStreamTrackGenerator).');
    const { readable } = new Processor({ track: source });
    const generator = new Generator({ kind: 'video' });
    this.track = generator;
    this.#masks = masks;
    this.#worker = new Worker(new URL('./maskWorker.ts', import.meta.url), { type: 'module', name: 'vigil-privacy-masks' });
    this.#worker.onmessage = ({ data }: MessageEvent<MaskWorkerReply>) => onCost(data.medianMs);
    // Masks first: the worker's first frame is already masked.
    this.#worker.postMessage({ kind: 'masks', masks } satisfies MaskWorkerMessage);
    this.#worker.postMessage({ kind: 'start', frames: readable, sink: generator.writable } satisfies MaskWorkerMessage, [readable as unknown as Transferable, generator.writable as unknown as Transferable]);
  }

  get masks(): MaskPolygon[] {
    return this.#masks;
  }

  setMasks(masks: MaskPolygon[]): void {
    this.#masks = masks;
    this.#worker.postMessage({ kind: 'masks', masks } satisfies MaskWorkerMessage);
  }

  close(): void {
    this.#worker.terminate();
    this.track.stop();
  }
}
