/**
 * A still of a tile, saved by the operator: the frame on screen at its own resolution, as PNG
 * (lossless: what was seen, not a re-compression of it), named by zone and UTC time. Its SHA-256
 * goes to the gateway's audit trail before the file is written (see `zone:snapshot`).
 */
export interface Still {
  readonly blob: Blob;
  readonly width: number;
  readonly height: number;
  readonly sha256: string;
}

export async function captureStill(video: HTMLVideoElement): Promise<Still | null> {
  const { videoWidth: width, videoHeight: height } = video;
  if (width === 0 || height === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')?.drawImage(video, 0, 0, width, height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) return null;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return { blob, width, height, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
}

/** `CBD-TRAFFIC-01 2026-12-04T19-42-07Z.png`: sorts by zone then time, safe on every file system. */
export const stillFileName = (zone: string, at = new Date()): string => `${zone} ${at.toISOString().slice(0, 19).replace(/:/g, '-')}Z.png`;

export function downloadStill(still: Still, zone: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(still.blob);
  link.download = stillFileName(zone);
  link.dataset.sha256 = still.sha256;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
