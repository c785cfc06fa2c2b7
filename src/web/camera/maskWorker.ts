/// <reference lib="webworker" />
/**
 * Privacy masks burned into every frame before the encoder sees it: frames from the page's
 * MediaStreamTrackProcessor, copied once (`VideoFrame.copyTo`), the masked spans filled black in
 * every plane, and a new VideoFrame written to the MediaStreamTrackGenerator the page publishes.
 * With no masks a frame passes through untouched (no copy).
 */
import { fillMasked, maskSpans, type MaskPolygon } from '../../shared/vision/maskFill.ts';
import type { MaskWorkerMessage, MaskWorkerReply } from './privacyMask.ts';

const post = (reply: MaskWorkerReply) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply);

let masks: MaskPolygon[] = [];
let spans: { width: number; height: number; spans: Uint32Array } | null = null;

self.onmessage = ({ data }: MessageEvent<MaskWorkerMessage>) => {
  if (data.kind === 'masks') {
    masks = data.masks;
    spans = null;
    return;
  }
  void run(data.frames, data.sink);
};

async function run(frames: ReadableStream<VideoFrame>, sink: WritableStream<VideoFrame>): Promise<void> {
  const reader = frames.getReader();
  const writer = sink.getWriter();
  let buffer = new Uint8Array(0);
  const costs: number[] = [];
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done || !frame) break;
    // The encoder is behind: drop this frame rather than queue a late one.
    if (writer.desiredSize !== null && writer.desiredSize <= 0) {
      frame.close();
      continue;
    }
    if (masks.length === 0 || !frame.format) {
      void writer.write(frame).catch(() => frame.close());
      continue;
    }
    const started = performance.now();
    let masked: VideoFrame;
    try {
      const size = frame.allocationSize();
      if (buffer.length < size) buffer = new Uint8Array(size);
      const layout = await frame.copyTo(buffer);
      const { codedWidth, codedHeight, format, timestamp } = frame;
      if (!spans || spans.width !== codedWidth || spans.height !== codedHeight) spans = { width: codedWidth, height: codedHeight, spans: maskSpans(masks, codedWidth, codedHeight) };
      fillMasked(buffer, format, layout, spans.spans);
      masked = new VideoFrame(buffer.subarray(0, size), { format, codedWidth, codedHeight, timestamp, layout, ...(frame.duration !== null ? { duration: frame.duration } : {}) });
    } finally {
      frame.close();
    }
    costs.push(performance.now() - started);
    void writer.write(masked).catch(() => masked.close());
    if (costs.length >= 30) {
      costs.sort((a, b) => a - b);
      post({ kind: 'cost', medianMs: costs[costs.length >> 1]! });
      costs.length = 0;
    }
  }
  await writer.close().catch(() => undefined);
}
