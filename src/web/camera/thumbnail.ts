import { Limits } from '../../shared/index.ts';

const QUALITY = 0.7;

/**
 * A small JPEG of what the preview shows, base64, for the operators' directory: the gateway never
 * decodes video for it and no operator opens a connection for it. Null until a frame is shown.
 */
export async function thumbnailOf(video: HTMLVideoElement): Promise<string | null> {
  if (video.videoWidth === 0 || video.videoHeight === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = Limits.thumbnailWidth;
  canvas.height = Math.round((Limits.thumbnailWidth * video.videoHeight) / video.videoWidth);
  canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
  if (!blob || blob.size > Limits.maxThumbnailBytes) return null;
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
