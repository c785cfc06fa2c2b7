/**
 * Filling privacy masks into a frame's planes: pure, no dependencies, so the camera page's mask
 * worker carries only this. Polygons are in picture coordinates (0–1 from the top-left).
 */
export type MaskPolygon = readonly (readonly [number, number])[];

/**
 * The pixels the masks cover, as spans: for each covered run, its row, first column and the
 * column after its last. Each polygon is filled by the even-odd rule at pixel centres.
 */
export function maskSpans(masks: readonly MaskPolygon[], width: number, height: number): Uint32Array {
  const spans: number[] = [];
  const crossings: number[] = [];
  for (const polygon of masks) {
    const points = polygon.map(([x, y]) => [x * width, y * height] as const);
    for (let row = 0; row < height; row++) {
      const y = row + 0.5;
      crossings.length = 0;
      for (let i = 0; i < points.length; i++) {
        const [x0, y0] = points[i]!;
        const [x1, y1] = points[(i + 1) % points.length]!;
        if ((y0 <= y && y1 > y) || (y1 <= y && y0 > y)) crossings.push(x0 + ((y - y0) / (y1 - y0)) * (x1 - x0));
      }
      crossings.sort((a, b) => a - b);
      for (let i = 0; i + 1 < crossings.length; i += 2) {
        const from = Math.max(0, Math.ceil(crossings[i]! - 0.5));
        const to = Math.min(width, Math.ceil(crossings[i + 1]! - 0.5));
        if (to > from) spans.push(row, from, to);
      }
    }
  }
  return Uint32Array.from(spans);
}

/** Where each plane of a frame starts and how far apart its rows are (VideoFrame.copyTo's layout). */
export interface PlaneLayout {
  readonly offset: number;
  readonly stride: number;
}

/**
 * Fills the spans black in a frame's planes: Y 16 and chroma 128 (limited-range black) for I420
 * and NV12, 0 for RGB formats. Chroma is subsampled 2×2: a chroma sample goes black with any of
 * its four pixels, so no colour of a masked pixel survives at an edge.
 */
export function fillMasked(data: Uint8Array, format: string, layout: readonly PlaneLayout[], spans: Uint32Array): void {
  const rgb = format.startsWith('RGB') || format.startsWith('BGR');
  for (let i = 0; i < spans.length; i += 3) {
    const row = spans[i]!;
    const from = spans[i + 1]!;
    const to = spans[i + 2]!;
    if (rgb) {
      const start = layout[0]!.offset + row * layout[0]!.stride;
      data.fill(0, start + from * 4, start + to * 4);
      continue;
    }
    const y = layout[0]!;
    data.fill(16, y.offset + row * y.stride + from, y.offset + row * y.stride + to);
    const chromaRow = row >> 1;
    const c0 = from >> 1;
    const c1 = (to + 1) >> 1;
    if (format === 'NV12') {
      const uv = layout[1]!;
      data.fill(128, uv.offset + chromaRow * uv.stride + c0 * 2, uv.offset + chromaRow * uv.stride + c1 * 2);
    } else {
      for (const plane of [layout[1]!, layout[2]!]) data.fill(128, plane.offset + chromaRow * plane.stride + c0, plane.offset + chromaRow * plane.stride + c1);
    }
  }
}

/**
 * The detector's mask (1 where motion counts) at its resolution: inside the motion zones (all of
 * the picture when there are none), outside the ignore zones; null when it is all of it.
 */
export function motionMask(motionZones: readonly MaskPolygon[], ignoreZones: readonly MaskPolygon[], width: number, height: number): Uint8Array | null {
  if (motionZones.length === 0 && ignoreZones.length === 0) return null;
  const mask = new Uint8Array(width * height).fill(motionZones.length > 0 ? 0 : 1);
  const paint = (zones: readonly MaskPolygon[], value: number) => {
    const spans = maskSpans(zones, width, height);
    for (let i = 0; i < spans.length; i += 3) mask.fill(value, spans[i]! * width + spans[i + 1]!, spans[i]! * width + spans[i + 2]!);
  };
  paint(motionZones, 1);
  paint(ignoreZones, 0);
  return mask;
}
