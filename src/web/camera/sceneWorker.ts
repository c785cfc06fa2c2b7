/// <reference lib="webworker" />
/**
 * The camera node's detector, off the page's main thread: VideoFrames from the page's
 * MediaStreamTrackProcessor, a few per second, each copied once (`VideoFrame.copyTo`, no canvas),
 * its Y plane down-scaled to the detector's luma plane and pushed through the shared SceneDetector.
 * Frames between two samples are closed unread.
 */
import { DETECTOR_HEIGHT as HEIGHT, DETECTOR_WIDTH as WIDTH, downscaleLuma, SceneDetector, type DetectorEvent } from '../../shared/vision/sceneDetector.ts';
import type { SceneWorkerReply, SceneWorkerStart } from './sceneWatch.ts';
/** Formats whose first plane is luma (Y): the camera and test-pattern tracks give one of these. */
const LUMA_FIRST = new Set(['I420', 'I420A', 'I422', 'I444', 'NV12']);

const post = (reply: SceneWorkerReply) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply);

self.onmessage = (message: MessageEvent<SceneWorkerStart>) => void run(message.data);

async function run({ frames, intervalMs, settings, mask }: SceneWorkerStart): Promise<void> {
  const detector = new SceneDetector(WIDTH, HEIGHT, settings, mask);
  const reader = frames.getReader();
  const luma = new Uint8Array(WIDTH * HEIGHT);
  let buffer = new Uint8Array(0);
  let nextAt = 0;
  const costs: number[] = [];
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done || !frame) return;
    const at = frame.timestamp / 1000;
    if (at < nextAt || !frame.format) {
      frame.close();
      continue;
    }
    nextAt = at + intervalMs;
    const started = performance.now();
    let events: DetectorEvent[] = [];
    try {
      const size = frame.allocationSize();
      if (buffer.length < size) buffer = new Uint8Array(size);
      const layout = await frame.copyTo(buffer);
      const { displayWidth: width, displayHeight: height } = frame;
      if (LUMA_FIRST.has(frame.format)) {
        downscaleLuma(buffer.subarray(layout[0]!.offset), width, height, layout[0]!.stride, WIDTH, HEIGHT, luma);
      } else {
        lumaOfRgb(buffer, frame.format, width, height, layout[0]!.stride, luma);
      }
      events = detector.push({ width: WIDTH, height: HEIGHT, luma, at });
    } finally {
      frame.close();
    }
    costs.push(performance.now() - started);
    for (const event of events) post({ kind: 'event', event });
    if (costs.length >= 25) {
      costs.sort((a, b) => a - b);
      post({ kind: 'cost', medianMs: costs[costs.length >> 1]!, state: { motion: detector.state.motion, area: detector.state.area } });
      costs.length = 0;
    }
  }
}

/** Luma of an RGB frame (a canvas capture), sampled at each output pixel's centre. */
function lumaOfRgb(rgb: Uint8Array, format: string, width: number, height: number, stride: number, into: Uint8Array): void {
  const bgr = format.startsWith('BGR');
  for (let y = 0; y < HEIGHT; y++) {
    const row = Math.min(height - 1, Math.floor(((y + 0.5) * height) / HEIGHT)) * stride;
    for (let x = 0; x < WIDTH; x++) {
      const i = row + Math.min(width - 1, Math.floor(((x + 0.5) * width) / WIDTH)) * 4;
      const [r, b] = bgr ? [rgb[i + 2]!, rgb[i]!] : [rgb[i]!, rgb[i + 2]!];
      into[y * WIDTH + x] = (77 * r + 150 * rgb[i + 1]! + 29 * b) >> 8;
    }
  }
}
