import { maskSpans, type MaskPolygon } from '../../shared/vision/maskFill.ts';

/**
 * A camera's privacy masks as the picture ffmpeg lays over each of its frames: black and opaque
 * where a mask covers, transparent elsewhere, at the camera's own size (the same spans the camera
 * page fills, so a mask covers the same pixels wherever it is burned in). A PAM image
 * (GRAYSCALE_ALPHA): a header and the raw pixels, which ffmpeg reads from a pipe.
 */
export function maskImage(masks: readonly MaskPolygon[], width: number, height: number): Buffer {
  const header = Buffer.from(`P7\nWIDTH ${width}\nHEIGHT ${height}\nDEPTH 2\nMAXVAL 255\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n`, 'ascii');
  const pixels = Buffer.alloc(width * height * 2);
  const spans = maskSpans(masks, width, height);
  for (let i = 0; i < spans.length; i += 3) {
    const row = spans[i]!;
    // Grey 0 already; the alpha byte of each covered pixel goes opaque.
    for (let column = spans[i + 1]!; column < spans[i + 2]!; column++) pixels[(row * width + column) * 2 + 1] = 255;
  }
  return Buffer.concat([header, pixels]);
}
