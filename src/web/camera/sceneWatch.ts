import type { DetectorEvent, DetectorSettings } from '../../shared/vision/sceneDetector.ts';

/** What the page hands the worker once. */
export interface SceneWorkerStart {
  frames: ReadableStream<VideoFrame>;
  /** One frame looked at per this many ms (5 per second: motion is seen within 0.4 s). */
  intervalMs: number;
  settings: Partial<DetectorSettings>;
  /** 160×90, 1 where motion counts; null: everywhere. */
  mask: Uint8Array | null;
}

export type SceneWorkerReply =
  | { kind: 'event'; event: DetectorEvent }
  | { kind: 'cost'; medianMs: number; state: { motion: boolean; area: number } };

/** Chromium's "breakout box" reader of a track's frames; not in the DOM typings yet. */
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack }) => { readonly readable: ReadableStream<VideoFrame> };
const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor }).MediaStreamTrackProcessor;

export const SAMPLE_INTERVAL_MS = 200;

export interface SceneWatchHooks {
  event(event: DetectorEvent): void;
  /** The detector's median cost per frame looked at, every 25 frames. */
  cost(medianMs: number): void;
}

/**
 * Motion and tamper detection of what this camera node publishes, in a worker. It reads a clone of
 * the published track, so what it sees is exactly what operators get (privacy masks included).
 * Where the browser has no MediaStreamTrackProcessor (Firefox, Safari) there is no detection,
 * and the page says so.
 */
export class SceneWatch {
  static readonly supported = typeof Processor === 'function' && typeof Worker === 'function';

  readonly #worker: Worker;
  readonly #track: MediaStreamTrack;

  constructor(track: MediaStreamTrack, hooks: SceneWatchHooks, options: { settings?: Partial<DetectorSettings>; mask?: Uint8Array | null } = {}) {
    if (!Processor) throw new Error('This browser cannot read video frames (MediaStreamTrackProcessor).');
    this.#track = track.clone();
    const { readable } = new Processor({ track: this.#track });
    this.#worker = new Worker(new URL('./sceneWorker.ts', import.meta.url), { type: 'module', name: 'vigil-scene-detector' });
    this.#worker.onmessage = ({ data }: MessageEvent<SceneWorkerReply>) => {
      if (data.kind === 'event') hooks.event(data.event);
      else hooks.cost(data.medianMs);
    };
    const start: SceneWorkerStart = { frames: readable, intervalMs: SAMPLE_INTERVAL_MS, settings: options.settings ?? {}, mask: options.mask ?? null };
    this.#worker.postMessage(start, [readable as unknown as Transferable]);
  }

  close(): void {
    this.#worker.terminate();
    this.#track.stop();
  }
}
