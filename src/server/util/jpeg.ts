const JPEG_START = Buffer.from([0xff, 0xd8, 0xff]);

/** Starts as a JPEG does (SOI and the next marker): what a camera node sends as a thumbnail or a snapshot must. */
export const looksLikeJpeg = (bytes: Buffer): boolean => bytes.subarray(0, 3).equals(JPEG_START);
