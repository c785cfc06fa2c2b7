import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One completed segment of a camera's ring buffer, with the wall-clock span it holds. */
export interface RingSegment {
  path: string;
  fromMs: number;
  toMs: number;
}

/**
 * A camera's evidence ring buffer on disk: what its ffmpeg's segment muxer wrote (FfmpegPull's
 * `ringDir`). `segments.csv` lists the completed segments (name, start, end in stream seconds);
 * a segment's file was last written when it completed, so its mtime is its end in wall-clock time.
 */
export class RingBuffer {
  constructor(readonly dir: string) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  /** The completed segments overlapping [fromMs, toMs], oldest first. */
  segments(fromMs = 0, toMs = Number.MAX_SAFE_INTEGER): RingSegment[] {
    let list: string;
    try {
      list = readFileSync(join(this.dir, 'segments.csv'), 'utf8');
    } catch {
      return [];
    }
    const found: RingSegment[] = [];
    for (const line of list.split('\n')) {
      const [name, start, end] = line.trim().split(',');
      if (!name || start === undefined || end === undefined) continue;
      const path = join(this.dir, name);
      let endMs: number;
      try {
        endMs = statSync(path).mtimeMs;
      } catch {
        continue;
      }
      const segment = { path, fromMs: endMs - (Number(end) - Number(start)) * 1000, toMs: endMs };
      if (segment.toMs >= fromMs && segment.fromMs <= toMs) found.push(segment);
    }
    return found.sort((a, b) => a.fromMs - b.fromMs);
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
